"""The learned scorers, read from the model file shipped in the package (`model.json`).

- passage model: how likely a retrieved passage holds the evidence (re-orders the retrieved
  passages; its best probability is the retrieval-level evidence that decides whether an LLM is
  asked);
- candidate model: how likely a run of sentences holds the answer (picks the extractive answer);
- answerability: the best candidate's score, calibrated (Platt) into the probability that the
  answer given is right; one threshold (a setting) decides whether to answer.

The file is written by `benchmarks/train_scorer.py`, which rebuilds it from scratch.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .features import CANDIDATE_FEATURES, PASSAGE_FEATURES, SCORES

MODEL_FILE = Path(__file__).with_name("model.json")


@dataclass(frozen=True)
class LinearModel:
    """Logistic regression over standardised features."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def logits(self, rows: np.ndarray) -> np.ndarray:
        if not len(rows):
            return np.zeros(0)
        return ((rows - self.mean) / self.scale) @ self.coef + self.intercept

    @classmethod
    def from_json(cls, data: dict) -> "LinearModel":
        return cls(tuple(data["features"]), np.array(data["mean"]), np.array(data["scale"]),
                   np.array(data["coef"]), float(data["intercept"]))

    def to_json(self) -> dict:
        return {"features": list(self.features), "mean": _floats(self.mean),
                "scale": _floats(self.scale), "coef": _floats(self.coef),
                "intercept": round(float(self.intercept), 6)}


@dataclass(frozen=True)
class Platt:
    """p = sigmoid(a · x + b), x the feature row of the question's best candidate."""

    features: tuple[str, ...]
    coef: np.ndarray
    intercept: float

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(rows @ self.coef + self.intercept)))

    @classmethod
    def from_json(cls, data: dict) -> "Platt":
        return cls(tuple(data["features"]), np.array(data["coef"]), float(data["intercept"]))

    def to_json(self) -> dict:
        return {"features": list(self.features), "coef": _floats(self.coef),
                "intercept": round(float(self.intercept), 6)}


@dataclass(frozen=True)
class Models:
    passage: LinearModel
    candidate: LinearModel
    answerable: Platt
    trained: dict  # what the file says of its training (data, threshold chosen, validation)

    def to_json(self) -> dict:
        return {"passage": self.passage.to_json(), "candidate": self.candidate.to_json(),
                "answerable": self.answerable.to_json(), "trained": self.trained}


def _floats(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]


@lru_cache(maxsize=4)
def load_models(path: Path = MODEL_FILE) -> Models:
    """The models in a model file (read once per process). The weights are applied by position,
    so a file trained on other features than this engine computes is refused, naming them."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    models = Models(LinearModel.from_json(data["passage"]), LinearModel.from_json(data["candidate"]),
                    Platt.from_json(data["answerable"]), data.get("trained", {}))
    for name, model, computed in (("passage", models.passage, PASSAGE_FEATURES),
                                  ("candidate", models.candidate, CANDIDATE_FEATURES)):
        if model.features != computed:
            _refuse(path, name, [f"+{f}" for f in model.features if f not in computed]
                    + [f"-{f}" for f in computed if f not in model.features] or ["in another order"])
    unknown = [f"+{f}" for f in models.answerable.features if f not in (*SCORES, *CANDIDATE_FEATURES)]
    if unknown:
        _refuse(path, "answerability", unknown)
    return models


def _refuse(path: Path, model: str, differences: list[str]) -> None:
    raise ValueError(f"{path}: its {model} model was trained on other features than this engine computes "
                     f"({', '.join(differences)}); rebuild it with benchmarks/train_scorer.py")
