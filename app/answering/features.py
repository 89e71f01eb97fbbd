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
from functools import lru_cache
from pathlib import PurePath

import numpy as np

from app.language.lexicon import words
from app.language.matching import grams, query_grams
from app.language.measured import measured_thing
from app.language.numbers import CHINESE_NUMERALS, has_date, has_number, is_unit
from app.language.places import by_short_name, provinces_in
from app.language.query import Query, answer_kind_words, asked_name_endings, asks_figure_of, asks_open
from app.retrieval.retriever import Passage
from ingest.lexical import tokenize
from ingest.textclean import HAN, heading_level

from .candidates import Candidate, sentence_spans

_LEAD_END = ("：", ":", "如下。", "如下:", "？", "?")
_FIGURE = re.compile(r"[\d〇零一二两三四五六七八九十百千万亿]")
_NEAR = 16  # characters after the measured thing within which its figure is looked for
_FIGURE_RUN = re.compile(rf"\d[\d,.]*|[{CHINESE_NUMERALS}万亿]{{2,}}")
_BEFORE, _AFTER = 24, 8  # the window of words around a figure that say what it measures
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_NUMERAL = re.compile(rf"[\d{CHINESE_NUMERALS}]")
_RATE_AFTER = re.compile(r"\s*(?:%|个百分点|倍|成(?![本果立交员]))")
_RANK_AFTER = re.compile(r"\s*[位名]")
_FIGURE_KINDS = ("rate", "rank", "period", "change")
_CHANGE_BEFORE = 6  # characters before a figure in which a word of change makes it a change (增长12%)
_LIST_ITEM = re.compile(r"^(?:[（(]?[一二三四五六七八九十\d]{1,3}[)）、.．]|[一二三四五六七八九十]是)")

SCORES = ("best_logit", "margin")  # the answerability model's inputs that score the best candidate itself
PASSAGE_FEATURES = (
    "rank_inv", "fused", "lexical_inv", "dense_inv", "cov_passage", "cov_title", "phrase_best",
    "phrase_passage", "names_doc", "names_passage", "has_names", "thing_passage", "has_thing",
    "fit_passage", "asks_type", "lang_en", "log_chars", "missing_max_passage", "names_title",
    "place_conflict",
)
CANDIDATE_FEATURES = (
    "passage_logit", "rank_inv", "cov_own", "cov_context", "cov_first", "cov_passage", "phrase_own",
    "phrase_passage", "novel", "asks_type", "fit_own", "fit_first", "fit_passage", "thing_own",
    "thing_passage", "has_thing", "names_doc", "names_passage", "size2", "size3", "log_chars",
    "announces", "heading", "is_title", "position", "list_item", "lang_en", "asks_open",
    "open_size2", "open_size3", "cov_prev", "cov_next", "first_chars", "fits_all", "thing_near_figure",
    "names_own", "missing_max", "missing_share", "local_cov", "names_title", "qualifier_missing",
    "year_conflict", "local_missing", "cov_sentence", "missing_sentence", "asks_rate", "figure_rate",
    "rate_unasked", "rate_unmet", "figure_rank", "rank_unasked", "figure_period", "period_unasked",
    "figure_change", "change_unasked", "change_unmet", "asks_name", "name_unmet", "partial_list",
    "place_conflict", "cov_whole", "figure_plan", "plan_unasked", "plan_unmet",
    # relative to the question's other candidates (filled by `relative`)
    "passage_logit_rel", "cov_own_rel", "cov_context_rel", "phrase_own_rel",
)
_RELATIVE = (("passage_logit_rel", "passage_logit"), ("cov_own_rel", "cov_own"),
             ("cov_context_rel", "cov_context"), ("phrase_own_rel", "phrase_own"))


def _whole(groups: list[tuple[str, ...]]) -> np.ndarray:
    """Per group: not every word of it is part of a longer word of another group."""
    def part(term: str, i: int) -> bool:
        return any(term in u and len(u) > len(term)
                   for j, other in enumerate(groups) if j != i for u in other)

    return np.array([not all(part(t, i) for t in group) for i, group in enumerate(groups)], dtype=bool)


@lru_cache(maxsize=1)
def _group() -> re.Pattern:
    """A count after 等 that closes a partial list (甲、乙等10个项目)."""
    return re.compile(rf"等\s*(?:\d+|[一二两三四五六七八九十百]+)\s*(?:{'|'.join(words('entities', 'group_classifiers'))})")


