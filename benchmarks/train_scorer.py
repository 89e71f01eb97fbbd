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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from app.answering.assistant import Assistant
from app.answering.extractive import pick
from app.answering.features import CANDIDATE_FEATURES, PASSAGE_FEATURES, SCORES, relative
from app.answering.reading import margin
from app.answering.scorer import MODEL_FILE, LinearModel, Models, Platt
from app.settings import Settings

import questions as Q
from scorer_data import collect

FOLDS = 5
KEEP = 5  # passages read after re-ordering (top_k)
C_GRID = (0.01, 0.1, 1.0)
L2_GRID = (1.0, 10.0, 100.0)
ALSO_GRID = (0.0, 0.5, 1.0, 2.0, 3.0)
MAX_MEAN_CITED = 1.6  # composition: passages cited per answer, on average, at most
ANSWERABLE_INPUTS = (*SCORES, "passage_logit", "passage_logit_rel", "names_doc",
                     "names_passage", "names_own", "thing_own", "thing_passage", "thing_near_figure",
                     "has_thing", "fit_own", "fits_all", "asks_type", "cov_own", "cov_context",
                     "phrase_own", "lang_en", "missing_max", "missing_share", "local_cov", "names_title",
                     "qualifier_missing", "year_conflict", "local_missing", "cov_sentence", "missing_sentence",
                     "asks_rate", "figure_rate", "rate_unasked", "rate_unmet", "figure_rank", "rank_unasked",
                     "figure_period", "period_unasked", "figure_change", "change_unasked", "change_unmet",
                     "asks_name", "name_unmet", "partial_list", "place_conflict", "cov_whole",
                     "figure_plan", "plan_unasked", "plan_unmet")
MAX_ANSWERABLE_REFUSED = 0.04  # the threshold refuses at most this share of answerable questions
MAX_LLM_REFUSED = 0.02  # the LLM is not asked for at most this share of answerable questions


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


@dataclass(frozen=True)
class Kinds:
    """What each question variant is (masks over the variants)."""

    answerable: np.ndarray  # an answerable question as written (not left out, not masked)
    county: np.ndarray  # of the county corpus, not CMRC
    written: np.ndarray  # an unanswerable question, written to tempt
    masked: np.ndarray  # asked with its evidence masked
    left_out: np.ndarray  # asked with its source document left out
    left_unheld: np.ndarray  # left out, and no other document holds its key

    @classmethod
    def of(cls, variants: list[dict]) -> "Kinds":
        def mask(test: Callable[[dict], bool]) -> np.ndarray:
            return np.array([test(v) for v in variants], dtype=bool)

        return cls(mask(lambda v: v["answerable"] and not v["left_out"] and not v["masked"]),
                   mask(lambda v: not v["source"].startswith("cmrc_")), mask(lambda v: not v["answerable"]),
                   mask(lambda v: v["masked"]), mask(lambda v: v["left_out"]),
                   mask(lambda v: v["left_out"] and not v["holds"]))


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


def out_of_fold(fold: np.ndarray, fit_predict: Callable[[np.ndarray, np.ndarray], None],
                held_out: bool = False) -> None:
    """Call fit_predict(train, test) (masks over variants) for each fold, fitted on the others.
    With `held_out`, the variants of fold FOLDS (benchmarks/shift.py) are predicted too, but
    never trained on."""
    for k in range(FOLDS + held_out):
        fit_predict((fold != k) & (fold != FOLDS), fold == k)


def passage_logits(data: dict, fold: np.ndarray, c: float, held_out: bool = False) -> np.ndarray:
    """Out-of-fold passage logits."""
    p = data["passages"]
    out = np.zeros(len(p["y"]))

    def fit_predict(train: np.ndarray, test: np.ndarray) -> None:
        rows, tests = train[p["variant"]], test[p["variant"]]
        out[tests] = fit(p["x"][rows], p["y"][rows], c, PASSAGE_FEATURES).logits(p["x"][tests])

    out_of_fold(fold, fit_predict, held_out)
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
        kept = np.arange(rows.start, rows.stop)[keep[rows]]
        x[kept] = relative(x[kept])
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


