"""Rebuild the answering engine's learned scorers (app/answering/model.json) from scratch.

1. Questions: the training part of the development questions (benchmarks/questions.py splits
   them by document) and the CMRC 2018 trial set, asked of real indexes (`--county-store`: the
   county corpus of make_corpus.py; `--cmrc-store`: the CMRC trial passages).
2. Rows and labels: benchmarks/scorer_data.py (each answerable question also with its source
   document left out, as an unanswerable case unless another document holds the key).
3. Every choice is made by cross-validation inside the training part, grouped by document:
   the regularisation of each model, the answerability inputs and the threshold.
4. The final models are fitted on the whole training part and written with what was chosen.

Deterministic: the same indexes and questions give the same file.
Usage: python benchmarks/train_scorer.py --county-store DIR --cmrc-store DIR [--cache DIR]
       [--out app/answering/model.json] [--report benchmarks/results/scorer.md]
"""

import argparse
import json
import pickle
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

import questions as Q
from scorer_data import collect

from app.answering.features import CANDIDATE_FEATURES, PASSAGE_FEATURES
from app.answering.scorer import MODEL_FILE, LinearModel, Models, Platt
from app.answering.assistant import Assistant
from app.settings import Settings

FOLDS = 5
KEEP = 5  # passages read after re-ordering (top_k)
C_GRID = (0.01, 0.1, 1.0)
ANSWERABLE_INPUTS = ("best_logit", "margin")
MAX_ANSWERABLE_REFUSED = 0.04  # the threshold keeps wrong refusals of answerable questions below this


def gather(store: Path, questions: list[dict], cache: Path | None, name: str) -> dict:
    """Rows of a question set asked of an index, cached on disk between runs."""
    path = cache / f"{name}.pkl" if cache else None
    if path and path.exists():
        return pickle.loads(path.read_bytes())
    assistant = Assistant.open(Settings(store=store, embed_model="bundled"), print)
    passages, candidates, variants = collect(assistant, questions)
    data = {"passages": passages, "candidates": candidates, "variants": variants}
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(data))
    return data


def merge(parts: list[dict]) -> dict:
    """One data set from several, variant numbers made unique."""
    out = {"passages": {}, "candidates": {}, "variants": []}
    offset = 0
    for part in parts:
        for kind in ("passages", "candidates"):
            for key, values in part[kind].items():
                values = values + offset if key == "variant" else values
                out[kind].setdefault(key, []).append(values)
        out["variants"].extend(part["variants"])
        offset += len(part["variants"])
    for kind in ("passages", "candidates"):
        out[kind] = {k: np.concatenate(v) for k, v in out[kind].items()}
    return out


def fit(x: np.ndarray, y: np.ndarray, c: float, features: tuple[str, ...]) -> LinearModel:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000).fit((x - mean) / scale, y)
    return LinearModel(features, mean, scale, model.coef_[0], float(model.intercept_[0]))


def folds(data: dict) -> np.ndarray:
    """Fold of each variant, grouped by source document."""
    groups = [v["source"] for v in data["variants"]]
    fold = np.zeros(len(groups), dtype=np.int32)
    splitter = GroupKFold(n_splits=FOLDS)
    for k, (_, test) in enumerate(splitter.split(np.zeros(len(groups)), groups=groups)):
        fold[test] = k
    return fold


def passage_logits(data: dict, fold: np.ndarray, c: float) -> np.ndarray:
    """Out-of-fold passage logits."""
    p = data["passages"]
    out = np.zeros(len(p["y"]))
    for k in range(FOLDS):
        train, test = fold[p["variant"]] != k, fold[p["variant"]] == k
        out[test] = fit(p["x"][train], p["y"][train], c, PASSAGE_FEATURES).logits(p["x"][test])
    return out