def _positions(text: str, part: str) -> list[int]:
    out, at = [], text.find(part)
    while at >= 0:
        out.append(at)
        at = text.find(part, at + 1)
    return out


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
    open: bool  # the answer may run over sentences (which ones, how, what measures)
    units: np.ndarray  # which groups only say the unit asked in (亿元, 万吨): no subject
    qualifiers: np.ndarray  # which groups hold a numeral (一期, 第三批, 2025): a precise qualifier
    names: list[str]
    years: frozenset[str]  # the years the question names
    name_parts: list[list[str]]  # words of each name, any of which names it (石门县经开区 → 石门县, 经开区…)
    thing: frozenset[str]  # character pairs of the measured thing (language.measured)
    asks: tuple[bool, ...]  # whether it asks for a rate, a rank, a total over a period, a change
    plan: bool  # whether it asks for a target or plan (增长目标), not a result
    kind_asked: str  # the kind of name it asks for (哪个城市 → 城市), if any
    endings: tuple[str, ...]  # the endings of such names (市)
    provinces: frozenset[str]  # the provinces it names (江西), in Chinese or through its translation
    whole: np.ndarray  # which groups are whole words, not parts of another group's word (农产品, not 产品)

    @classmethod
    def of(cls, query: Query, idf: dict[str, float]) -> "Asked":
        groups = [tuple(normal(t) for t in g) for g in query.terms if not set(g) & answer_kind_words()]
        groups = groups or [tuple(normal(t) for t in g) for g in query.terms]
        weights = np.array([max((idf.get(t, 0.0) for t in g), default=0.0) for g in groups])
        thing = measured_thing(query.text) if query.expects.kind or "谁" in query.text else set()
        parts = [[p for p in tokenize(n) if len(p) > 1 or p.isdigit()] or [normal(n)] for n in query.names]
        units = np.array([all(is_unit(term) for term in g) for g in groups], dtype=bool)
        qualifiers = np.array([any(_NUMERAL.search(term) for term in g) for g in groups], dtype=bool) & ~units
        return cls(query, groups, weights, frozenset(query_grams(query)), asks_open(query.text), units, qualifiers,
                   [normal(n) for n in query.names], frozenset(_YEAR.findall(query.text)), parts, frozenset(thing),
                   tuple(asks_figure_of(query.text, kind) for kind in _FIGURE_KINDS),
                   asks_figure_of(query.text, "plan"), *asked_name_endings(query.text),
                   provinces_in(" ".join([query.text, *(t for g in query.terms for t in g)])), _whole(groups))

    def conflicts(self, title: str) -> bool:
        """Whether a document's title (with its file name) names provinces, none of them one the
        question names (a question about 江西 and the 上海 report)."""
        named = provinces_in(title)
        return bool(self.provinces and named and not named & self.provinces)

    def hits(self, text: str) -> np.ndarray:
        """Which subject groups the (normalised) text holds."""
        return np.array([any(t in text for t in g) for g in self.groups], dtype=bool)

    def coverage(self, hits: np.ndarray, among: np.ndarray | None = None) -> float:
        """IDF-weighted share of the groups held (of those `among`, when given)."""
        weights = self.weights if among is None else self.weights[among]
        total = float(weights.sum())
        held = hits if among is None else hits[among]
        return float(weights[held].sum()) / total if total else 0.0

    def missing(self, hits: np.ndarray) -> float:
        """IDF of the rarest group not held, as a share of the rarest group's: one missing
        specific word (一期, 累计, 注册资本) often means the text answers something else."""
        top = float(self.weights.max()) if len(self.weights) else 0.0
        absent = self.weights[~hits]
        return float(absent.max()) / top if top and len(absent) else 0.0

    def phrase(self, text: str) -> float:
        """Share of the question's bigrams in the text."""
        return self.phrase_of(grams(text))

    def phrase_of(self, text_grams: frozenset[str] | set[str]) -> float:
        return len(self.grams & text_grams) / len(self.grams) if self.grams else 0.0

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

    def around_figures(self, text: str) -> tuple[float, float, bool, bool, bool, bool]:
        """For a question asking a figure or date, the text's figure whose surroundings hold most
        of the question's words (is the figure about what was asked?): that coverage, the rarest
        word missing there (`missing`), and whether the figure is a rate (12%, 3倍), a rank
        (第2位), a total over a period (累计, 五年) or a change (增长12%, 提高1个百分点).
        (0, 0, …) when the question asks for no figure, (0, 1, …) when the text has none."""
        if not self.query.expects.kind:
            return 0.0, 0.0, False, False, False, False
        best, missing, kind = 0.0, 1.0, (False, False, False, False)
        subject = ~self.units
        for match in _FIGURE_RUN.finditer(text):
            window = text[max(0, match.start() - _BEFORE):match.end() + _AFTER]
            hits = self.hits(window) | self.units
            covered = self.coverage(hits & subject, subject)
            if covered > best or (covered == best and self.missing(hits) < missing):
                best, missing = covered, self.missing(hits)
                kind = (bool(_RATE_AFTER.match(text, match.end())),
                        text[match.start() - 1:match.start()] == "第" or bool(_RANK_AFTER.match(text, match.end())),
                        asks_figure_of(window, "period"),
                        asks_figure_of(text[max(0, match.start() - _CHANGE_BEFORE):match.start()], "change"))
        return best, missing, *kind

    def gives_name(self, text: str) -> bool:
        """For a question asking which place, company or body: whether the text names one the
        question does not (a word of two or more characters with such an ending)."""
        asked = normal(self.query.text)
        return any(m.group(0)[-3:] not in asked and not m.group(0).endswith(self.kind_asked)
                   for ending in self.endings for m in re.finditer(rf"[{HAN}]{{2,6}}{ending}", text))

    def other_years(self, years: frozenset[str]) -> bool:
        """Whether a text names years, but not the year the question asks about."""
        return bool(self.years and years and not self.years & years)

    def thing_before_figure(self, text: str) -> bool:
        """Whether the measured thing is named shortly before a figure (产能达50万吨)."""
        return any(_FIGURE.search(text, i + 2, i + 2 + _NEAR) for pair in self.thing
                   for i in _positions(text, pair))

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
    grams: list[frozenset[str]]  # character bigrams of each sentence
    hits: np.ndarray  # sentences × question groups
    fits: np.ndarray  # per sentence
    things: np.ndarray  # per sentence
    near: np.ndarray  # per sentence: the measured thing right before a figure
    local: np.ndarray  # per sentence: coverage of the question around its best figure
    local_missing: np.ndarray  # per sentence: the rarest word missing around that figure
    local_kind: np.ndarray  # per sentence: that figure is a rate, a rank, a total over a period, a change
    named: np.ndarray  # per sentence: names a place, company or body of the kind asked
    group: np.ndarray  # per sentence: closes a partial list (等10个)
    plans: np.ndarray  # per sentence: states a target or plan (力争, 预期目标)
    years: list[frozenset[str]]  # per sentence: the years it names
    names: np.ndarray  # per sentence: share of the question's names it holds
    names_doc: float
    titles: frozenset[int]  # sentences that repeat the document's title
    conflict: bool  # the document's title or file name names other provinces than the question's

    @property
    def full(self) -> str:
        return self.context + " " + " ".join(self.sentences)


