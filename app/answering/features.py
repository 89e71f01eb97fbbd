"""Features of retrieved passages and of answer candidates, for the learned scorers.

Everything here is computed from the question's analysis (app/language) and plain substring
tests on the passages: passages are never tokenized at question time, so a question costs a few
milliseconds. Each sentence is examined once (which of the question's terms it holds, whether it
has the kind of figure asked for); runs of sentences combine their sentences. Feature names are
listed once (PASSAGE_FEATURES, CANDIDATE_FEATURES); a model file names those it was trained on.
"""

import math
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from app.language.matching import grams, query_grams
from app.language.measured import measured_thing
from app.language.numbers import has_date, has_number
from app.language.places import by_short_name
from app.language.query import Query, answer_kind_words
from app.retrieval.retriever import Passage
from ingest.lexical import tokenize
from ingest.textclean import heading_level

from .candidates import Candidate, sentence_spans

_LEAD_END = ("：", ":", "如下。", "如下:", "？", "?")
_LIST_ITEM = re.compile(r"^(?:[（(]?[一二三四五六七八九十\d]{1,3}[)）、.．]|[一二三四五六七八九十]是)")

PASSAGE_FEATURES = (
    "rank_inv", "fused", "lexical_inv", "dense_inv", "cov_passage", "cov_title", "phrase_best",
    "phrase_passage", "names_doc", "names_passage", "has_names", "thing_passage", "has_thing",
    "fit_passage", "asks_type", "lang_en", "log_chars",
)
CANDIDATE_FEATURES = (
    "passage_logit", "rank_inv", "cov_own", "cov_context", "cov_first", "cov_passage", "phrase_own",
    "phrase_passage", "novel", "asks_type", "fit_own", "fit_first", "fit_passage", "thing_own",
    "thing_passage", "has_thing", "names_doc", "names_passage", "size2", "size3", "log_chars",
    "announces", "heading", "is_title", "position", "list_item", "lang_en",
)


def normal(text: str) -> str:
    """Text as compared: NFKC (full-width forms as ASCII), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


@dataclass(frozen=True)
class Asked:
    """What the features need of a question, computed once."""

    query: Query
    groups: list[tuple[str, ...]]  # subject terms: a text holds a group when it holds one of them
    weights: np.ndarray  # IDF of each group (its rarest alternative)
    grams: frozenset[str]
    names: list[str]
    name_parts: list[list[str]]  # words of each name, any of which names it (兴县经开区 → 兴县, 经开区…)
    thing: frozenset[str]  # character pairs of the measured thing (language.measured)

    @classmethod
    def of(cls, query: Query, idf: dict[str, float]) -> "Asked":
        groups = [tuple(normal(t) for t in g) for g in query.terms if not set(g) & answer_kind_words()]
        groups = groups or [tuple(normal(t) for t in g) for g in query.terms]
        weights = np.array([max((idf.get(t, 0.0) for t in g), default=0.0) for g in groups])
        thing = measured_thing(query.text) if query.expects.kind or "谁" in query.text else set()
        parts = [[p for p in tokenize(n) if len(p) > 1 or p.isdigit()] or [normal(n)] for n in query.names]
        return cls(query, groups, weights, frozenset(query_grams(query)),
                   [normal(n) for n in query.names], parts, frozenset(thing))

    def hits(self, text: str) -> np.ndarray:
        """Which subject groups the (normalised) text holds."""
        return np.array([any(t in text for t in g) for g in self.groups], dtype=bool)

    def coverage(self, hits: np.ndarray) -> float:
        """IDF-weighted share of the groups held."""
        total = float(self.weights.sum())
        return float(self.weights[hits].sum()) / total if total else 0.0

    def phrase(self, text: str) -> float:
        """Share of the question's bigrams in the text."""
        return len(self.grams & grams(text)) / len(self.grams) if self.grams else 0.0

    def fits(self, text: str) -> bool:
        """Whether the text has the kind of figure asked for (always, when none is asked)."""
        expects = self.query.expects
        if expects.kind == "number":
            return has_number(text, expects.unit)
        if expects.kind == "date":
            return has_date(text)
        return True

    def holds_thing(self, text: str) -> bool:
        return any(pair in text for pair in self.thing)

    def names_share(self, text: str) -> float:
        """Share of the question's names the text holds (a province also by its short name)."""
        if not self.names:
            return 1.0
        return sum(n in text or by_short_name(n, text) for n in self.names) / len(self.names)


