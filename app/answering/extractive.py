"""The default answerer: the sentences of the top passages that answer the question, verbatim.

Each sentence is scored by the question's content words it holds (IDF-weighted; words of its
document's title and heading, and of the sentence before it, count as held, since the sentence
is read in that context), the question's phrases it holds (bigrams), whether it has the kind of
figure asked for, and the rank of its passage. The best sentence of each of up to three passages
is kept when it scores close to the best. Documents often state the question's subject in one
sentence (a heading, a lead-in ending in "：", a restated question) and the answer in the next,
so the best sentence is kept together with the sentence before it when that one named the
subject, and with what follows it when it is such a lead; the answer to an open question (which
ones, how, what measures) takes the next sentence of its paragraph too. Sentences are never
rewritten; each run of text taken from one passage ends with that passage's [n].
"""

import re
from dataclasses import dataclass, replace

from app.language.matching import (
    gram_coverage,
    grams,
    query_grams,
    term_coverage,
    word_coverage,
)
from app.language.numbers import has_date, has_number
from app.language.query import ANSWER_KIND_WORDS, Expectation, Query
from app.retrieval.retriever import Passage
from ingest.chunking import split_sentences
from ingest.lexical import tokenize
from ingest.textclean import heading_level

PASSAGES_READ = 5
RANK_PENALTY = 0.1
TITLE_ECHO = 0.5
SECOND_PASSAGE = 0.3  # another passage's best sentence is added when it scores this close
# to the best, both in all and on the question's words it holds itself (not its title's), or in
# all when it has the figure or date asked for and the answer so far has none
MAX_PASSAGES_CITED = 3
LEAD_CHARS = 120  # a best sentence this short may be a lead to what follows
ANSWER_CHARS = 240  # stop adding following sentences beyond this length
_OPEN = re.compile(  # questions whose answers run over sentences: which ones, how, what measures
    "哪些|如何|怎样|怎么|有何|何种|什么样|" + "|".join(sorted(ANSWER_KIND_WORDS)) + r"|\bhow\b", re.I)
_LEAD_END = ("：", ":", "？", "?", "如下。")  # a lead-in, a restated question, "…通知如下。"
_LIST_ITEM = re.compile(r"^(?:[（(]?[一二三四五六七八九十\d]{1,3}[)）、.．]|[一二三四五六七八九十]是)")


@dataclass(frozen=True)
class Sentence:
    passage: int  # index in the passages given
    start: int
    end: int
    text: str
    score: float
    fits: bool
    own: float = 0.0  # the question's words and phrases the sentence itself holds
    follows: bool = False  # scored with the words of the sentence before it (its subject)
    new_line: bool = False  # begins a line (a paragraph, list item or heading)


@dataclass(frozen=True)
class Extract:
    """Chosen sentences, and how well the best passage supports the question."""

    sentences: list[Sentence]
    support: float  # share of the question's words (IDF-weighted) or phrases in the best passage
    fits: bool  # the chosen text holds the kind of figure the question asks for (or none asked)


def fits(expects: Expectation, text: str) -> bool:
    if expects.kind == "number":
        return has_number(text, expects.unit)
    if expects.kind == "date":
        return has_date(text)
    return True


def sentences_of(text: str) -> list[tuple[int, int, bool]]:
    """Sentence spans of a passage, each with whether it begins a line; a line break always
    ends a sentence."""
    spans, offset = [], 0
    for line in text.split("\n"):
        spans.extend((a, b, i == 0) for i, (a, b) in enumerate(split_sentences(line, offset)))
        offset += len(line) + 1
    return spans


