"""Training rows for the learned scorers, from questions asked of a real index.

For every question, the Assistant's own analysis and retrieval (20 passages, all documents
visible), then the features of app/answering/features.py for every passage and every candidate
run of sentences, with labels from the gold answer:
- a passage is positive when it holds the evidence span or every key (`must` group);
- a candidate is positive when it holds every key and no shorter run inside it does.
An answerable question is asked three times: as it is; with its source document left out of the
results (then it must be refused, unless another document holds the key too); and with every
passage holding its evidence or keys left out ("masked": the rest of its document is still
there, as for an unanswerable question written to tempt; it must be refused).
"""

from dataclasses import dataclass, field

import numpy as np

from app.answering.assistant import Assistant
from app.answering.candidates import place, runs
from app.answering.features import Asked, candidate_features, passage_features, view
from app.answering.reading import names_share
from app.staff.evaluation import holds_evidence, holds_keys

RETRIEVED = 20


@dataclass
class Rows:
    """Rows of one kind with their labels and the question variant each belongs to."""

    x: list[np.ndarray] = field(default_factory=list)
    y: list[np.ndarray] = field(default_factory=list)
    variant: list[np.ndarray] = field(default_factory=list)

    def add(self, x: np.ndarray, y: np.ndarray, variant: int, extra: dict | None = None) -> None:
        self.x.append(x.astype(np.float32))
        self.y.append(y.astype(np.int8))
        self.variant.append(np.full(len(y), variant, dtype=np.int32))
        for key, values in (extra or {}).items():
            getattr(self, key).append(values)

    def arrays(self) -> dict[str, np.ndarray]:
        return {key: np.concatenate(values) for key, values in vars(self).items()}


@dataclass
class CandidateRows(Rows):
    passage: list[np.ndarray] = field(default_factory=list)  # retrieval rank of its passage
    first: list[np.ndarray] = field(default_factory=list)
    size: list[np.ndarray] = field(default_factory=list)
    full: list[np.ndarray] = field(default_factory=list)  # holds every key (minimal or not)
    place: list[np.ndarray] = field(default_factory=list)  # (document number, start, end) in its document


def collect(assistant: Assistant, questions: list[dict]) -> tuple[dict, dict, list[dict]]:
    """Passage rows, candidate rows, and one record per question variant."""
    passages_out, candidates_out = Rows(), CandidateRows()
    variants: list[dict] = []
    documents: dict[str, int] = {}
    lexical = assistant.retriever.lexical

    def holds(passage, word: str) -> bool:
        return lexical.document_holds(passage.id, word)

    for q in questions:
        query = assistant.analyse(q["question"])
        asked = Asked.of(query, assistant.idf(query))
        found = assistant.retriever.search(query, "staff", RETRIEVED // 4).passages[:RETRIEVED]
        evidence = q.get("evidence") or ""

        def supports(p) -> bool:
            return q["answerable"] and bool((evidence.strip() and holds_evidence(p.text, evidence))
                                            or holds_keys(p.text, q["must"]))

        cases = [("", found)]
        if q["answerable"]:
            cases.append(("left_out", [p for p in found if p.meta.get("source") != q["source"]]))
            cases.append(("masked", [p for p in found if not supports(p)]))
        for case, passages in cases:
            number = len(variants)
            views = [view(p, i, asked, names_share(asked, p, holds)) for i, p in enumerate(passages)]
            prow = passage_features(asked, views)
            plabel = np.array([case != "masked" and supports(p) for p in passages])
            passages_out.add(prow, plabel, number)
            cands = [c for i, v in enumerate(views) for c in runs(i, v.spans, v.titles)]
            crow = candidate_features(asked, views, prow, np.zeros(len(views)), cands)
            full = [q["answerable"] and case != "masked" and holds_keys(passages[c.passage].text[c.start:c.end], q["must"])
                    for c in cands]
            spans = {(c.passage, c.first, c.last): f for c, f in zip(cands, full)}
            minimal = [f and not any(spans.get((c.passage, a, b)) for a in range(c.first, c.last + 1)
                                     for b in range(a, c.last + 1) if (a, b) != (c.first, c.last))
                       for c, f in zip(cands, full)]
            candidates_out.add(crow, np.array(minimal), number,
                               {"passage": np.array([c.passage for c in cands], dtype=np.int32),
                                "first": np.array([c.first for c in cands], dtype=np.int32),
                                "size": np.array([c.size for c in cands], dtype=np.int32),
                                "full": np.array(full, dtype=np.int8),
                                "place": np.array([(documents.setdefault(w[0], len(documents)), w[1], w[2])
                                                   for w in (place(c, passages[c.passage]) for c in cands)],
                                                  dtype=np.int64).reshape(len(cands), 3)})
            variants.append({"id": q["id"], "source": q["source"], "lang": q.get("lang", "zh"),
                             "answerable": bool(q["answerable"]), "left_out": case == "left_out",
                             "masked": case == "masked",
                             "holds": bool(any(full))})
    return passages_out.arrays(), candidates_out.arrays(), variants
