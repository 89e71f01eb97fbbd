"""What a figure question measures: the noun counted (处理了多少起案件 → 案件) or the word
before the question word (规划面积有多大 → 面积), as character pairs a passage should hold."""

import re
from functools import lru_cache

from ingest.lexical import quiet_jieba

from . import lexicon
from .lexicon import alternation, word_set
from .query import is_stopword

_WORD = re.compile(r"\w")
_CLAUSE_END = re.compile(r"[，,。；;：:！!？?]")
_PER_UNIT = re.compile(r"每[^的，,。？?]{0,4}$")  # 租金每平方米(多少钱) → 租金


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    """Built from the lexicon on first use."""
    asks = "|".join(alternation("asks", key) for key in ("number_zh", "date_zh", "person_zh"))
    units = lexicon.words("units", "measure")
    singles = "".join(w for w in units if len(w) == 1)
    longer = "|".join(re.escape(w) for w in sorted(units, key=len, reverse=True) if len(w) > 1)
    return {
        "asks": re.compile(asks),
        # after 多少/几: a unit or classifier, then the noun counted (if any)
        "counted": re.compile(rf"(?:[万亿千百]?(?:{longer}|[{singles}]))?([^，,。？?！!；;的]*)"),
        "linking": re.compile(f"(?:{alternation('measures', 'linking')})+$"),
    }


def measured_thing(question: str) -> set[str]:
    """What a figure question measures, as character pairs of its last word and the pair across
    that word's left edge: the noun counted after 多少/几 when there is one (处理了多少起案件 →
    案件, 有几个5A级景区 → 景区, 级景), else the word before (规划面积有多大 → 面积, 划面;
    年产能是多少 → 产能, 年产); generic measures are passed over (贴息比率是多少 → 贴息, since a
    passage gives the rate without saying 比率; 租金每平方米多少钱 → 租金; 多少额度的贷款 → 贷款;
    a degree word such as 最多 qualifies the figure and is no thing). 法定代表人是谁 asks
    after a role the same way.
    Empty when there is no such word."""
    match = _patterns()["asks"].search(question)
    if not match:
        return set()
    rest = question[match.end():]
    counted = _patterns()["counted"].match(rest)
    words = _words(counted.group(1))
    if not words and rest[counted.end():].startswith("的"):  # 多少额度的贷款 → 贷款
        words = _words(_patterns()["counted"].match(rest, counted.end() + 1).group(1))
    if not words:
        clause = _CLAUSE_END.split(question[: match.start()])[-1]
        words = _words(_PER_UNIT.sub("", _patterns()["linking"].sub("", clause)))
    if not words or len(words[-1]) < 2 or _function_word(words[-1]):
        return set()
    last = words[-1]
    pairs = {last[i:i + 2] for i in range(len(last) - 1)}
    if len(words) > 1 and not _function_word(words[-2]):
        pairs.add(words[-2][-1] + last[0])
    return pairs


def _words(text: str) -> list[str]:
    """The words of a phrase, generic measures at its end dropped (贴息比率 → 贴息)."""
    words = [w for w in quiet_jieba().cut(text) if _WORD.search(w)]
    while words and words[-1] in word_set("measures", "generic"):
        words.pop()
    if len(words) > 1 and len(words[-1]) == 1 and not _function_word(words[-2]):
        words[-2:] = [words[-2] + words[-1]]  # 法定代表 + 人
    if words and words[-1][:2] in word_set("measures", "degree"):
        words[-1] = words[-1][2:]  # 最多贷 → 贷
    return words


def _function_word(word: str) -> bool:
    return is_stopword(word) or word in word_set("measures", "degree")
