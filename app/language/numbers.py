"""Numbers as values, so "26亿元", "二十六亿" and "2.6 billion" compare equal.

Used to check that every number an LLM writes appears in a passage it cites, and to tell
whether a sentence holds the kind of figure a question asks for.
"""

import re
import unicodedata
import warnings

from .lexicon import word_set

CHINESE_NUMERALS = "〇零一二两三四五六七八九十百千"  # the digits of a number written out (一千二百)
_ARABIC = re.compile(r"(?<![\d.])(\d+(?:,\d{3})*(?:\.\d+)?)\s*(万亿|亿|万|千|百)?")
_ENGLISH_SCALE = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(trillion|billion|million|thousand)\b", re.I)
_SCALES = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "百": 1e2,
           "trillion": 1e12, "billion": 1e9, "million": 1e6, "thousand": 1e3}
_CITATION = re.compile(r"\[\d+\]")
# A Chinese digit standing alone is part of a word (进一步, 一项, 统一, 第一, 二氧化碳, 十分), far
# more often than a figure; as a figure it needs a neighbour (二十六亿, 一百万, 五十, 一万).
_LONE_CN_DIGIT = re.compile(rf"(?<![{CHINESE_NUMERALS}万亿点\d])[〇零一二两三四五六七八九十]"
                            rf"(?![{CHINESE_NUMERALS}万亿点\d])")
_DATE = re.compile(r"\d{1,4}\s*[年月日号]|\d{4}-\d{1,2}-\d{1,2}|\b(?:19|20)\d{2}\b")
_DESIGNATION = re.compile(r"[A-Za-z]+-?\d[\dA-Za-z]*")  # N95, H7N9, COVID-19: names, not amounts


def arabic(text: str) -> str:
    """Chinese numerals written out as digits (二十六亿 → 2600000000); other text unchanged."""
    import cn2an

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return cn2an.transform(text, "cn2an")
        except (ValueError, KeyError, IndexError):
            return text


def numbers(text: str) -> list[tuple[str, float]]:
    """The figures in a text, as written and as values (万/亿, million/billion applied).
    A lone Chinese digit (进一步, 一项) is not taken for a figure."""
    text = _LONE_CN_DIGIT.sub(" ", _CITATION.sub(" ", text))
    found = []
    for match in _ENGLISH_SCALE.finditer(text):
        found.append((match.group(0), float(match.group(1).replace(",", "")) * _SCALES[match.group(2).lower()]))
    for match in _ARABIC.finditer(arabic(_ENGLISH_SCALE.sub(" ", text))):
        value = float(match.group(1).replace(",", "")) * _SCALES.get(match.group(2) or "", 1.0)
        found.append((match.group(0).strip(), value))
    return found


def unsupported(answer: str, sources: list[str]) -> list[str]:
    """Figures in the answer whose value no source states."""
    known = {round(value, 6) for source in sources for _, value in numbers(source)}
    missing: list[str] = []
    for surface, value in numbers(answer):
        if round(value, 6) not in known and surface not in missing:
            missing.append(surface)
    return missing


def has_number(text: str, unit: str = "") -> bool:
    """Whether the text states a figure, dates and designations not counted (a question of how
    much is not answered by 9月14日 or N95); with `unit` (家, 吨, 亿…), a figure in that unit,
    approximate ones included (120余件, 20多家), or a table cell under a header naming the unit."""
    text = unicodedata.normalize("NFKC", text)  # ％ → %, full-width digits
    text = _DESIGNATION.sub(" ", arabic(_LONE_CN_DIGIT.sub(_unless_counting, text)))
    if not unit:
        return bool(re.search(r"\d", _DATE.sub(" ", text)))
    unit = "(?:美|港|欧)?元" if unit == "元" else re.escape(unit)  # 亿美元 answers an amount too
    in_value = rf"\d[\d,.]*\s*[余多]?\s*(?:[万亿千百])?\s*[余多]?\s*{unit}"
    in_header = rf"\([^()]*{unit}[^()]*\)\s*:\s*-?\d"  # a table row: 总投资（亿元）: 12
    in_column = rf"单位\s*:\s*{unit}\b.*:\s*-?\d"  # a table row: 单位: 吨 | 产量: 382156
    return any(re.search(pattern, text) for pattern in (in_value, in_header, in_column))


def _unless_counting(match: re.Match[str]) -> str:
    """A lone Chinese digit blanked out (统一, 二维码), unless it counts something (三种, 两家)."""
    following = match.string[match.end():match.end() + 1]
    return match[0] if match[0] != "一" and following and following in word_set("units", "classifiers") else " "


def has_date(text: str) -> bool:
    return bool(_DATE.search(arabic(text)))


def is_unit(word: str) -> bool:
    """Whether a word only names a unit or scale (亿元, 万吨, 人次, %), not a thing."""
    units = word_set("units", "measure") | word_set("units", "counted")
    return bool(word) and all(c in "万亿千百%" or c in units for c in word)
