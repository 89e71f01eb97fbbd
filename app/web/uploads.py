"""Uploads into Gradio's cache: from logged-in staff only, and within bounds.

Gradio writes the files of any multipart POST (its upload route) into its temporary folder
before a handler sees them. This ASGI middleware stands in front of both apps: multipart POSTs
outside the staff workspace, or without a valid staff session, are refused before a byte is
read; staff uploads are held, as the bytes arrive, to a number of files, a size per file and a
disk budget for the whole folder. Refusals are one plain line in the page's language.
"""

import os
from collections.abc import Callable
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import Settings
from app.staff.sessions import SessionStore

from .login import STAFF_PATH, app_path, request_language, session_user
from .text import t


def upload_cache() -> Path:
    """Gradio's upload folder (GRADIO_TEMP_DIR, else <tmp>/gradio)."""
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder())


def discard(paths: list[str], folder: Path) -> None:
    """Remove uploaded files from the cache once they are kept elsewhere, with their folders
    when emptied; paths outside the cache are left alone."""
    root = folder.resolve()
    for path in map(Path, paths):
        path = path.resolve()
        if path.is_relative_to(root) and path != root:
            path.unlink(missing_ok=True)
            try:
                if path.parent != root:
                    path.parent.rmdir()  # only when empty
            except OSError:
                pass


def folder_bytes(folder: Path) -> int:
    """Bytes held by the files under a folder."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass  # removed meanwhile
    return total


class _Refusal(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class _Watch:
    """Follows a multipart body as it streams: counts files and their bytes, and the total."""

    def __init__(self, boundary: bytes, limits: "UploadLimits", lang: str, room: int):
        self.limits, self.lang, self.room = limits, lang, room
        self.files = self.size = self.total = 0
        self.name: str | None = None
        self.header = self.disposition = b""
        self.problem: _Refusal | None = None
        self.parser = MultipartParser(boundary, {
            "on_part_begin": self._part_begin, "on_header_field": self._field,
            "on_header_value": self._value, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._data,
        })

    def feed(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if self.total > self.room:
            self._refuse(507, "upload_cache_full", mb=f"{self.limits.cache_mb:g}")
        if self.problem is None:
            self.parser.write(chunk)
        if self.problem is not None:
            raise self.problem

    def _refuse(self, status: int, key: str, **values) -> None:
        self.problem = self.problem or _Refusal(status, t(self.lang, key, **values))

    def _part_begin(self) -> None:
        self.name, self.size, self.header, self.disposition = None, 0, b"", b""

    def _field(self, data: bytes, start: int, end: int) -> None:
        self.header += data[start:end]

    def _value(self, data: bytes, start: int, end: int) -> None:
        if self.header.lower() == b"content-disposition":
            self.disposition += data[start:end]

    def _header_end(self) -> None:
        self.header = b""

    def _headers_finished(self) -> None:
        filename = parse_options_header(self.disposition)[1].get(b"filename")
        if filename is None:
            return
        self.name = filename.decode("utf-8", "replace")
        self.files += 1
        if self.files > self.limits.max_files:
            self._refuse(413, "upload_too_many", n=self.limits.max_files)

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self.name is None:
            return
        self.size += end - start
        if self.size > self.limits.file_bytes:
            self._refuse(413, "upload_too_large", name=Path(self.name).name, mb=f"{self.limits.file_mb:g}")


class UploadLimits:
    """ASGI middleware: see the module's docstring. `folder` gives Gradio's upload folder."""

    def __init__(self, app: ASGIApp, settings: Settings, sessions: SessionStore,
                 folder: Callable[[], Path]):
        self.app, self.sessions, self.folder = app, sessions, folder
        self.staff = bool(settings.staff_users)
        self.max_files = settings.max_upload_files
        self.file_mb, self.cache_mb = settings.max_file_mb, settings.upload_cache_mb
        self.file_bytes, self.cache_bytes = int(self.file_mb * 2**20), int(self.cache_mb * 2**20)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        request = Request(scope)
        kind, options = parse_options_header(request.headers.get("content-type", ""))
        if not kind.startswith(b"multipart/"):
            return await self.app(scope, receive, send)
        lang = request_language(request)
        staff_route = self.staff and app_path(scope).startswith(f"{STAFF_PATH}/")
        if not (staff_route and session_user(self.sessions, request)):
            return await _reply(scope, receive, send, 403, t(lang, "upload_refused"))
        room = self.cache_bytes - folder_bytes(self.folder())
        if int(request.headers.get("content-length") or 0) > room:
            return await _reply(scope, receive, send, 507,
                                t(lang, "upload_cache_full", mb=f"{self.cache_mb:g}"))
        watch = _Watch(options.get(b"boundary", b""), self, lang, room)

        async def watched() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                try:
                    watch.feed(message.get("body", b""))
                except _Refusal as refusal:  # Gradio's parser removes its partial files, then answers
                    raise MultiPartException(refusal.message) from refusal
            return message

        async def answer(message: Message) -> None:
            if watch.problem is not None and message["type"] == "http.response.start":
                message = {**message, "status": watch.problem.status}
            await send(message)

        await self.app(scope, watched, answer)


async def _reply(scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
    await PlainTextResponse(message, status_code=status)(scope, receive, send)