def fit_listwise(x: np.ndarray, y: np.ndarray, variant: np.ndarray, l2: float,
                 features: tuple[str, ...]) -> LinearModel:
    """Conditional logit: within each question variant, a softmax over its candidates, fitted to
    the likelihood of the positive ones (variants without a positive are skipped)."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    xs = (x - mean) / scale
    starts = np.flatnonzero(np.r_[True, np.diff(variant) != 0])
    has = np.add.reduceat(y.astype(float), starts) > 0
    rows = np.repeat(has, np.diff(np.r_[starts, len(variant)]))
    xs, yy, variant = xs[rows], y[rows].astype(float), variant[rows]
    starts = np.flatnonzero(np.r_[True, np.diff(variant) != 0])
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(variant)]))
    n = len(starts)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = xs @ w
        e = np.exp(s - np.maximum.reduceat(s, starts)[group])
        z, zp = np.add.reduceat(e, starts), np.add.reduceat(e * yy, starts)
        p, q = e / z[group], e * yy / zp[group]
        return (-np.sum(np.log(zp / z)) + 0.5 * l2 * w @ w) / n, (xs.T @ (p - q) + l2 * w) / n

    w = minimize(loss, np.zeros(xs.shape[1]), jac=True, method="L-BFGS-B",
                 options={"maxiter": 1000}).x
    return LinearModel(features, mean, scale, w, 0.0)


def candidate_logits(data: dict, fold: np.ndarray, keep: np.ndarray, x: np.ndarray, l2: float,
                     held_out: bool = False) -> np.ndarray:
    """Out-of-fold candidate logits (kept candidates only)."""
    cand = data["candidates"]
    out = np.full(len(cand["y"]), -50.0)

    def fit_predict(train: np.ndarray, test: np.ndarray) -> None:
        rows, tests = np.flatnonzero(keep & train[cand["variant"]]), keep & test[cand["variant"]]
        model = fit_listwise(x[rows], cand["full"][rows], cand["variant"][rows], l2, CANDIDATE_FEATURES)
        out[tests] = model.logits(x[tests])

    out_of_fold(fold, fit_predict, held_out)
    return out


def composed(data: dict, keep: np.ndarray, logits: np.ndarray, also: float, most: int) -> list[dict]:
    """Per variant, what the answer would be: the best kept candidate, and the best of each other
    passage within `also` of it (at most `most` passages; never text already quoted: the
    answerer's own rule, `extractive.pick`): whether it holds every key, how many passages it
    cites, and the best candidate's row, logit and margin."""
    c = data["candidates"]
    starts = np.append(np.searchsorted(c["variant"], np.arange(len(data["variants"]))), len(c["y"]))
    out = []
    for v in range(len(data["variants"])):
        rows = np.arange(starts[v], starts[v + 1])
        rows = rows[keep[rows]]
        if not len(rows):
            out.append({"row": None, "logit": -50.0, "margin": 0.0, "right": False, "cited": 0})
            continue
        order = rows[np.argsort(-logits[rows], kind="stable")]
        best = order[0]
        chosen = pick(order, lambda r: logits[r], lambda r: c["passage"][r], lambda r: c["place"][r], also, most)
        out.append({"row": int(best), "logit": float(logits[best]), "margin": margin(logits[rows]),
                    "right": any(bool(c["full"][r]) for r in chosen), "cited": len(chosen)})
    return out


def answerable_inputs(answers: list[dict], x: np.ndarray) -> np.ndarray:
    """The answerability model's inputs for each variant's answer."""
    columns = [CANDIDATE_FEATURES.index(n) for n in ANSWERABLE_INPUTS[len(SCORES):]]
    return np.array([[a["logit"], a["margin"], *(x[a["row"], columns] if a["row"] is not None
                                                 else np.zeros(len(columns)))] for a in answers])


def fit_platt(inputs: np.ndarray, right: np.ndarray, weights: np.ndarray | None = None, c: float = 1.0,
              features: tuple[str, ...] = ANSWERABLE_INPUTS) -> Platt:
    """Logistic calibration over standardised inputs, folded back into one weight per input."""
    mean, scale = inputs.mean(axis=0), inputs.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=3000).fit((inputs - mean) / scale, right, sample_weight=weights)
    coef = model.coef_[0] / scale
    return Platt(features, coef, float(model.intercept_[0] - coef @ mean))


