"""What a question asks: its language, its content words, and the kind of answer it expects.

The words that decide it are data (lexicon.toml): question words by the kind of answer they ask
for, function words, the units a count may be asked in.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from ingest.lexical import quiet_jieba, tokenize
from ingest.textclean import HAN

if TYPE_CHECKING:
    from .translate import Vocabulary

from .lexicon import alternation, english_function_words, pairs, word_set, words
from .numbers import CHINESE_NUMERALS

_CJK = re.compile(f"[{HAN}]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_NAME_TAGS = ("ns", "nr", "nt", "nrt")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_WORD = re.compile(r"\w")


def answer_kind_words() -> frozenset[str]:
    """Words that name the kind of answer wanted rather than the subject (措施, 条件, 流程…)."""
    return word_set("words", "answer_kind_zh")


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    """Question-word patterns by what they ask, built from the lexicon on first use."""
    def zh(key: str) -> str:
        return alternation("asks", key)

    def en(key: str) -> str:
        return r"\b(?:" + alternation("asks", key) + r")\b"

    units = "".join(words("units", "counted"))
    return {
        "count": re.compile(rf"(?<!哪)(?:几|多少)([{units}])"),
        "which": re.compile(zh("which_zh")),
        "number": re.compile(f"{zh('number_zh').replace('几', '几(?!乎)')}|{en('number_en')}", re.I),
        "measure": re.compile(rf"\b(?:what|which)\b(?:\W+(?!(?:{alternation('asks', 'measure_stop_en')})\b)\w+){{0,6}}?"
                              rf"\W+(?:{alternation('asks', 'measure_en')})s?\b", re.I),
        "date": re.compile(f"{zh('date_zh')}|{en('date_en')}", re.I),
        "asking": re.compile("|".join(alternation("asks", key) for key in (
            "number_zh", "date_zh", "person_zh", "which_zh", "open_zh"))),
        "open": re.compile(f"{zh('open_zh')}|{alternation('words', 'answer_kind_zh')}|{en('open_en')}", re.I),
        **{kind: re.compile(f"{zh(kind + '_zh')}|{en(kind + '_en')}", re.I)
           for kind in ("rate", "change", "rank", "period", "money", "plan", "counting")},
    }


def asks_open(text: str) -> bool:
    """Whether the question's answer may run over sentences: which ones, how, what measures."""
    return bool(_patterns()["open"].search(text))


def asked_name_endings(text: str) -> tuple[str, tuple[str, ...]]:
    """For a question asking which place, company or body (哪个城市, 哪家企业), the kind asked and
    the endings such names have (城市: 市; 企业: 公司, 集团…); ("", ()) for any other question."""
    endings = pairs("entities", "endings")
    match = re.search(f"(?:{alternation('entities', 'which')})({'|'.join(sorted(endings, key=len, reverse=True))})", text)
    if match:
        return match.group(1), tuple(endings[match.group(1)].split("|"))
    english = pairs("entities", "endings_en")
    match = re.search(rf"\b(?:which|what)\s+({'|'.join(english)})\b", text, re.I)
    return (match.group(1).lower(), tuple(english[match.group(1).lower()].split("|"))) if match else ("", ())


def asks_figure_of(text: str, kind: str) -> bool:
    """Whether a figure question asks for a 'rate' (a share, a percentage), a 'change' (growth,
    decline), a 'rank', a total over a 'period' (累计, 五年), or a 'plan' (a target); the same
    words say what kind a figure in a text is."""
    return bool(_patterns()[kind].search(text))


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
    """'zh' when the text has at least as many Chinese characters as English words, else 'en': an
    English question may name a Chinese term (the Xiangyiban (湘易办) app)."""
    han = len(_CJK.findall(text))
    return "zh" if han and han >= len(_LATIN_WORD.findall(text)) else "en"


def is_stopword(word: str) -> bool:
    """A question or function word (Chinese or English)."""
    return word in word_set("words", "function_zh") or word in english_function_words()


