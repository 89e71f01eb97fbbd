"""Chinese-aware chunking: whole sentences packed up to a token budget, with overlap.

Table rows are packed apart from prose: a chunk holds rows of one table (whole rows, no
overlap: each row says what its numbers are) or prose, never both.

Sizes are counted in the embedding model's own tokens, over the full index text (title +
heading path + passage). The size is the chunk setting's, not the model's input limit: a longer
chunk is embedded whole, window by window (ingest/embedder.py).
"""

import re
from dataclasses import dataclass
from typing import Protocol

from .documents import Chunk, Document, heading_string, index_text

_SENTENCE_END = re.compile(r"(?:[。！？；!?;]+|…+|\.(?=\s|$))[”’\"'」』）)】》]*")
_CLAUSE_END = re.compile(r"(?:[，、：]|[,:](?!\d))+")  # not the comma of 1,200 nor the colon of 10:30
_UNCUT = re.compile(r"\d+(?:[.,:]\d+)*(?:[%‰]|[十百千万亿]*[元吨亩人户个家米])?|[A-Za-z]+")  # 12.5亿元, words
CHUNKER_VERSION = 5  # bump when the same file and settings would be cut differently
TITLE_MAX_CHARS = 80
HEADING_MAX_CHARS = 40
HEADING_MAX_DEPTH = 3
MIN_PASSAGE_TOKENS = 32


class TokenCounter(Protocol):
    """Counts tokens the way the embedding model does."""

    def count(self, texts: list[str]) -> list[int]: ...

    def prefix_chars(self, text: str, max_tokens: int) -> int:
        """Length, in characters, of the longest prefix of `text` within `max_tokens` tokens."""
        ...


@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    tokens: int
    span: int  # index of the paragraph span it belongs to


