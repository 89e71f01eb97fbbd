"""The records that flow through ingestion: blocks from loaders, documents, chunks."""

from dataclasses import dataclass

PROSE, TABLE = "prose", "table"


@dataclass(frozen=True)
class Block:
    """One paragraph, heading or table row as a loader found it.

    `table` numbers the document's tables from 1 (0 = not a table row); `ocr` marks text
    recognised from an image of the page rather than read from a text layer.
    """

    text: str
    page: int | None = None
    heading_level: int = 0  # 0 = body text; 1..6 = heading depth
    table: int = 0
    ocr: bool = False

    @property
    def kind(self) -> str:
        return TABLE if self.table else PROSE


@dataclass(frozen=True)
class Span:
    """A paragraph of a document's text: where it is, its page and the headings above it."""

    start: int
    end: int
    page: int | None
    heading_path: tuple[str, ...]
    is_heading: bool = False
    table: int = 0  # as Block.table
    ocr: bool = False

    @property
    def kind(self) -> str:
        return TABLE if self.table else PROSE


@dataclass
class Document:
    """A loaded file: cleaned text with paragraph spans, ready to be chunked."""

    source: str  # path relative to the synced folder, '/'-separated
    title: str
    text: str
    spans: list[Span]
    sha256: str
    file_type: str
    pages: int = 0  # highest page number (0 when the format has no pages)
    tables: int = 0
    ocr_pages: int = 0

    def summary(self) -> str:
        """What was read, for the per-file line of an ingest: pages, tables, OCR'd pages."""
        counts = [(self.pages, "page"), (self.tables, "table"), (self.ocr_pages, "OCR'd page")]
        return ", ".join(f"{n} {what}{'s' if n > 1 else ''}" for n, what in counts if n)


@dataclass(frozen=True)
class Chunk:
    """A passage of a document, as stored in the index."""

    id: str
    doc_id: str
    seq: int
    text: str  # verbatim slice of Document.text, shown to users
    title: str
    heading_path: tuple[str, ...]
    page: int | None
    page_end: int | None
    char_start: int
    char_end: int
    tokens: int = 0  # model tokens of the index text
    table: int = 0  # as Block.table: a chunk holds rows of one table or prose, never both
    ocr: bool = False  # some of its text was recognised from a scan
    dense: bool = True  # False: the model cannot read it; its stored vector is a placeholder
    page_starts: tuple[tuple[int, int], ...] = ()  # (offset in text, page) where a later page begins

    @property
    def kind(self) -> str:
        return TABLE if self.table else PROSE

    @property
    def heading(self) -> str:
        return heading_string(self.heading_path)

    @property
    def index_text(self) -> str:
        return index_text(self.title, self.heading, self.text)


HEADING_SEPARATOR = " > "


def heading_string(path: tuple[str, ...]) -> str:
    """The heading path as stored in metadata."""
    return HEADING_SEPARATOR.join(path)


def index_text(title: str, heading: str, passage: str) -> str:
    """The text embedded and keyword-indexed for a passage: title, heading path, passage."""
    return "\n".join(part for part in (title, heading, passage) if part)


def rejoin(pieces: list[tuple[int, int, str]]) -> str:
    """A document's text rebuilt from its chunks, given as (char_start, char_end, text).

    Overlaps are taken once; the white space skipped between chunks becomes a line break.
    """
    text, end = "", None
    for start, stop, passage in sorted(pieces):
        if end is None or start >= end:
            text += ("\n" if text else "") + passage
        elif stop > end:
            text += passage[end - start:]
        end = stop if end is None else max(end, stop)
    return text