def view(passage: Passage, rank: int, asked: Asked, names_doc: float) -> PassageView:
    meta = passage.meta
    title = normal(meta.get("title", "")).strip()
    spans = sentence_spans(passage.text)
    sentences = [normal(passage.text[a:b]) for a, b in spans]
    width = len(asked.groups)
    around = np.array([asked.around_figures(s) for s in sentences], dtype=np.float64).reshape(len(sentences), 2 + len(_FIGURE_KINDS))
    return PassageView(
        passage, rank, normal(f"{meta.get('title', '')} {meta.get('heading', '')}"), spans, sentences,
        [frozenset(grams(s)) for s in sentences],
        np.array([asked.hits(s) for s in sentences], dtype=bool).reshape(len(sentences), width),
        np.array([asked.fits(s) for s in sentences], dtype=bool),
        np.array([asked.holds_thing(s) for s in sentences], dtype=bool),
        np.array([asked.thing_before_figure(s) for s in sentences], dtype=bool),
        around[:, 0],
        around[:, 1],
        around[:, 2:].astype(bool),
        np.array([bool(asked.endings) and asked.gives_name(s) for s in sentences], dtype=bool),
        np.array([bool(_group().search(s)) for s in sentences], dtype=bool),
        np.array([asks_figure_of(s, "plan") for s in sentences], dtype=bool),
        [frozenset(_YEAR.findall(s)) for s in sentences],
        np.array([asked.names_share(s) for s in sentences]),
        names_doc,
        frozenset(i for i, s in enumerate(sentences) if title and s.strip() == title),
        asked.conflicts(f"{title} {PurePath(meta.get('source', '')).stem}"),
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
            max((asked.phrase_of(g) for g in v.grams), default=0.0),
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
            asked.missing(asked.hits(full)),
            asked.names_share(v.context),
            float(v.conflict),
        ])
    return np.array(rows, dtype=np.float64).reshape(len(views), len(PASSAGE_FEATURES))