def answerable_probabilities(inputs: np.ndarray, right: np.ndarray, rows: np.ndarray, weights: np.ndarray,
                             fold: np.ndarray, c: float = 1.0, features: tuple[str, ...] = ANSWERABLE_INPUTS,
                             held_out: bool = False) -> np.ndarray:
    """Out-of-fold probability that each variant's answer is right, each fold's model fitted on
    the `rows` of the other folds."""
    probability = np.zeros(len(right))

    def fit_predict(train: np.ndarray, test: np.ndarray) -> None:
        fitted = train & rows
        model = fit_platt(inputs[fitted], right[fitted], weights[fitted], c, features)
        probability[test] = model.probabilities(inputs[test])

    out_of_fold(fold, fit_predict, held_out)
    return probability


def answerability_options(county: np.ndarray, written: np.ndarray, left: np.ndarray, masked: np.ndarray,
                          left_out: np.ndarray):
    """What the answerability model may be fitted on: every variant alike; the county corpus
    only; each with or without the masked variants; the county corpus with the written
    unanswerable questions weighing as much, in all, as the left-out ones (they are few, and
    they are what users will ask); the county corpus without the left-out variants; the county
    questions only as they were written."""
    everything = np.ones(len(county), dtype=bool)
    equal = np.ones(len(county))
    for name, rows in (("all variants", everything), ("county corpus", county)):
        yield name, rows, equal
        yield f"{name}, no masked", rows & ~masked, equal
    weighted = equal.copy()
    weighted[written] = (left & county).sum() / max(1, (written & county).sum())
    yield "county corpus, written unanswerable weighted", county, weighted
    yield "county corpus, no left-out", county & ~left_out, equal
    yield "county corpus, asked as written only", county & ~left_out & ~masked, equal