def kept_candidates(data: dict, plogits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which candidate rows come from the KEEP best passages of their variant (by the passage
    logits), and the candidate rows with their passage's logit filled in."""
    p, c = data["passages"], data["candidates"]
    starts = np.searchsorted(p["variant"], np.arange(len(data["variants"])))
    column = CANDIDATE_FEATURES.index("passage_logit")
    x = c["x"].copy()
    keep = np.zeros(len(c["y"]), dtype=bool)
    cstarts = np.searchsorted(c["variant"], np.arange(len(data["variants"]) + 1))
    pstarts = np.append(starts, len(p["y"]))
    for v in range(len(data["variants"])):
        logits = plogits[pstarts[v]:pstarts[v + 1]]
        best = set(np.argsort(-logits, kind="stable")[:KEEP].tolist())
        rows = slice(cstarts[v], cstarts[v + 1])
        passages = c["passage"][rows]
        keep[rows] = np.isin(passages, list(best))
        x[rows, column] = logits[passages] if len(logits) else 0.0
    return keep, x


def hit_at(data: dict, plogits: np.ndarray, k: int = KEEP) -> float:
    """Share of variants with a positive passage that have one among the k best by logit."""
    p = data["passages"]
    starts = np.append(np.searchsorted(p["variant"], np.arange(len(data["variants"]))), len(p["y"]))
    hits = total = 0
    for v in range(len(data["variants"])):
        y, logits = p["y"][starts[v]:starts[v + 1]], plogits[starts[v]:starts[v + 1]]
        if y.any():
            total += 1
            hits += bool(y[np.argsort(-logits, kind="stable")[:k]].any())
    return hits / total if total else 0.0


def best_per_variant(data: dict, keep: np.ndarray, clogits: np.ndarray) -> list[dict]:
    """For each variant: the best kept candidate's row index, logit, margin and label."""
    c = data["candidates"]
    starts = np.append(np.searchsorted(c["variant"], np.arange(len(data["variants"]))), len(c["y"]))
    out = []
    for v in range(len(data["variants"])):
        rows = np.arange(starts[v], starts[v + 1])
        rows = rows[keep[rows]]
        if not len(rows):
            out.append({"row": None, "logit": -20.0, "margin": 0.0, "right": False})
            continue
        order = rows[np.argsort(-clogits[rows], kind="stable")]
        second = clogits[order[1]] if len(order) > 1 else -20.0
        out.append({"row": int(order[0]), "logit": float(clogits[order[0]]),
                    "margin": float(clogits[order[0]] - second), "right": bool(c["y"][order[0]])})
    return out


def candidate_logits(data: dict, fold: np.ndarray, keep: np.ndarray, x: np.ndarray, c: float) -> np.ndarray:
    cand = data["candidates"]
    out = np.full(len(cand["y"]), -20.0)
    for k in range(FOLDS):
        train = keep & (fold[cand["variant"]] != k)
        test = keep & (fold[cand["variant"]] == k)
        out[test] = fit(x[train], cand["y"][train], c, CANDIDATE_FEATURES).logits(x[test])
    return out


def answerable_inputs(best: list[dict]) -> np.ndarray:
    return np.array([[b["logit"], b["margin"]] for b in best])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--county-store", type=Path, required=True)
    parser.add_argument("--cmrc-store", type=Path, required=True)
    parser.add_argument("--cmrc-questions", type=Path, required=True)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    args = parser.parse_args()

    county = Q.split(Q.county_questions())["train"]
    cmrc = Q.load(args.cmrc_questions)
    data = merge([gather(args.county_store, county, args.cache, "county_train"),
                  gather(args.cmrc_store, cmrc, args.cache, "cmrc_trial")])
    fold = folds(data)
    report = {"variants": len(data["variants"]), "county_questions": len(county), "cmrc_questions": len(cmrc)}
    print(json.dumps(report))

    scores = {}
    for c in C_GRID:
        scores[c] = hit_at(data, passage_logits(data, fold, c))
        print(f"passage C={c}: hit@{KEEP} {scores[c]:.4f}")
    passage_c = max(C_GRID, key=lambda c: (scores[c], -c))
    plogits = passage_logits(data, fold, passage_c)
    keep, x = kept_candidates(data, plogits)
    answerable = np.array([v["answerable"] and not v["left_out"] for v in data["variants"]])
    results = {}
    for c in C_GRID:
        best = best_per_variant(data, keep, candidate_logits(data, fold, keep, x, c))
        results[c] = np.mean([b["right"] for b, a in zip(best, answerable) if a])
        print(f"candidate C={c}: best holds key {results[c]:.4f}")
    candidate_c = max(C_GRID, key=lambda c: (results[c], -c))
    clogits = candidate_logits(data, fold, keep, x, candidate_c)
    best = best_per_variant(data, keep, clogits)
    inputs, right = answerable_inputs(best), np.array([b["right"] for b in best])
    probability = np.zeros(len(best))
    for k in range(FOLDS):
        train, test = fold != k, fold == k
        model = LogisticRegression(C=1.0, max_iter=1000).fit(inputs[train], right[train])
        probability[test] = model.predict_proba(inputs[test])[:, 1]
    truly_unanswerable = np.array([not b["right"] and not v["holds"] for b, v in zip(best, data["variants"])])
    threshold = 0.5
    for t in np.arange(0.05, 0.95, 0.01):
        if np.mean(probability[answerable] < t) > MAX_ANSWERABLE_REFUSED:
            break
        threshold = float(round(t, 2))
    print(f"threshold {threshold}: answerable refused {np.mean(probability[answerable] < threshold):.4f}, "
          f"unanswerable refused {np.mean(probability[truly_unanswerable] < threshold):.4f}, "
          f"answered right {np.mean(right[answerable] & (probability[answerable] >= threshold)):.4f}")

    passage_model = fit(data["passages"]["x"], data["passages"]["y"], passage_c, PASSAGE_FEATURES)
    final_plogits = passage_model.logits(data["passages"]["x"])
    keep, x = kept_candidates(data, final_plogits)
    candidate_model = fit(x[keep], data["candidates"]["y"][keep], candidate_c, CANDIDATE_FEATURES)
    best = best_per_variant(data, keep, np.where(keep, candidate_model.logits(x), -20.0))
    platt = LogisticRegression(C=1.0, max_iter=1000).fit(answerable_inputs(best), [b["right"] for b in best])
    llm_min = 0.5
    trained = {"answer_threshold": threshold, "llm_min_evidence": llm_min, "also": 0.0,
               "passage_c": passage_c, "candidate_c": candidate_c, **report}
    models = Models(passage_model, candidate_model,
                    Platt(ANSWERABLE_INPUTS, platt.coef_[0], float(platt.intercept_[0])), trained)
    args.out.write_text(json.dumps(models.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
