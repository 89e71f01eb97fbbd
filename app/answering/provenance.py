"""Where the wording of a text comes from: passages investors may see, internal ones, or none.

An approved answer is judged on its text, not on its [n] markers: staff can delete a marker and
keep the sentence it stood for. A sentence counts as internal when an internal passage holds most
of its wording (character bigrams), or of one of its clauses or runs between [n] markers, and
more of it than the public passages closest to the sentence hold together: a figure changed in a
sentence shared with public reports is still the internal one, and so is an internal clause
joined to a public one.
A sentence no passage holds is the staff's own. Checked against the index as it is now, so a
document made internal after approval withdraws the answers that quote it.
"""

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from app.language.matching import grams
from app.retrieval.retriever import Retriever, visible_to
from ingest.chunking import split_clauses, split_sentences

from .citations import between_markers

HELD = 0.5  # share of a sentence's (or clause's) bigrams a passage holds when it comes from it
CANDIDATES = 8  # passages compared per audience and sentence
MIN_CLAUSE = 6  # bigrams of a clause judged on its own
_LEADING_MARKERS = re.compile(r"(?:\s*\[\d{1,3}\])*\s*")
REMEMBERED = 512  # texts whose verdicts are kept, per index revision (approved answers recur)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a text (offsets into it) and, when internal, the document it comes from."""

    start: int
    end: int
    text: str
    internal_source: str = ""  # title (or file) of the internal document; "" when not internal

    @property
    def internal(self) -> bool:
        return bool(self.internal_source)


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a text of several lines; markers after a sentence's end ("。[1]") stay
    with that sentence."""
    spans: list[tuple[int, int]] = []
    at = 0
    for line in text.split("\n"):
        for a, b in split_sentences(line, at):
            lead = _LEADING_MARKERS.match(text, a, b).end()
            if lead > a and spans and spans[-1][1] >= at:
                spans[-1] = (spans[-1][0], lead)
            if b > lead:
                spans.append((lead, b))
        at += len(line) + 1
    return spans


class _Verdicts:
    """Verdicts by (index revision, text): the same answer is judged once per state of the index."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple, list[Sentence]] = OrderedDict()

    def get(self, key: tuple) -> list[Sentence] | None:
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
            return self._kept.get(key)

    def put(self, key: tuple, found: list[Sentence]) -> None:
        with self._lock:
            self._kept[key] = found
            while len(self._kept) > REMEMBERED:
                self._kept.popitem(last=False)


_verdicts = _Verdicts()


def sources(retriever: Retriever, text: str) -> list[Sentence]:
    """Each sentence of `text`, marked internal when its wording comes from an internal passage
    more than from public ones."""
    retriever.refresh()
    key = (retriever.revision, text)
    found = _verdicts.get(key)
    if found is None:
        found = _judge(retriever, text)
        _verdicts.put(key, found)
    return found


def _judge(retriever: Retriever, text: str) -> list[Sentence]:
    spans = sentences(text)
    pieces = [between_markers(text[a:b]) for a, b in spans]
    plain = ["".join(p) for p in pieces]
    closest = [retriever.closest(p, CANDIDATES) for p in plain]
    wanted = list(dict.fromkeys(i for public, other in closest for i in public + other))
    records = {r.id: r for r in retriever.store.records(wanted)}
    wording = {i: grams(f"{r.meta.get('title', '')}\n{r.meta.get('heading', '')}\n{r.text}")
               for i, r in records.items()}
    out = []
    for (a, b), sentence, runs, (public, other) in zip(spans, plain, pieces, closest):
        parts = [clause for run in runs for clause in split_clauses(run)]
        units = [grams(sentence)] + ([g for g in map(grams, parts) if len(g) >= MIN_CLAUSE]
                                     if len(parts) > 1 else [])
        published = set().union(*(wording.get(i, set()) for i in public))
        source = ""
        for chunk_id in other:
            if any(_comes_from(own, wording.get(chunk_id, set()), published) for own in units if own):
                meta = records[chunk_id].meta
                source = meta.get("title") or meta.get("source") or chunk_id
                break
        out.append(Sentence(a, b, text[a:b], source))
    return out


def _comes_from(own: set[str], passage: set[str], published: set[str]) -> bool:
    """Whether a passage holds most of these bigrams, and more of them than the public text does."""
    held = len(own & passage)
    return held >= HELD * len(own) and held > len(own & published)


@dataclass(frozen=True)
class Disclosure:
    """What showing a text and its cited passages to a role would disclose that it may not see."""

    sentences: list[Sentence]  # every sentence; for investors, those worded from internal documents marked
    hidden_citations: list[int]  # numbers of cited passages gone from the index or not visible to the role

    @property
    def allowed(self) -> bool:
        return not self.hidden_citations and not any(s.internal for s in self.sentences)


def disclosure(retriever: Retriever, text: str, citations: list[dict], role: str) -> Disclosure:
    """The one check of an approved answer before it is shown (every surface calls it through
    app.answering.turn): every cited passage still indexed and visible to `role` and, for
    investors, no sentence worded from internal documents only."""
    allowed = visible_to(role)
    ids = list(dict.fromkeys(c["chunk_id"] for c in citations))
    visible = {r.id for r in retriever.store.records(ids) if r.meta.get("visibility", "public") in allowed}
    hidden = [c["n"] for c in citations if c["chunk_id"] not in visible]
    if "internal" in allowed:
        return Disclosure([Sentence(a, b, text[a:b]) for a, b in sentences(text)], hidden)
    return Disclosure(sources(retriever, text), hidden)
