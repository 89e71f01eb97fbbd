"""The evidence gate: does the best passage support answering at all?

Calibrated on the development questions (benchmarks/results/gate.md): the passage must hold
most of the question's key words (IDF-weighted), the places, organisations, names and years the
question is about must appear in its document, and a question asking for a figure or a date
must get one, next to the thing it measures (a question about 电价 is not answered by a
sentence that gives a figure for something else).
"""

import re

from app.language.places import by_short_name
from app.language.query import Query, is_stopword, language_of
from ingest.lexical import quiet_jieba, tokenize

from .extractive import Extract

_ASKS_FIGURE = re.compile(r"多少|几|多大|多高|多长|多久|多重|什么时候|何时|哪一?年|哪一?天|谁")
_COUNTED = re.compile(  # after 多少/几: a unit or classifier, then the noun counted (if any)
    r"(?:[万亿千百]?(?:美元|元|平方米|平方公里|公里|米|亩|吨|人次|[个家项起座所名位人次条种类台辆套批件份户处栋间层块只头]))?"
    r"([^，,。？?！!；;的]*)")
_WORD = re.compile(r"\w")
_CLAUSE_END = re.compile(r"[，,。；;：:！!？?]")
_GENERIC_MEASURES = frozenset("金额 数额 比例 比率 额度 时间 期间 期限 时长 数据 数量 数字 网址 号码 钱".split())
_DEGREE = frozenset("最多 最高 最低 最少 至少 最长 累计 合计 总计".split())  # 最多(贷多少): how much, not what
_PER_UNIT = re.compile(r"每[^的，,。？?]{0,4}$")  # 租金每平方米(多少钱) → 租金
_AROUND = 8  # characters of context either side when checking where a name's words begin
_MAX_OCCURRENCES = 20
_LINKING = re.compile(r"(?:的|是|有|为|达|共|约|了|一共|总共|大约)+$")


def missing_names(names: list[str], document: str) -> list[str]:
    """The question's names and years (Query.names) that the document never mentions (nor any
    part of them, nor a province's one-character name where it is one: 返沪 for 上海)."""
    return [name for name in names
            if not any(has_word(document, part) for part in tokenize(name)
                       if len(part) > 1 or part.isdigit())
            and not by_short_name(name, document)]


def has_word(document: str, word: str) -> bool:
    """Whether `word` occurs where a word of the document begins (兴县 is in 兴县经开区, not in
    振兴县域), judged by jieba on a few characters around each occurrence."""
    start = document.find(word)
    for _ in range(_MAX_OCCURRENCES):
        if start < 0:
            return False
        left = max(0, start - _AROUND)
        position = left
        for token in quiet_jieba().cut(document[left:start + len(word) + _AROUND]):
            if position >= start:
                break
            position += len(token)
        if position == start:
            return True
        start = document.find(word, start + 1)
    return False


def measured_thing(question: str) -> set[str]:
    """What a figure question measures, as character pairs of its last word and the pair across
    that word's left edge: the noun counted after 多少/几 when there is one (处理了多少起案件 →
    案件, 有几个5A级景区 → 景区, 级景), else the word before (规划面积有多大 → 面积, 划面;
    年产能是多少 → 产能, 年产); generic measures are passed over (贴息比率是多少 → 贴息, since a
    passage gives the rate without saying 比率; 租金每平方米多少钱 → 租金; 多少额度的贷款 → 贷款;
    a degree word such as 最多 qualifies the figure and is no thing). 法定代表人是谁 asks
    after a role the same way.
    Empty when there is no such word."""
    match = _ASKS_FIGURE.search(question)
    if not match:
        return set()
    rest = question[match.end():]
    counted = _COUNTED.match(rest)
    words = _words(counted.group(1))
    if not words and rest[counted.end():].startswith("的"):  # 多少额度的贷款 → 贷款
        words = _words(_COUNTED.match(rest, counted.end() + 1).group(1))
    if not words:
        clause = _CLAUSE_END.split(question[: match.start()])[-1]
        words = _words(_PER_UNIT.sub("", _LINKING.sub("", clause)))
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
    while words and words[-1] in _GENERIC_MEASURES:
        words.pop()
    if len(words) > 1 and len(words[-1]) == 1 and not _function_word(words[-2]):
        words[-2:] = [words[-2] + words[-1]]  # 法定代表 + 人
    if words and words[-1][:2] in _DEGREE:
        words[-1] = words[-1][2:]  # 最多贷 → 贷
    return words


def _function_word(word: str) -> bool:
    return is_stopword(word) or word in _DEGREE


def supported(found: Extract | None, query: Query, passage: str, document: str,
              min_support: float) -> bool:
    """Whether to answer from `found`, taken from `passage` of `document`."""
    if found is None or found.support < min_support or not found.fits:
        return False
    if missing_names(query.names, document):
        return False
    if query.language == "en" and language_of(passage) == "zh" and not all(
            any(t in document for t in group) for group in query.terms if not group[0].isascii()):
        return False  # a dictionary translation is loose: every translated word must be there
    thing = measured_thing(query.text) if query.expects.kind or "谁" in query.text else set()
    return not thing or any(pair in passage for pair in thing)
