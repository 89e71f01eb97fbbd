"""Time of the check an approved answer passes before investors see it (app/answering/provenance.py:
where each sentence's wording comes from), over answers made of the index's own sentences.

Each sample answer joins three sentences from passages drawn at random (fixed seed), the way
staff edit a draft. The index is only read. Usage:
python benchmarks/approved_check_time.py --store DIR [--out benchmarks/results/approved_check_time.json]
"""

import json
import random
import statistics
import time

from evaluate import arguments, publish

from app.answering.assistant import Assistant
from app.answering.provenance import disclosure, sentences
from app.settings import Settings

ANSWERS = 200
SENTENCES = 3


def sample_answers(records: list, rng: random.Random) -> list[str]:
    """Answers of SENTENCES sentences, each from a random passage."""
    answers = []
    while len(answers) < ANSWERS:
        picked = []
        for record in rng.sample(records, SENTENCES):
            spans = [(a, b) for a, b in sentences(record.text) if b - a >= 12]
            if spans:
                a, b = rng.choice(spans)
                picked.append(record.text[a:b] + f"[{len(picked) + 1}]")
        if len(picked) == SENTENCES:
            answers.append("".join(picked))
    return answers


def main() -> None:
    args = arguments(__doc__)
    assistant = Assistant.open(Settings(store=args.store))
    records = assistant.retriever.store.records()
    answers = sample_answers(records, random.Random(0))
    disclosure(assistant.retriever, answers[0], [], "investor")  # jieba and the index warmed up
    times = []
    for text in answers:
        started = time.perf_counter()
        disclosure(assistant.retriever, text, [], "investor")
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    report = {
        "chunks": len(records), "answers": len(answers), "sentences_per_answer": SENTENCES,
        "ms_per_answer_p50": round(statistics.median(times), 1),
        "ms_per_answer_p95": round(times[int(0.95 * (len(times) - 1))], 1),
        "ms_per_answer_max": round(times[-1], 1),
    }
    publish(json.dumps(report, indent=2), args.out)


if __name__ == "__main__":
    main()
