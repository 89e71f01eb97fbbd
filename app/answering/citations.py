"""Citation markers in answer text: finding them, dropping the ones that point nowhere."""

import re

_MARKER = re.compile(r"\[(\d{1,3})\]")
_NOT_FOUND = re.compile(r"^\W*(未找到|not found)\W*$", re.I)


_THINK = re.compile(r"<think>.*?</think>", re.S)
_LOOSE_MARKER = re.compile(r"[\[【]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]】]")


def normalise(reply: str) -> str:
    """A model's reply with reasoning blocks removed and markers written as [n]:
    【1】 → [1], [1, 2] → [1][2]."""
    reply = _THINK.sub("", reply)
    return _LOOSE_MARKER.sub(
        lambda m: "".join(f"[{n}]" for n in re.split(r"\s*[,，、]\s*", m.group(1).strip())), reply)


def cited(text: str) -> list[int]:
    """The source numbers the text cites, in order of first appearance."""
    seen: list[int] = []
    for match in _MARKER.finditer(text):
        n = int(match.group(1))
        if n not in seen:
            seen.append(n)
    return seen


def between_markers(text: str) -> list[str]:
    """The pieces of a text between its [n] markers (each ends a run from one source)."""
    return _MARKER.split(text)


def drop_invalid(text: str, valid: set[int]) -> tuple[str, list[int]]:
    """The text without markers to sources that do not exist, and the numbers dropped."""
    dropped: list[int] = []

    def keep(match: re.Match) -> str:
        n = int(match.group(1))
        if n in valid:
            return match.group(0)
        dropped.append(n)
        return ""

    return _MARKER.sub(keep, text), dropped


def says_not_found(text: str) -> bool:
    """Whether a model's reply is the agreed 'not found' answer (a citation added to it, as in
    "未找到[1]", does not make it an answer)."""
    return bool(_NOT_FOUND.match(_MARKER.sub("", text).strip()))


def quoted(text: str) -> str:
    """Document text as it may appear in an answer or a prompt: the document's own [n] markers
    (footnotes of a statistical bulletin) written ［n］, so that [n] only ever means a citation."""
    return _MARKER.sub(lambda m: f"［{m.group(1)}］", text)


def number_sources(passages: list[tuple[str, str]]) -> str:
    """Sources for a prompt: `[n] 《title》 text`, one per paragraph, the documents' own markers
    quoted."""
    return "\n\n".join(f"[{n}] 《{quoted(title)}》 {quoted(text)}" for n, (title, text) in enumerate(passages, 1))