def candidate_features(asked: Asked, views: list[PassageView], passage_rows: np.ndarray,
                       passage_logits: np.ndarray, candidates: list[Candidate]) -> np.ndarray:
    """One row of CANDIDATE_FEATURES per candidate (the relative ones left at 0: `relative`)."""
    column = {name: i for i, name in enumerate(PASSAGE_FEATURES)}
    asks = bool(asked.query.expects.kind)
    context_hits = [asked.hits(v.context) for v in views]
    rows = []
    for c in candidates:
        v, prow = views[c.passage], passage_rows[c.passage]
        own = v.hits[c.first:c.last + 1].any(axis=0)
        before = v.hits[c.first - 1] if c.first > 0 else np.zeros_like(own)
        held = own | before | context_hits[c.passage]
        after = v.hits[c.last + 1] if c.last + 1 < len(v.sentences) else np.zeros_like(own)
        first = v.sentences[c.first].rstrip()
        own_grams = frozenset().union(*v.grams[c.first:c.last + 1])
        fits = v.fits[c.first:c.last + 1]
        local = c.first + int(np.argmax(v.local[c.first:c.last + 1]))
        sentence = max(range(c.first, c.last + 1), key=lambda s: asked.coverage(v.hits[s] | context_hits[c.passage]))
        sentence_hits = v.hits[sentence] | context_hits[c.passage]
        rows.append([
            passage_logits[c.passage],
            prow[column["rank_inv"]],
            asked.coverage(own),
            asked.coverage(held),
            asked.coverage(v.hits[c.first]),
            prow[column["cov_passage"]],
            asked.phrase_of(own_grams),
            prow[column["phrase_passage"]],
            len(own_grams - asked.grams) / len(own_grams) if own_grams else 0.0,
            float(asks),
            float(asks and fits.any()),
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
            float(asked.open),
            float(asked.open and c.size == 2),
            float(asked.open and c.size == 3),
            asked.coverage(before),
            asked.coverage(after),
            math.log1p(len(first)),
            float(asks and fits.all()),
            float(v.near[c.first:c.last + 1].any()),
            float(v.names[c.first:c.last + 1].max()),
            asked.missing(held),
            1.0 - float(held.mean()) if len(held) else 0.0,
            float(v.local[c.first:c.last + 1].max()),
            prow[column["names_title"]],
            float((asked.qualifiers & ~held).any()),
            float(asked.other_years(frozenset().union(*v.years[c.first:c.last + 1]))),
            float(v.local_missing[local]),
            asked.coverage(sentence_hits),
            asked.missing(sentence_hits),
            *_figure_kinds(asked, v.local_kind[local]),
            float(bool(asked.endings)),
            float(bool(asked.endings) and not v.named[c.first:c.last + 1].any()),
            float(v.group[c.first:c.last + 1].any()),
            float(v.conflict),
            asked.coverage(own | context_hits[c.passage], asked.whole),
            *_plan(asked, bool(v.plans[c.first:c.last + 1].any())),
            0.0, 0.0, 0.0, 0.0,
        ])
    return np.array(rows, dtype=np.float64).reshape(len(candidates), len(CANDIDATE_FEATURES))


def _figure_kinds(asked: Asked, kind: np.ndarray) -> list[float]:
    """asks_rate … change_unmet: the kind of the candidate's best figure against the kind asked."""
    rate, rank, period, change = (bool(k) for k in kind)
    asks_rate, asks_rank, asks_period, asks_change = asked.asks
    figure = bool(asked.query.expects.kind)
    return [float(figure and asks_rate), float(rate), float(rate and not asks_rate),
            float(figure and asks_rate and not rate), float(rank), float(rank and not asks_rank),
            float(period), float(period and not asks_period),
            float(change), float(change and not asks_change), float(figure and asks_change and not change)]


def _plan(asked: Asked, plan: bool) -> list[float]:
    """figure_plan, plan_unasked, plan_unmet: a target stated for a result asked, or the reverse."""
    figure = bool(asked.query.expects.kind)
    return [float(figure and plan), float(figure and plan and not asked.plan),
            float(figure and asked.plan and not plan)]


def relative(rows: np.ndarray) -> np.ndarray:
    """Fill the relative features of one question's candidates: each value less the best of
    them, so that a candidate is also judged against its rivals."""
    if not len(rows):
        return rows
    rows = rows.copy()
    index = {name: i for i, name in enumerate(CANDIDATE_FEATURES)}
    for target, source in _RELATIVE:
        rows[:, index[target]] = rows[:, index[source]] - rows[:, index[source]].max()
    return rows
