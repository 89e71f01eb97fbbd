"""What a question asks: its language, its content words, and the kind of answer it expects."""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.lexical import quiet_jieba, tokenize

_CJK = re.compile(r"[\u3400-\u9fff]")
_NAME_TAGS = ("ns", "nr", "nt", "nrt")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_WORD = re.compile(r"\w")
# Question words and function words: they say how something is asked, not what about.
_ZH_STOP = frozenset(
    "多少 哪些 什么 是否 哪个 哪家 哪所 哪里 哪儿 哪 谁 几 几个 几家 几所 几项 几名 几位 怎么 怎样 如何 "
    "为什么 为何 何 何种 何时 有何 吗 呢 啊 吧 请问 是不是 有没有 哪方面 哪几 哪种 哪类 多久 多长 多大 "
    "多高 什么样 啥 咋 时候 什么时候 什么时间 哪天 哪年 分别 主要 具体 "
    "的 了 和 与 及 以及 是 在 有 对 为 于 把 被 也 都 就 而 或 等 之 其 这 那 这个 那个 该 "
    "我 我们 你 你们 它 它们 他们 个 中 上 下 去 到 给 让 做 做了 进行 要 能 可以 还 又".split()
)
_EN_STOP = frozenset(
    "what which who whom whose when where why how many much is are was were be been being do does "
    "did the a an of in on at to for from by with and or about into as it its this that these "
    "those there their they them what's how's please tell me i we you your our can could would "
    "should will shall may might any some has have had list give".split()
)
# Words that name the kind of answer wanted rather than the subject; answers rarely repeat them.
ANSWER_KIND_WORDS = frozenset(
    "功能 作用 内容 情况 方面 特点 优势 方式 办法 举措 措施 途径 渠道 名称 原因 目的 意义 形式 "
    "规定 要求 政策 条件 流程 步骤 标准".split()
)
_UNITS = "家所名位人项次批座条件台辆吨元年天月户张支种类场届亩万亿"  # 个 is too generic
_COUNT_ZH = re.compile(rf"(?<!哪)(?:几|多少)([{_UNITS}])")
_WHICH_ZH = re.compile(r"哪几")
_NUMBER_ZH = re.compile(r"多少|几[^乎]|多大|多高|多长|多久|多重|比例|百分之")
_NUMBER_EN = re.compile(r"\bhow (?:many|much|long|large|big|high)\b|\bwhat (?:percentage|share|amount|number|size|scale)\b", re.I)
_DATE_ZH = re.compile(r"什么时候|何时|哪天|哪一天|什么时间|哪年|哪一年|几月|几号|什么日期")
_DATE_EN = re.compile(r"\bwhen\b|\bwhat (?:date|year|day|time)\b", re.I)


@dataclass(frozen=True)
class Expectation:
    """The kind of answer a question asks for: 'number' (with an optional unit), 'date', or ''."""

    kind: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Query:
    text: str
    language: str  # "zh" or "en"
    tokens: list[str]  # content words, whole and in parts (jieba's search mode)
    expects: Expectation
    terms: list[tuple[str, ...]]  # what a passage must hold to support an answer: one of each
    search: list[str] = field(default_factory=list)  # the words BM25 ranks by (else tokens)
    names: list[str] = field(default_factory=list)  # places, organisations, people, years

    @property
    def keywords(self) -> list[str]:
        return self.search or self.tokens


def language_of(text: str) -> str:
    """'zh' when the text has Chinese characters, else 'en'."""
    return "zh" if _CJK.search(text) else "en"


def is_stopword(word: str) -> bool:
    return word in _ZH_STOP or word in _EN_STOP


def content_tokens(text: str) -> list[str]:
    """The words of a question that carry its subject, question and function words removed."""
    tokens = [t for t in tokenize(text) if not is_stopword(t)]
    return tokens or tokenize(text)


def search_words(text: str, frequency: Callable[[str], int]) -> list[str]:
    """The question's words as jieba cuts them (北京市人民政府 stays one word, not also 京市, 民政…),
    with the parts of a word the index has never seen, so that it can still match in part."""
    out = []
    for word in quiet_jieba().cut(unicodedata.normalize("NFKC", text).lower()):
        if is_stopword(word) or not _WORD.search(word):
            continue
        out.append(word)
        if not frequency(word):
            out.extend(part for part in tokenize(word) if part != word and not is_stopword(part))
    return out


def names_in(question: str) -> list[str]:
    """Proper names and years in a question (places, organisations, people), as jieba tags them."""
    names = [p.word for p in quiet_jieba().posseg.cut(question) if p.flag in _NAME_TAGS and len(p.word) > 1]
    return names + _YEAR.findall(question)


def _counted_unit(text: str) -> str | None:
    """The unit a count question asks in (多少家企业 → 家, 多少万元 → 元, 多少人次 → 人次); "" when
    what follows 多少 is a noun rather than a unit (多少类型, 多少人员); None when it asks no count."""
    match = _COUNT_ZH.search(text)
    if not match:
        return None
    words = quiet_jieba().lcut(text[match.start():])
    word = words[1] if words[0] in ("多少", "几") and len(words) > 1 else words[0][1:]
    if len(word) > 1:
        word = word.lstrip("万亿千百")
    return word if word and all(c in _UNITS for c in word) else ""


def expectation(text: str) -> Expectation:
    count = _counted_unit(text)
    if _DATE_ZH.search(text) or _DATE_EN.search(text):
        return Expectation("date")
    if _WHICH_ZH.search(text):  # 哪几个部门: which ones, not how many
        return Expectation()
    if count is not None:
        return Expectation("number", count)
    if _NUMBER_ZH.search(text) or _NUMBER_EN.search(text):
        return Expectation("number")
    return Expectation()


def analyse(text: str, frequency: Callable[[str], int] | None = None) -> Query:
    """The question's language, keywords and expected answer. With `frequency` (how many indexed
    chunks hold a word), an English question also gets the Chinese words of its dictionary
    translation, which then carry the evidence gate."""
    language = language_of(text)
    tokens = content_tokens(text)
    if language == "en" and frequency is not None:
        from .translate import chinese_terms

        groups = chinese_terms(text, frequency)
        chinese = [t for group in groups for term in group if not term.isascii() for t in tokenize(term)]
        if chinese:
            return Query(text, language, tokens + chinese, expectation(text), groups,
                         names=names_in(text))
    search = search_words(text, frequency) if language == "zh" and frequency is not None else []
    return Query(text, language, tokens, expectation(text), [(t,) for t in tokens], search,
                 names_in(text))
