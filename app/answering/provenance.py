"""Where the wording of a text comes from: passages investors may see, internal ones, or none.

An approved answer is judged on its text, not on its [n] markers: staff can delete a marker and
keep the sentence it stood for. A sentence counts as internal when much of its wording (character
bigrams) is found in an internal passage and in none of the public passages closest to it;
a sentence no passage holds is the staff's own. Checked against the index as it is now, so a
document made internal after approval withdraws the answers that quote it.
"""

import re
from dataclasses import dataclass

from app.language.matching import grams
from app.retrieval.retriever import Retriever, visible_to
from ingest.chunking import split_sentences

from .citations import drop_invalid

INTERNAL_SHARE = 0.5  # of a sentence's bigrams found in an internal passage and in no public one
CANDIDATES = 5  # passages compared per audience and sentence
_LEADING_MARKERS = re.compile(r"(?:\s*\[\d{1,3}\])*\s*")


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


def sources(retriever: Retriever, text: str) -> list[Sentence]:
    """Each sentence of `text`, marked internal when its wording comes from internal documents only."""
    retriever.refresh()
    spans = sentences(text)
    plain = [drop_invalid(text[a:b], set())[0] for a, b in spans]
    closest = [retriever.closest(p, CANDIDATES) for p in plain]
    wanted = list(dict.fromkeys(i for public, other in closest for i in public + other))
    records = {r.id: r for r in retriever.store.records(wanted)}

    def wording(chunk_id: str) -> set[str]:
        r = records.get(chunk_id)
        return grams(f"{r.meta.get('title', '')}\n{r.meta.get('heading', '')}\n{r.text}") if r else set()

    out = []
    for (a, b), sentence, (public, other) in zip(spans, plain, closest):
        own = grams(sentence)
        seen = set().union(*(wording(i) for i in public))
        source = ""
        for chunk_id in other:
            if own and len((own & wording(chunk_id)) - seen) / len(own) >= INTERNAL_SHARE:
                meta = records[chunk_id].meta
                source = meta.get("title") or meta.get("source") or chunk_id
                break
        out.append(Sentence(a, b, text[a:b], source))
    return out


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