def split_sentences(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of one paragraph, as absolute offsets; white space between them dropped."""
    spans, cursor = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((cursor, match.end()))
        cursor = match.end()
    spans.append((cursor, len(text)))
    out = []
    for a, b in spans:
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        a, b = a + lead, b - (len(piece) - len(piece.rstrip()))
        if b > a:
            out.append((start + a, start + b))
    return out


def split_clauses(sentence: str) -> list[str]:
    """The clauses of a sentence, cut after ，、： (and , : outside numbers)."""
    return [c for c in _CLAUSE_END.split(sentence) if c.strip()]


def trimmed_title(title: str) -> str:
    return title[:TITLE_MAX_CHARS]


def trimmed_headings(path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(h[:HEADING_MAX_CHARS] for h in path[-HEADING_MAX_DEPTH:])


def chunk_document(
    doc: Document, doc_id: str, counter: TokenCounter, chunk_tokens: int, overlap_tokens: int
) -> list[Chunk]:
    """Cut a document into chunks of whole sentences, index texts within `chunk_tokens` tokens."""
    title = trimmed_title(doc.title)
    sections = _sections(doc)
    # a section's heading path is that of its body, below the headings that lead it
    prefixes = [index_text(title, heading_string(trimmed_headings(doc.spans[s[-1]].heading_path)), "")
                for s in sections]
    prefix_tokens = counter.count(prefixes)
    chunks: list[tuple[tuple[int, int, int, int], int]] = []  # (start, end, first, last span), limit
    for span_ids, prefix_len in zip(sections, prefix_tokens):
        budget = max(MIN_PASSAGE_TOKENS, chunk_tokens - prefix_len - 1)
        pieces = _pieces(doc, span_ids, counter, budget)
        overlap = 0 if doc.spans[span_ids[-1]].table else overlap_tokens
        chunks.extend((b, prefix_len + 1 + budget) for b in _pack(pieces, budget, overlap))
    return _verified(doc, doc_id, title, chunks, counter)


def _sections(doc: Document) -> list[list[int]]:
    """Runs of paragraph spans under the same headings; a heading opens a new run unless the
    current run holds only headings (so a heading is never a chunk on its own). A table's rows
    are a run of their own, after its headings."""
    sections: list[list[int]] = []
    body_seen = False
    for i, span in enumerate(doc.spans):
        new_kind = body_seen and span.table != doc.spans[i - 1].table
        if span.is_heading and body_seen or not sections or new_kind:
            sections.append([])
            body_seen = False
        sections[-1].append(i)
        body_seen = body_seen or not span.is_heading
    return sections


def _pieces(doc: Document, span_ids: list[int], counter: TokenCounter, budget: int) -> list[_Piece]:
    """Sentences of the section; a sentence over the budget is cut at clauses, then at tokens.

    The first cut after the section's headings leaves them room, so they are not a chunk alone.
    """
    bounds = [(a, b, i) for i in span_ids for a, b in _units(doc, i)]
    counts = counter.count([doc.text[a:b] for a, b, _ in bounds])
    pieces: list[_Piece] = []
    room = budget  # the budget less the headings before the sentence
    for (a, b, i), n in zip(bounds, counts):
        if n <= budget:
            pieces.append(_Piece(a, b, n, i))
        else:
            pieces.extend(_cut_long(doc.text, a, b, i, counter, room))
        room = room - n if doc.spans[i].is_heading and room - n >= MIN_PASSAGE_TOKENS else budget
    return pieces


def _units(doc: Document, i: int) -> list[tuple[int, int]]:
    """What a span is packed by: a table row whole, a paragraph by its sentences."""
    span = doc.spans[i]
    if span.table:
        return [(span.start, span.end)]
    return split_sentences(doc.text[span.start:span.end], span.start)


def _cut_long(text: str, a: int, b: int, span: int, counter: TokenCounter, budget: int) -> list[_Piece]:
    clauses = [a] + [a + m.end() for m in _CLAUSE_END.finditer(text[a:b]) if a + m.end() < b] + [b]
    parts = list(zip(clauses, clauses[1:]))
    counts = counter.count([text[x:y] for x, y in parts])
    out: list[_Piece] = []
    for (x, y), n in zip(parts, counts):
        while n > budget:
            cut = _token_cut(text, x, y, counter, budget)
            out.append(_Piece(x, cut, counter.count([text[x:cut]])[0], span))
            x = cut
            n = counter.count([text[x:y]])[0]
        if y > x:
            out.append(_Piece(x, y, n, span))
    return _pack_pieces(out, budget)


def _token_cut(text: str, x: int, y: int, counter: TokenCounter, budget: int) -> int:
    """End of the longest prefix of text[x:y] within the budget, moved back out of a number or word."""
    cut = x + max(1, counter.prefix_chars(text[x:y], budget))
    for match in _UNCUT.finditer(text, x, y):
        if match.start() >= cut:
            break
        if x < match.start() < cut < match.end():
            return match.start()
    return cut


def _pack_pieces(parts: list[_Piece], budget: int) -> list[_Piece]:
    """Merge consecutive clause pieces back together while they fit the budget."""
    merged: list[_Piece] = []
    for part in parts:
        if merged and merged[-1].tokens + part.tokens <= budget:
            last = merged[-1]
            merged[-1] = _Piece(last.start, part.end, last.tokens + part.tokens, last.span)
        else:
            merged.append(part)
    return merged


def _pack(pieces: list[_Piece], budget: int, overlap: int) -> list[tuple[int, int, int, int]]:
    """Greedy packing of sentences; each new chunk repeats the tail sentences of the last one."""
    chunks = []
    current: list[_Piece] = []
    fresh = 0  # pieces in `current` not carried over from the previous chunk
    for piece in pieces:
        if current and fresh and sum(p.tokens for p in current) + piece.tokens > budget:
            chunks.append(current)
            current = _overlap_tail(current, overlap, budget - piece.tokens)
            fresh = 0
        current.append(piece)
        fresh += 1
    if current and fresh:
        chunks.append(current)
    return [(c[0].start, c[-1].end, c[0].span, c[-1].span) for c in chunks]


def _overlap_tail(pieces: list[_Piece], overlap: int, room: int) -> list[_Piece]:
    """Trailing sentences within `overlap` tokens; else the last one if it is short; within room."""
    tail: list[_Piece] = []
    total = 0
    for piece in reversed(pieces):
        if total + piece.tokens > min(overlap, room):
            break
        tail.insert(0, piece)
        total += piece.tokens
    if not tail and pieces[-1].tokens <= min(2 * overlap, room):
        tail = [pieces[-1]]
    return tail


def _verified(
    doc: Document, doc_id: str, title: str, bounds: list[tuple[tuple[int, int, int, int], int]],
    counter: TokenCounter,
) -> list[Chunk]:
    """Build the chunks, splitting any whose full index text still exceeds its limit (token
    counts of sentences need not add up exactly)."""
    pending = list(bounds)
    result: list[tuple[tuple[int, int, int, int], int]] = []  # bounds, tokens
    while pending:
        texts = [_index_text_of(doc, title, b) for b, _ in pending]
        counts = counter.count(texts)
        retry = []
        for (b, limit), n in zip(pending, counts):
            if n <= limit or b[1] - b[0] < 2:
                result.append((b, n))
            else:
                retry.extend((half, limit) for half in _halves(doc, b))
        pending = retry
    result.sort()
    chunks = []
    for seq, ((start, end, first, last), tokens) in enumerate(result):
        chunks.append(Chunk(
            id=f"{doc_id}-{doc.sha256[:12]}-{seq:04d}",
            doc_id=doc_id,
            seq=seq,
            text=doc.text[start:end],
            title=title,
            heading_path=trimmed_headings(doc.spans[last].heading_path),
            page=doc.spans[first].page,
            page_end=doc.spans[last].page,
            char_start=start,
            char_end=end,
            tokens=tokens,
            table=doc.spans[last].table,
            ocr=any(s.ocr for s in doc.spans[first:last + 1]),
            page_starts=_page_starts(doc, start, end, first, last),
        ))
    return chunks


def _page_starts(doc: Document, start: int, end: int, first: int, last: int) -> tuple[tuple[int, int], ...]:
    """Where in a chunk's text (offsets from its start) a page after its first begins, and which."""
    spans = doc.spans[first:last + 1]
    return tuple((max(s.start, start) - start, s.page) for before, s in zip(spans, spans[1:])
                 if s.page is not None and s.page != before.page and s.start < end)


def _index_text_of(doc: Document, title: str, bound: tuple[int, int, int, int]) -> str:
    start, end, _, last = bound
    return index_text(title, heading_string(trimmed_headings(doc.spans[last].heading_path)),
                      doc.text[start:end])


def _halves(doc: Document, bound: tuple[int, int, int, int]) -> list[tuple[int, int, int, int]]:
    start, end, first, last = bound
    middle = (start + end) // 2
    cuts = [b for _, b in split_sentences(doc.text[start:end], start) if b < end]
    if cuts:
        middle = min(cuts, key=lambda c: abs(c - (start + end) // 2))
    second = middle + len(doc.text[middle:end]) - len(doc.text[middle:end].lstrip())
    mid_span = next(i for i in range(first, last + 1) if doc.spans[i].end >= middle)
    next_span = next(i for i in range(first, last + 1) if doc.spans[i].end >= second)
    return [(start, middle, first, mid_span), (second, end, next_span, last)]