def content_tokens(text: str) -> list[str]:
    """The words of a question that carry its subject, whole and in parts (jieba's search mode),
    question and function words removed before they are cut (多大 gives no 多 nor 大)."""
    text = _patterns()["asking"].sub(" ", unicodedata.normalize("NFKC", text).lower())
    words = [w for w in quiet_jieba().cut(text) if not is_stopword(w) and _WORD.search(w)]
    tokens = [t for w in words for t in tokenize(w) if not is_stopword(t)]
    return list(dict.fromkeys(tokens)) or tokenize(text)


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


def unglued(word: str, text: str) -> str:
    """A word of the question the index has never seen, without what jieba glued to it: function
    words at either end (能领 → 领) and, after a count, the unit counted (多少家规上企业: 家规 → 规);
    "" when nothing else is left."""
    units = word_set("units", "counted")
    if word[0] in units and re.search(rf"(?:[\d{CHINESE_NUMERALS}万亿]|多少|几){re.escape(word)}", text):
        word = word[1:]
    while True:
        affix = next((f for f in _longest_first() if len(word) > len(f) and (word.startswith(f) or word.endswith(f))),
                     None)
        if affix is None:
            return "" if word in word_set("words", "function_zh") or word in units else word
        word = word[len(affix):] if word.startswith(affix) else word[:-len(affix)]


@lru_cache(maxsize=1)
def _longest_first() -> tuple[str, ...]:
    """The Chinese function words, longest first (可以 before 可), as affixes are taken off."""
    return tuple(sorted(word_set("words", "function_zh"), key=len, reverse=True))


def _is_name(word: str) -> bool:
    """A Chinese word jieba's dictionary tags as a place, person or organisation."""
    return not word.isascii() and quiet_jieba().posseg.dt.word_tag_tab.get(word) in _NAME_TAGS


def names_in(question: str) -> list[str]:
    """Proper names and years in a question (places, organisations, people), as jieba tags them."""
    names = [p.word for p in quiet_jieba().posseg.cut(question) if p.flag in _NAME_TAGS and len(p.word) > 1]
    return names + _YEAR.findall(question)


def _counted_unit(text: str) -> str | None:
    """The unit a count question asks in (多少家企业 → 家, 多少万元 → 元, 多少人次 → 人次); "" when
    what follows 多少 is a noun rather than a unit (多少类型, 多少人员); None when it asks no count."""
    match = _patterns()["count"].search(text)
    if not match:
        return None
    words = quiet_jieba().lcut(text[match.start():])
    word = words[1] if words[0] in ("多少", "几") and len(words) > 1 else words[0][1:]
    if len(word) > 1:
        word = word.lstrip("万亿千百")
    return word if word and all(c in word_set("units", "counted") for c in word) else ""


def expectation(text: str) -> Expectation:
    """What kind of answer the question asks for."""
    patterns = _patterns()
    count = _counted_unit(text)
    if patterns["date"].search(text):
        return Expectation("date")
    if patterns["which"].search(text):  # 哪几个部门: which ones, not how many
        return Expectation()
    if count is not None:
        return Expectation("number", count)
    if patterns["number"].search(text) or patterns["measure"].search(text):
        money = patterns["money"].search(text) and not any(patterns[k].search(text) for k in ("rate", "change", "counting"))
        return Expectation("number", "元" if money else "")
    return Expectation()


def analyse(text: str, vocabulary: "Vocabulary | None" = None) -> Query:
    """The question's language, keywords and expected answer. With the index's `vocabulary`
    (how many chunks hold a word; words by pinyin), an English question also gets the Chinese
    words of its translation (app/language/translate.py), and a Chinese one the parts of words
    the index has never seen."""
    language = language_of(text)
    tokens = content_tokens(text)
    if language == "en" and vocabulary is not None:
        from .translate import chinese_terms

        groups = chinese_terms(text, vocabulary)
        chinese = [t for group in groups for term in group if not term.isascii() for t in tokenize(term)]
        if chinese:
            names = [g[0] for g in groups if _is_name(g[0])] + _YEAR.findall(text)
            return Query(text, language, tokens + chinese, expectation(text), groups, names=names)
    search, terms = [], tokens
    if language == "zh" and vocabulary is not None:
        search = search_words(text, vocabulary.frequency)
        terms = [t for t in (unglued(t, text) if not vocabulary.frequency(t) else t for t in tokens) if t]
    return Query(text, language, tokens, expectation(text), [(t,) for t in dict.fromkeys(terms)], search,
                 names_in(text))
