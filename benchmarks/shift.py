"""Does the answerability model hold on questions written differently from those it was fitted
on? A check inside the training part (nothing of the validation part is used).

The models are fitted, as train_scorer.py fits them, on our training questions and the CMRC trial
set only, and tested on sealed-style questions on training documents: the sealed sets' questions
there (`questions.SEALED_IN_TRAINING`) and `shift_questions.jsonl` (180 written for this check by
helpers, from the documents alone). For every answerability option (what it is fitted on, its
regularisation, its inputs): the AUC of answerable against written unanswerable questions, both
cross-validated on ours and on the shifted ones, the refusal rates at the threshold chosen as
train_scorer.py chooses it, and the shifted unanswerable questions refused where 10 % of the
shifted answerable ones are.

Usage: python benchmarks/shift.py --county-store DIR --cmrc-store DIR --cmrc-questions FILE
       [--cache DIR] [--report results/shift.md]
"""

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from app.answering.features import CANDIDATE_FEATURES, PASSAGE_FEATURES
from app.answering.scorer import MODEL_FILE

import questions as Q
import train_scorer as T

HERE = Path(__file__).resolve().parent
REGULARISATION = (0.01, 0.1, 1.0)
COMPACT = ("best_logit", "margin", "passage_logit", "names_doc", "names_passage", "cov_whole", "cov_sentence",
           "missing_sentence", "missing_max", "fit_own", "asks_type", "thing_own", "lang_en", "local_cov",
           "qualifier_missing", "place_conflict", "year_conflict")


def out_of_fold(fold: np.ndarray, shifted: int, fit_predict) -> None:
    """Call fit_predict(train_folds, test_fold) for each fold: the shifted fold is only tested."""
    for k in range(shifted + 1):
        fit_predict((fold != k) & (fold != shifted), fold == k)


def answerability(z: np.ndarray, right: np.ndarray, rows: np.ndarray, weights: np.ndarray,
                  fold: np.ndarray, strength: float) -> np.ndarray:
    """Out-of-fold probability that each variant's answer is right, the model fitted on `rows`
    of our folds only (the shifted fold is only predicted)."""
    probability = np.zeros(len(right))

    def fit_predict(train: np.ndarray, test: np.ndarray) -> None:
        fit_rows = train & rows
        mean, scale = z[fit_rows].mean(axis=0), z[fit_rows].std(axis=0)
        scale[scale == 0] = 1.0
        model = LogisticRegression(C=strength, max_iter=3000).fit(
            (z[fit_rows] - mean) / scale, right[fit_rows], sample_weight=weights[fit_rows])
        probability[test] = model.predict_proba((z[test] - mean) / scale)[:, 1]

    out_of_fold(fold, T.FOLDS, fit_predict)
    return probability


def refused(probability: np.ndarray, among: np.ndarray, threshold: float) -> str:
    return f"{np.mean(probability[among] < threshold):.1%}"


