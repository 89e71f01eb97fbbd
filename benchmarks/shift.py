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
from sklearn.metrics import roc_auc_score

from app.answering.scorer import MODEL_FILE

import questions as Q
import train_scorer as T

HERE = Path(__file__).resolve().parent
REGULARISATION = (0.01, 0.1, 1.0)
COMPACT = ("best_logit", "margin", "passage_logit", "names_doc", "names_passage", "cov_whole", "cov_sentence",
           "missing_sentence", "missing_max", "fit_own", "asks_type", "thing_own", "lang_en", "local_cov",
           "qualifier_missing", "place_conflict", "year_conflict")


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

    plogits = T.passage_logits(data, fold, trained["passage_c"], held_out=True)
    keep, x = T.kept_candidates(data, plogits)
    clogits = T.candidate_logits(data, fold, keep, x, trained["candidate_l2"], held_out=True)
    answers = T.composed(data, keep, clogits, trained["also"], trained["most_passages"])
    inputs, right = T.answerable_inputs(answers, x), np.array([a["right"] for a in answers])
    kinds = T.Kinds.of(variants)
    answerable, in_county, written = kinds.answerable, kinds.county, kinds.written
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
    left = kinds.left_unheld & ~right
    options = T.answerability_options(in_county, written, left, kinds.masked, kinds.left_out)
    for name, rows, weights in options:
        for subset, names in subsets.items():
            z = inputs[:, [T.ANSWERABLE_INPUTS.index(n) for n in names]]
            for strength in REGULARISATION:
                probability = T.answerable_probabilities(z, right, rows, weights, fold, strength, names,
                                                         held_out=True)
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