def extract(query: Query, passages: list[Passage], idf: dict[str, float]) -> Extract | None:
    """Pick the answering sentences among the first passages; None when there are none."""
    phrases = query_grams(query)
    by_passage: list[list[Sentence]] = []
    for index, passage in enumerate(passages[:PASSAGES_READ]):
        title = passage.meta.get("title", "")
        title_grams = grams(title)
        context = set(tokenize(f"{title} {passage.meta.get('heading', '')}"))
        sentences = []
        previous: set[str] = set()
        for start, end, new_line in sentences_of(passage.text):
            text = passage.text[start:end]
            fit = fits(query.expects, text)
            tokens = set(tokenize(text))
            own = word_coverage(idf, tokens) + gram_coverage(phrases, text)
            by_itself = word_coverage(idf, tokens | context)
            with_previous = word_coverage(idf, tokens | context | previous)
            score = (with_previous + gram_coverage(phrases, text)
                     + (0.5 if fit and query.expects.kind else 0.0) - RANK_PENALTY * index)
            previous = tokens
            if text == title:
                score = -1.0  # the document's title line is context, not an answer
            else:  # a sentence restating the title (a lede) sets the scene rather than answers
                score -= TITLE_ECHO * gram_coverage(title_grams, text)
            sentences.append(Sentence(index, start, end, text, score, fit, own,
                                      with_previous > by_itself, new_line))
        by_passage.append(sentences)
    by_passage = _shared_rank(by_passage)
    candidates = [s for sentences in by_passage for s in sentences]
    if not candidates:
        return None
    room = {id(s): len(passages[s.passage].text) - s.end for s in candidates}
    ranked = sorted(candidates, key=lambda s: (-s.score, -room[id(s)]))
    best = ranked[0]
    sentences = by_passage[best.passage]
    chosen = _before(best, sentences) + [best] + _continuation(query, best, sentences)
    used = {best.passage}
    for other in ranked[1:]:
        if len(used) >= MAX_PASSAGES_CITED or other.score < SECOND_PASSAGE * best.score:
            break
        lacks_figure = query.expects.kind and not any(s.fits for s in chosen)
        holds_question = other.own >= SECOND_PASSAGE * best.own or (lacks_figure and other.fits)
        if other.passage in used or not holds_question or _repeats(other, chosen):
            continue
        used.add(other.passage)
        chosen.append(other)
        following = _continuation(query, other, by_passage[other.passage])
        chosen += [s for s in following if not any(s.text in c.text for c in chosen)]
    passage = passages[best.passage]
    context = " ".join([passage.meta.get("title", ""), passage.meta.get("heading", ""), passage.text])
    subject = [g for g in query.terms if not set(g) & ANSWER_KIND_WORDS] or query.terms
    support = max(term_coverage(subject, idf, context), gram_coverage(phrases, context))
    return Extract(chosen, support, not query.expects.kind or any(s.fits for s in chosen))


def _shared_rank(by_passage: list[list[Sentence]]) -> list[list[Sentence]]:
    """A sentence found in several overlapping passages scores as in the best ranked of them, so
    that the occurrence with the most text after it (where a lead's answer is) can be chosen."""
    first: dict[str, int] = {}
    for sentences in by_passage:
        for s in sentences:
            first.setdefault(s.text, s.passage)
    return [[replace(s, score=s.score + RANK_PENALTY * (s.passage - first[s.text])) if s.score >= 0 else s
             for s in sentences] for sentences in by_passage]


def _before(sentence: Sentence, sentences: list[Sentence]) -> list[Sentence]:
    """The sentence before, when the sentence was scored with its words (it names the subject)."""
    if not sentence.follows:
        return []
    earlier = [s for s in sentences if s.end <= sentence.start]
    return earlier[-1:]


def _repeats(sentence: Sentence, chosen: list[Sentence]) -> bool:
    """Whether the sentence's text is already part of the answer (passages overlap)."""
    return any(sentence.text in c.text or c.text in sentence.text for c in chosen)


def _continuation(query: Query, best: Sentence, sentences: list[Sentence]) -> list[Sentence]:
    """The sentences after the best one that carry on its answer: what a lead announces, up to
    the figure or date wanted, or (for an open question: which ones, how, what measures) the next
    sentence of its paragraph."""
    following = [s for s in sentences if s.start >= best.end]
    if not following:
        return []
    if not query.expects.kind and not _is_lead(best.text):
        open_question = _OPEN.search(query.text)
        return following[:1] if open_question and not following[0].new_line else []
    if query.expects.kind and best.fits and not _announces(best.text):
        return []  # the figure or date asked for is there
    out, length = [], len(best.text)
    for sentence in following:  # what the lead announces, or up to the figure or date wanted
        out.append(sentence)
        length += len(sentence.text)
        if length >= ANSWER_CHARS or (query.expects.kind and sentence.fits):
            break
        if not _LIST_ITEM.match(sentence.text) and len(sentence.text) >= LEAD_CHARS:
            break
    return out


def _announces(text: str) -> bool:
    """A sentence that says the answer follows (a lead-in, a restated question); a figure or
    date in it (a notice's number or year) is not the one asked for."""
    return text.rstrip().endswith(_LEAD_END)


def _is_lead(text: str) -> bool:
    """A sentence that announces rather than answers: a heading, a question, a lead-in."""
    stripped = text.rstrip()
    return (_announces(stripped) or len(stripped) < LEAD_CHARS
            or heading_level(stripped.rstrip("。")) > 0)
