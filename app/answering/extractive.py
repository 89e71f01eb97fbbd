"""The default answerer: the best-scored run of sentences of the retrieved passages, verbatim,
ending in its passage's [n] (app/answering/reading.py scores the runs), and the best runs of
other passages that score close to it.

A document's own markers in the quoted text ([1], [2] as footnotes of a statistical bulletin)
are written ［1］ in the answer (citations.quoted), so that in an answer [n] means a citation and
nothing else.
"""

from collections.abc import Callable, Sequence

from app.retrieval.retriever import Passage

from .answer import Citation
from .candidates import Candidate, overlapping, place
from .citations import quoted
from .reading import Reading


def pick(order: Sequence[int], logit: Callable[[int], float], passage: Callable[[int], int],
         where: Callable[[int], Sequence], also: float, most: int) -> list[int]:
    """The composition rule over candidates given best first (`order`): the first, and the best
    of each other passage whose logit is within `also` of it, up to `most` passages; never text
    already quoted (`where`: a candidate's place, `candidates.place`; overlapping chunks hold the
    same sentences). Shared by the answerer and its training (benchmarks/train_scorer.py)."""
    first = order[0]
    out, used = [first], {passage(first)}
    for i in order[1:]:
        if len(used) >= most or logit(i) < logit(first) - also:
            break
        if passage(i) not in used and not any(overlapping(where(i), where(j)) for j in out):
            out.append(i)
            used.add(passage(i))
    return out


def chosen(reading: Reading, also: float, most: int) -> list[Candidate]:
    """The candidates an extractive answer quotes (`pick`)."""
    if reading.best is None:
        return []
    candidates, passages = reading.candidates, reading.ranked.passages
    order = sorted(range(len(candidates)), key=lambda i: -reading.logits[i])
    return [candidates[i] for i in pick(order, lambda i: reading.logits[i], lambda i: candidates[i].passage,
                                        lambda i: place(candidates[i], passages[candidates[i].passage]),
                                        also, most)]


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
