"""Domain errors of ingestion and index access; the CLI and UI turn them into messages."""


class CountyRagError(Exception):
    """Base of the errors this project raises on purpose."""


class FileRejected(CountyRagError):
    """A file cannot be indexed; the message is the one-line reason shown next to its path.

    `kind` names the reason (e.g. "too_large") and `details` its figures, so that an interface
    can say it in its own language; an empty kind has only the English message.
    """

    def __init__(self, reason: str, kind: str = "", **details: float | str):
        super().__init__(reason)
        self.kind = kind
        self.details = details


def unexpected(exc: BaseException, doing: str) -> FileRejected:
    """A short reason for an error no loader anticipated: its type and first line, no traceback."""
    lines = str(exc).strip().splitlines()
    message = lines[0][:160] if lines else ""
    return FileRejected(f"{doing}: {type(exc).__name__}" + (f": {message}" if message else ""))


class IndexMismatch(CountyRagError):
    """The index was built with another embedding model or format."""


class IndexMissing(CountyRagError):
    """There is no index where one was expected."""


class ModelUnavailable(CountyRagError):
    """An embedding or reranking model cannot be loaded and no fallback is allowed."""