def highest_threshold(probability: np.ndarray, answerable: np.ndarray, most_refused: float) -> float:
    """The highest threshold (in steps of 0.01) refusing at most `most_refused` of the answerable."""
    best = 0.01
    for t in np.arange(0.01, 0.96, 0.01):
        if np.mean(probability[answerable] < t) > most_refused:
            break
        best = float(round(t, 2))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--county-store", type=Path, required=True)
    parser.add_argument("--cmrc-store", type=Path, required=True)
    parser.add_argument("--cmrc-questions", type=Path, required=True)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()

    county = Q.split(Q.county_questions())["train"]
    cmrc = Q.load(args.cmrc_questions)
    data = merge([gather(args.county_store, county, args.cache, "county_train"),
                  gather(args.cmrc_store, cmrc, args.cache, "cmrc_trial")])
    variants = data["variants"]
    fold = folds(data)
    kinds = Kinds.of(variants)
    answerable = kinds.answerable
    lines = [f"Training part: {len(county)} county-corpus questions, {len(cmrc)} CMRC trial questions; "
             f"{len(variants)} question variants (answerable ones also with their source left out, "
             "and with their evidence masked).", ""]

    def say(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    say("| passage model C | evidence in the top 5 after re-ordering |")
    say("|---|---|")
    hits = {}
    for c in C_GRID:
        hits[c] = hit_at(data, passage_logits(data, fold, c))
        say(f"| {c} | {hits[c]:.2%} |")
    passage_c = max(C_GRID, key=lambda c: (round(hits[c], 3), -c))
    plogits = passage_logits(data, fold, passage_c)
    keep, x = kept_candidates(data, plogits)

    say("")
    say("| candidate model L2 | best run holds the key (answerable) |")
    say("|---|---|")
    keys, oof = {}, {}
    for l2 in L2_GRID:
        oof[l2] = candidate_logits(data, fold, keep, x, l2)
        keys[l2] = np.mean([a["right"] for a, ok in zip(composed(data, keep, oof[l2], 0.0, 1), answerable) if ok])
        say(f"| {l2} | {keys[l2]:.2%} |")
    l2 = max(L2_GRID, key=lambda v: (round(keys[v], 3), v))
    logits = oof[l2]

    say("")
    say("| another passage within (logit) | at most passages | answer holds the key | passages cited |")
    say("|---|---|---|---|")
    options = {}
    for also in ALSO_GRID:
        for most in (2, 3):
            answers = composed(data, keep, logits, also, most)
            right = np.mean([a["right"] for a, ok in zip(answers, answerable) if ok])
            cited = np.mean([a["cited"] for a, ok in zip(answers, answerable) if ok])
            options[(also, most)] = (right, cited)
            say(f"| {also} | {most} | {right:.2%} | {cited:.2f} |")
    also, most = max((o for o in options if options[o][1] <= MAX_MEAN_CITED), key=lambda o: (options[o][0], -o[0]))

    answers = composed(data, keep, logits, also, most)
    inputs, right = answerable_inputs(answers, x), np.array([a["right"] for a in answers])
    in_county, written, masked, left_out = kinds.county, kinds.written, kinds.masked, kinds.left_out
    left = kinds.left_unheld & ~right
    say("")
    say("| answerability fitted on | answer threshold | answerable refused | written unanswerable refused "
        "| left-out source refused | masked evidence refused |")
    say("|---|---|---|---|---|---|")
    choices = {}
    for name, rows, weights in answerability_options(in_county, written, left, masked, left_out):
        probability = answerable_probabilities(inputs, right, rows, weights, fold)
        t = highest_threshold(probability, answerable & in_county, MAX_ANSWERABLE_REFUSED)
        refused = (np.mean(probability[written] < t) + np.mean(probability[left & in_county] < t)) / 2
        choices[name] = (refused, t, rows, weights, probability)
        say(f"| {name} | {t} | {np.mean(probability[answerable & in_county] < t):.2%} | "
            f"{np.mean(probability[written] < t):.2%} | {np.mean(probability[left & in_county] < t):.2%} | "
            f"{np.mean(probability[masked & in_county] < t):.2%} |")
    answerability = max(choices, key=lambda n: choices[n][0])  # both kinds of unanswerable alike
    say(f"Chosen: {answerability} (most refused of the written unanswerable and the left-out source, "
        "on average, at the threshold).")
    _, threshold, answer_rows, answer_weights, probability = choices[answerability]
    nothing = written | left | masked
    evidence = np.array([1 / (1 + np.exp(-plogits[data["passages"]["variant"] == v].max()))
                         if np.any(data["passages"]["variant"] == v) else 0.0 for v in range(len(variants))])
    llm_min = highest_threshold(evidence, answerable, MAX_LLM_REFUSED)
    say(f"LLM evidence threshold {llm_min}: answerable not asked {np.mean(evidence[answerable] < llm_min):.2%}, "
        f"unanswerable not asked {np.mean(evidence[nothing] < llm_min):.2%}.")

    passage_model = fit(data["passages"]["x"], data["passages"]["y"], passage_c, PASSAGE_FEATURES)
    keep, x = kept_candidates(data, passage_model.logits(data["passages"]["x"]))
    rows = np.flatnonzero(keep)
    candidate_model = fit_listwise(x[rows], data["candidates"]["full"][rows], data["candidates"]["variant"][rows],
                                   l2, CANDIDATE_FEATURES)
    answers = composed(data, keep, np.where(keep, candidate_model.logits(x), -50.0), also, most)
    platt = fit_platt(answerable_inputs(answers, x)[answer_rows], np.array([a["right"] for a in answers])[answer_rows],
                      answer_weights[answer_rows])
    trained = {"answer_threshold": threshold, "llm_min_evidence": llm_min, "also": also, "most_passages": most,
               "answerability": answerability,
               "passage_c": passage_c, "candidate_l2": l2, "county_questions": len(county),
               "cmrc_questions": len(cmrc), "variants": len(variants)}
    models = Models(passage_model, candidate_model, platt, trained)
    args.out.write_text(json.dumps(models.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    say("")
    say("| model | feature | weight (per standard deviation) |")
    say("|---|---|---|")
    for name, model in (("passage", passage_model), ("candidate", candidate_model)):
        for feature, weight in sorted(zip(model.features, model.coef), key=lambda p: -abs(p[1])):
            say(f"| {name} | {feature} | {weight:+.3f} |")
    for feature, weight, spread in zip(platt.features, platt.coef, answerable_inputs(answers, x).std(axis=0)):
        say(f"| answerable | {feature} | {weight * spread:+.3f} |")
    if args.report:
        args.report.write_text("# Learned scorers: cross-validated choices (training part only)\n\n"
                               + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