def auc(probability: np.ndarray, positive: np.ndarray, negative: np.ndarray) -> float:
    return float(roc_auc_score(np.r_[np.ones(positive.sum()), np.zeros(negative.sum())],
                               np.r_[probability[positive], probability[negative]]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--county-store", type=Path, required=True)
    parser.add_argument("--cmrc-store", type=Path, required=True)
    parser.add_argument("--cmrc-questions", type=Path, required=True)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()

    county = Q.split(Q.county_questions())["train"]
    extra = Q.load(HERE / "shift_questions.jsonl")
    shifted_ids = {q["id"] for q in county if "sealed" in q} | {q["id"] for q in extra}
    data = T.merge([T.gather(args.county_store, county, args.cache, "county_train"),
                    T.gather(args.county_store, extra, args.cache, "shift"),
                    T.gather(args.cmrc_store, Q.load(args.cmrc_questions), args.cache, "cmrc_trial")])
    variants = data["variants"]
    fold = T.folds(data)
    shifted = np.array([v["id"] in shifted_ids for v in variants])
    fold[shifted] = T.FOLDS
    trained = json.loads(MODEL_FILE.read_text(encoding="utf-8"))["trained"]

    p, c = data["passages"], data["candidates"]
    plogits = np.zeros(len(p["y"]))

    def passages(train: np.ndarray, test: np.ndarray) -> None:
        rows, tests = train[p["variant"]], test[p["variant"]]
        model = T.fit(p["x"][rows], p["y"][rows], trained["passage_c"], PASSAGE_FEATURES)
        plogits[tests] = model.logits(p["x"][tests])

    out_of_fold(fold, T.FOLDS, passages)
    keep, x = T.kept_candidates(data, plogits)
    clogits = np.full(len(c["y"]), -50.0)

    def candidates(train: np.ndarray, test: np.ndarray) -> None:
        rows, tests = np.flatnonzero(keep & train[c["variant"]]), keep & test[c["variant"]]
        model = T.fit_listwise(x[rows], c["full"][rows], c["variant"][rows], trained["candidate_l2"],
                               CANDIDATE_FEATURES)
        clogits[tests] = model.logits(x[tests])

    out_of_fold(fold, T.FOLDS, candidates)
    answers = T.composed(data, keep, clogits, trained["also"], trained["most_passages"])
    inputs, right = T.answerable_inputs(answers, x), np.array([a["right"] for a in answers])
    asked = np.array([not v["left_out"] and not v["masked"] for v in variants])
    answerable = np.array([v["answerable"] for v in variants]) & asked
    in_county = np.array([not v["source"].startswith("cmrc_") for v in variants])
    written = np.array([not v["answerable"] for v in variants])
    left = np.array([v["left_out"] and not v["holds"] for v in variants]) & ~right
    masked = np.array([v["masked"] for v in variants])
    left_out = np.array([v["left_out"] for v in variants])
    ours_yes, ours_no = answerable & in_county & ~shifted, written & ~shifted
    new_yes, new_no = answerable & shifted, written & shifted

    summary = (f"Ours: {ours_yes.sum()} answerable and {ours_no.sum()} written unanswerable training "
               f"questions (with the CMRC trial set and the left-out and masked variants); shifted: "
               f"{new_yes.sum()} answerable and {new_no.sum()} unanswerable. Shifted answerable questions "
               f"whose best answer holds the key: {right[new_yes].mean():.1%}.")
    header = ("| fitted on | inputs | C | threshold | ours: answerable refused | ours: unanswerable refused "
              "| ours: AUC | shifted: answerable refused | shifted: unanswerable refused | shifted: AUC "
              "| shifted: unanswerable refused at 10 % answerable refused |")
    lines = [summary, "", header, "|---" * 11 + "|"]
    subsets = {"all": T.ANSWERABLE_INPUTS,
               "all but cov_context": tuple(n for n in T.ANSWERABLE_INPUTS if n != "cov_context"),
               "compact": COMPACT}
    for name, rows, weights in T.answerability_options(in_county, written, left, masked, left_out):
        for subset, names in subsets.items():
            z = inputs[:, [T.ANSWERABLE_INPUTS.index(n) for n in names]]
            for strength in REGULARISATION:
                probability = answerability(z, right, rows, weights, fold, strength)
                t = T.highest_threshold(probability[~shifted], (answerable & in_county)[~shifted],
                                        T.MAX_ANSWERABLE_REFUSED)
                at_ten = T.highest_threshold(probability[new_yes], np.ones(new_yes.sum(), dtype=bool), 0.10)
                cells = [name, subset, strength, t,
                         refused(probability, ours_yes, t), refused(probability, ours_no, t),
                         f"{auc(probability, ours_yes, ours_no):.3f}", refused(probability, new_yes, t),
                         refused(probability, new_no, t), f"{auc(probability, new_yes, new_no):.3f}",
                         refused(probability, new_no, at_ten)]
                lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
                print(lines[-1], flush=True)
    if args.report:
        args.report.write_text("# Answerability under a shift of question style (training part only)\n\n"
                               + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
