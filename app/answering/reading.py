"""Reading the retrieved passages with the learned scorers: re-order the passages, score every
candidate run of sentences, and say how likely the best one answers the question."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.retrieval.retriever import Passage

from .candidates import Candidate, runs
from .features import SCORES, Asked, PassageView, candidate_features, passage_features, relative, view
from .scorer import Models

DocumentHolds = Callable[[Passage, str], bool]  # does the passage's document hold a word?


@dataclass
class Ranked:
    """Retrieved passages re-ordered by the passage model, best first."""

    passages: list[Passage]
    views: list[PassageView]
    rows: np.ndarray  # PASSAGE_FEATURES, as computed in retrieval order
    logits: np.ndarray  # of `passages`

    @property
    def probabilities(self) -> list[float]:
        """Probability that each passage holds the evidence."""
        return [float(p) for p in 1 / (1 + np.exp(-self.logits))]

    @property
    def evidence(self) -> float:
        """Probability that the best passage holds the evidence (retrieval-level)."""
        return max(self.probabilities, default=0.0)


@dataclass
class Reading:
    """The candidates of the top passages, scored; `best` indexes `candidates` (None: none)."""

    ranked: Ranked
    k: int  # the ranked passages read (top_k)
    candidates: list[Candidate]
    rows: np.ndarray
    logits: np.ndarray
    probability: float  # that the best candidate answers (calibrated)

    @property
    def best(self) -> int | None:
        return int(np.argmax(self.logits)) if len(self.logits) else None


def names_share(asked: Asked, passage: Passage, holds: DocumentHolds) -> float:
    """Share of the question's names (places, organisations, years) its document holds."""
    if not asked.names:
        return 1.0
    return sum(any(holds(passage, part) for part in parts) for parts in asked.name_parts) / len(asked.names)


def rank(models: Models, asked: Asked, passages: list[Passage], holds: DocumentHolds,
         reorder: bool = True) -> Ranked:
    """The passages re-ordered by the passage model (kept in their order when `reorder` is
    off: a cross-encoder has ordered them)."""
    views = [view(p, i, asked, names_share(asked, p, holds)) for i, p in enumerate(passages)]
    rows = passage_features(asked, views)
    logits = models.passage.logits(rows)
    order = sorted(range(len(passages)), key=lambda i: (-logits[i], i) if reorder else i)
    return Ranked([passages[i] for i in order], [views[i] for i in order], rows, logits[order])


def read(models: Models, asked: Asked, ranked: Ranked, k: int) -> Reading:
    """Score the candidates of the first `k` ranked passages."""
    views = ranked.views[:k]
    candidates = [c for i, v in enumerate(views) for c in runs(i, v.spans, v.titles)]
    rows = relative(candidate_features(asked, views, _reordered_rows(ranked, k), ranked.logits[:k],
                                       candidates))
    logits = models.candidate.logits(rows)
    probability = 0.0
    if len(logits):
        best = int(np.argmax(logits))
        probability = float(models.answerable.probabilities(_answerable_row(models, logits, rows[best])))
    return Reading(ranked, k, candidates, rows, logits, probability)


def margin(logits: np.ndarray) -> float:
    """How far the best candidate's logit is above the next best's; 10 when it has no rival."""
    top = np.sort(logits)[-2:]
    return float(top[-1] - top[0]) if len(top) > 1 else 10.0


def _reordered_rows(ranked: Ranked, k: int) -> np.ndarray:
    """Passage feature rows in ranked order (rows are kept in retrieval order)."""
    return np.array([ranked.rows[v.rank] for v in ranked.views[:k]]).reshape(-1, ranked.rows.shape[1])


def _answerable_row(models: Models, logits: np.ndarray, row: np.ndarray) -> np.ndarray:
    """The answerability model's inputs: the best candidate's logit and its margin over the next
    best candidate, then features of the best candidate."""
    names = models.answerable.features
    values = dict(zip(SCORES, (float(np.max(logits)), margin(logits))))
    columns = {name: i for i, name in enumerate(models.candidate.features)}
    return np.array([values[n] if n in values else row[columns[n]] for n in names])
