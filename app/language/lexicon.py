"""The project's language knowledge, read once from lexicon.toml: question words by the kind of
answer they ask for, function words, units, measures, province short names, follow-up words; and
the English domain glossary, from glossary_en.txt."""

import tomllib
from functools import lru_cache
from pathlib import Path

LEXICON_FILE = Path(__file__).with_name("lexicon.toml")
GLOSSARY_FILE = Path(__file__).with_name("glossary_en.txt")


@lru_cache(maxsize=1)
def _data() -> dict:
    return tomllib.loads(LEXICON_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def words(section: str, key: str) -> tuple[str, ...]:
    """A word list (a "_" inside an entry stands for a space: how_many → "how many")."""
    return tuple(w.replace("_", " ") for w in _data()[section][key].split())


@lru_cache(maxsize=None)
def word_set(section: str, key: str) -> frozenset[str]:
    return frozenset(words(section, key))


@lru_cache(maxsize=1)
def english_function_words() -> frozenset[str]:
    """The lexicon's English function words, and scikit-learn's English stop words but those the
    lexicon names as content here (numbers, ordinals, nouns such as interest or system)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return word_set("words", "function_en") | (ENGLISH_STOP_WORDS - word_set("words", "content_en"))


@lru_cache(maxsize=None)
def pairs(section: str, key: str) -> dict[str, str]:
    """A table written as `name=value` entries."""
    return dict(entry.split("=", 1) for entry in words(section, key))


def alternation(section: str, key: str) -> str:
    """A regular-expression alternation of a list's entries, longest first."""
    import re

    return "|".join(re.escape(w) for w in sorted(words(section, key), key=len, reverse=True))


@lru_cache(maxsize=1)
def glossary() -> dict[str, tuple[str, ...]]:
    """English phrase → the Chinese words documents use for it, best first."""
    lines = GLOSSARY_FILE.read_text(encoding="utf-8").splitlines()
    entries = (line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))
    return {english.replace("_", " "): tuple(chinese.split("|")) for english, chinese in entries}
