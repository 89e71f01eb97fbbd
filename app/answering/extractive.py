"""The default answerer: the best-scored run of sentences of the retrieved passages, verbatim,
ending in its passage's [n] (app/answering/reading.py scores the runs), and the best runs of
other passages that score close to it.

A document's own markers in the quoted text ([1], [2] as footnotes of a statistical bulletin)
are written ［1］ in the answer (citations.quoted), so that in an answer [n] means a citation and
nothing else.
"""

from app.retrieval.retriever import Passage

from .answer import Citation
from .candidates import Candidate, overlapping, place
from .citations import quoted
from .reading import Reading


def chosen(reading: Reading, also: float, most: int) -> list[Candidate]:
    """The best candidate, and the best of each other passage whose score is within `also`
    (in logit) of it, up to `most` passages; never text already quoted (overlapping chunks
    hold the same sentences)."""
    best = reading.best
    if best is None:
        return []
    passages = reading.ranked.passages
    out = [reading.candidates[best]]
    places = [place(out[0], passages[out[0].passage])]
    top = reading.logits[best]
    for i in sorted(range(len(reading.candidates)), key=lambda i: -reading.logits[i]):
        if len(out) >= most or reading.logits[i] < top - also:
            break
        candidate = reading.candidates[i]
        where = place(candidate, passages[candidate.passage])
        if candidate.passage not in {c.passage for c in out} and not any(overlapping(where, p) for p in places):
            out.append(candidate)
            places.append(where)
    return out


def compose(candidates: list[Candidate], passages: list[Passage], scores: list[float]
            ) -> tuple[str, list[Citation]]:
    """Answer text from the chosen runs, each ending in its passage's [n], passages numbered in
    order of first use; the citations with the quoted sentences as highlights."""
    numbers: dict[int, int] = {}
    parts = []
    for c in candidates:
        n = numbers.setdefault(c.passage, len(numbers) + 1)
        parts.append(f"{quoted(passages[c.passage].text[c.start:c.end])}[{n}]")
    citations = [
        Citation.of(n, passages[p], scores[p],
                    [passages[p].text[c.start:c.end] for c in candidates if c.passage == p])
        for p, n in numbers.items()
    ]
    return "".join(parts), citations
