"""Domain errors of ingestion and index access; the CLI and UI turn them into messages."""


class CountyRagError(Exception):
    """Base of the errors this project raises on purpose."""


class FileRejected(CountyRagError):
    """A file cannot be indexed; the message is the one-line reason shown next to its path."""


class IndexMismatch(CountyRagError):
    """The index was built with another embedding model or format."""


class IndexMissing(CountyRagError):
    """There is no index where one was expected."""


class ModelUnavailable(CountyRagError):
    """An embedding or reranking model cannot be loaded and no fallback is allowed."""
