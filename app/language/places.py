"""Provinces by their names (江西 of 江西省) and one-character short names (沪 for 上海, 鄂 for
湖北), as documents write them (one table, `places.provinces` in lexicon.toml)."""

import re

from .lexicon import pairs, words

_SUFFIX = re.compile(r"(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)$")


def provinces_in(text: str) -> frozenset[str]:
    """The provinces a text names by their full names' first part (江西, 宁夏)."""
    return frozenset(p for p in pairs("places", "provinces") if p in text)


def by_short_name(name: str, document: str) -> bool:
    """Whether the document names the province `name` (上海市, 内蒙古自治区) by its short name
    after a verb of coming, going or being (返沪, 来京, 援鄂); elsewhere the character is often
    part of another word (津贴, 苏醒)."""
    short = pairs("places", "provinces").get(_SUFFIX.sub("", name))
    moving = "".join(words("places", "moving_verbs"))
    return bool(short) and re.search(f"[{moving}][{short}]", document) is not None
