"""Time of the check an approved answer passes before investors see it (app/answering/provenance.py:
where each sentence's wording comes from), over answers made of the index's own sentences.

Each sample answer joins three sentences from passages drawn at random (fixed seed), the way
staff edit a draft. The index is copied to a temporary folder and every other document of the
copy made internal, so that both sides are searched. Reports how many answers quoting internal
passages are withheld (and public-only ones, wrongly), and the time of a first check and of a
repeated one (verdicts are kept per index revision). Usage:
python benchmarks/approved_check_time.py --store DIR [--out benchmarks/results/approved_check_time.json]
"""

import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from app.answering.assistant import Assistant
from app.answering.provenance import disclosure, sentences
from app.settings import Settings
from ingest.manage import list_documents, set_visibility

from evaluate import arguments, publish

ANSWERS = 200
SENTENCES = 3


def sample_answers(records: list, rng: random.Random) -> list[tuple[str, bool]]:
    """Answers of SENTENCES sentences, each from a random passage, and whether one of those
    passages is internal."""
    answers = []
    while len(answers) < ANSWERS:
        picked, internal = [], False
        for record in rng.sample(records, SENTENCES):
            spans = [(a, b) for a, b in sentences(record.text) if b - a >= 12]
            if spans:
                a, b = rng.choice(spans)
                picked.append(record.text[a:b] + f"[{len(picked) + 1}]")
                internal |= record.meta.get("visibility") == "internal"
        if len(picked) == SENTENCES:
            answers.append(("".join(picked), internal))
    return answers


def main() -> None:
    args = arguments(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        shutil.copytree(args.store, store)
        settings = Settings(store=store)
        for doc in list_documents(settings)[::2]:
            set_visibility(settings, doc.doc_id, "internal")
        report = measure(Assistant.open(settings))
    publish(json.dumps(report, indent=2), args.out)


def measure(assistant: Assistant) -> dict:
    records = assistant.retriever.store.records()
    answers = sample_answers(records, random.Random(0))
    disclosure(assistant.retriever, answers[0][0], [], "investor")  # jieba and the index warmed up
    times, withheld = [], {True: 0, False: 0}
    for text, internal in answers:
        started = time.perf_counter()
        withheld[internal] += not disclosure(assistant.retriever, text, [], "investor").allowed
        times.append((time.perf_counter() - started) * 1000)
    again = []  # the same answers asked about again, the index unchanged
    for text, _ in answers:
        started = time.perf_counter()
        disclosure(assistant.retriever, text, [], "investor")
        again.append((time.perf_counter() - started) * 1000)
    times.sort()
    quoting = sum(internal for _, internal in answers)
    return {
        "chunks": len(records), "answers": len(answers), "sentences_per_answer": SENTENCES,
        "answers_quoting_internal_passages": quoting, "of_them_withheld": withheld[True],
        "answers_quoting_public_passages_only": len(answers) - quoting, "of_them_withheld_wrongly": withheld[False],
        "ms_per_answer_p50": round(statistics.median(times), 1),
        "ms_per_answer_p95": round(times[int(0.95 * (len(times) - 1))], 1),
        "ms_per_answer_max": round(times[-1], 1),
        "ms_per_answer_again_p50": round(statistics.median(again), 2),
    }


if __name__ == "__main__":
    main()