@dataclass
class PassageView:
    """A retrieved passage as the features see it: its sentences examined once."""

    passage: Passage
    rank: int
    context: str  # normalised title and heading
    spans: list[tuple[int, int]]  # sentence spans of passage.text
    sentences: list[str]  # each sentence, normalised
    hits: np.ndarray  # sentences × question groups
    fits: np.ndarray  # per sentence
    things: np.ndarray  # per sentence
    names_doc: float

    @property
    def full(self) -> str:
        return self.context + " " + " ".join(self.sentences)


def view(passage: Passage, rank: int, asked: Asked, names_doc: float) -> PassageView:
    meta = passage.meta
    spans = sentence_spans(passage.text)
    sentences = [normal(passage.text[a:b]) for a, b in spans]
    width = len(asked.groups)
    return PassageView(
        passage, rank, normal(f"{meta.get('title', '')} {meta.get('heading', '')}"), spans, sentences,
        np.array([asked.hits(s) for s in sentences], dtype=bool).reshape(len(sentences), width),
        np.array([asked.fits(s) for s in sentences], dtype=bool),
        np.array([asked.holds_thing(s) for s in sentences], dtype=bool),
        names_doc,
    )


def passage_features(asked: Asked, views: list[PassageView]) -> np.ndarray:
    """One row of PASSAGE_FEATURES per passage (views in retrieval order)."""
    best = max((v.passage.score for v in views), default=0.0)
    asks = bool(asked.query.expects.kind)
    rows = []
    for v in views:
        p = v.passage
        full = v.full
        rows.append([
            1.0 / (1 + v.rank),
            p.score / best if best else 0.0,
            1.0 / p.lexical_rank if p.lexical_rank else 0.0,
            1.0 / p.dense_rank if p.dense_rank else 0.0,
            asked.coverage(asked.hits(full)),
            asked.coverage(asked.hits(v.context)),
            max((asked.phrase(s) for s in v.sentences), default=0.0),
            asked.phrase(full),
            v.names_doc,
            asked.names_share(full),
            float(bool(asked.names)),
            float(v.things.any()),
            float(bool(asked.thing)),
            float(asks and v.fits.any()),
            float(asks),
            float(asked.query.language == "en"),
            math.log1p(len(p.text)),
        ])
    return np.array(rows, dtype=np.float64).reshape(len(views), len(PASSAGE_FEATURES))


def candidate_features(asked: Asked, views: list[PassageView], passage_rows: np.ndarray,
                       passage_logits: np.ndarray, candidates: list[Candidate]) -> np.ndarray:
    """One row of CANDIDATE_FEATURES per candidate."""
    column = {name: i for i, name in enumerate(PASSAGE_FEATURES)}
    asks = bool(asked.query.expects.kind)
    context_hits = [asked.hits(v.context) for v in views]
    rows = []
    for c in candidates:
        v, prow = views[c.passage], passage_rows[c.passage]
        own = v.hits[c.first:c.last + 1].any(axis=0)
        before = v.hits[c.first - 1] if c.first > 0 else np.zeros_like(own)
        text = " ".join(v.sentences[c.first:c.last + 1])
        first = v.sentences[c.first].rstrip()
        own_grams = grams(text)
        rows.append([
            passage_logits[c.passage],
            prow[column["rank_inv"]],
            asked.coverage(own),
            asked.coverage(own | before | context_hits[c.passage]),
            asked.coverage(v.hits[c.first]),
            prow[column["cov_passage"]],
            asked.phrase(text),
            prow[column["phrase_passage"]],
            len(own_grams - asked.grams) / len(own_grams) if own_grams else 0.0,
            float(asks),
            float(asks and v.fits[c.first:c.last + 1].any()),
            float(asks and v.fits[c.first]),
            prow[column["fit_passage"]],
            float(v.things[c.first:c.last + 1].any()),
            prow[column["thing_passage"]],
            prow[column["has_thing"]],
            prow[column["names_doc"]],
            prow[column["names_passage"]],
            float(c.size == 2),
            float(c.size == 3),
            math.log1p(c.end - c.start),
            float(first.endswith(_LEAD_END)),
            float(heading_level(first.rstrip("。")) > 0),
            float(len(first) > 3 and v.context.startswith(first)),
            c.first / len(v.sentences),
            float(bool(_LIST_ITEM.match(first))),
            float(asked.query.language == "en"),
        ])
    return np.array(rows, dtype=np.float64).reshape(len(candidates), len(CANDIDATE_FEATURES))
