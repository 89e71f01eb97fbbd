"""Prompt templates, read from files in prompts/: `<purpose>.<language>.txt` with a [system]
and a [user] part, placeholders written as $name."""

import re
from pathlib import Path
from string import Template

_PART = re.compile(r"^\[(system|user)\]\s*$", re.M)


def load_prompt(folder: Path, purpose: str, language: str, **values: str) -> tuple[str, str]:
    """The (system, user) messages of a prompt, values filled in; English when no such language."""
    path = folder / f"{purpose}.{language}.txt"
    if not path.exists():
        path = folder / f"{purpose}.en.txt"
    parts = _PART.split(path.read_text(encoding="utf-8"))
    sections = dict(zip(parts[1::2], (p.strip() for p in parts[2::2])))
    return (Template(sections["system"]).safe_substitute(values),
            Template(sections["user"]).safe_substitute(values))
