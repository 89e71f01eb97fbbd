"""Parsing in a worker process: a stuck parser can be stopped, and memory a parser took is given back.

`FileParser.parse` hands a file's bytes to a worker process, which runs `parse_document` and sends
back the Document or the reason the file was rejected. Workers come from a forkserver that has
the loaders imported already, so starting one costs a fork, not an interpreter start-up, and no
thread or model of the calling process (torch, Gradio) is inherited.

- Progress: what a loader reports (`progress("page 3/12")`) is sent back on the same pipe as it
  happens and handed to the caller's callback, in the caller's process.
- Time limit: every message from the worker restarts the clock, so the limit is per file without
  progress; a loader that reports each page gets that much time per page. When it runs out, the
  worker is killed; the next file starts a new one.
- Memory: a worker whose peak memory passed RECYCLE_MB is replaced after the file, so what a
  parser took goes back to the system. A worker that dies (out of memory, a crash in a C library)
  fails that file only.
"""

import multiprocessing
import resource
from collections.abc import Callable
from multiprocessing.connection import Connection

from .documents import Document
from .errors import FileRejected

RECYCLE_MB = 512
_PRELOAD = ["ingest.loaders"]

Progress = Callable[[str], None]


def _serve(conn: Connection) -> None:
    """The worker: parse the files sent until the pipe closes or None arrives."""
    from .loaders import parse_document

    def progress(message: str) -> None:
        conn.send(("progress", message))

    while True:
        try:
            job = conn.recv()
        except EOFError:  # the caller is gone
            return
        if job is None:
            return
        data, source = job
        try:
            reply = ("done", parse_document(data, source, progress))
        except FileRejected as exc:
            reply = ("rejected", exc)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        conn.send((*reply, peak_mb))


class FileParser:
    """Parses files one at a time in a reused worker process (started on first use)."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> "FileParser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def parse(self, data: bytes, source: str, progress: Progress | None = None) -> Document:
        """The Document of `data` (read from `source`), or FileRejected with the reason."""
        conn = self._send((data, source))
        while True:
            if not conn.poll(self.timeout):
                self._stop(kill=True)
                raise FileRejected(
                    f"reading it took more than {self.timeout:g} s without progress; stopped "
                    "(COUNTY_RAG_PARSE_TIMEOUT)", kind="timeout", seconds=self.timeout)
            try:
                kind, value, *rest = conn.recv()
            except (EOFError, OSError):
                code = self._stop(kill=True)
                raise FileRejected(f"the reader stopped unexpectedly (exit code {code}); "
                                   "the file may be too large or malformed", kind="crashed") from None
            if kind == "progress":
                if progress is not None:
                    progress(value)
                continue
            if rest and rest[0] > RECYCLE_MB:
                self._stop()
            if kind == "rejected":
                raise value
            return value

    def close(self) -> None:
        self._stop()

    def _send(self, job: tuple) -> Connection:
        """Send a job to the worker, starting one if there is none (or it has died)."""
        for _ in range(2):
            if self._conn is None:
                self._start()
            try:
                self._conn.send(job)
                return self._conn
            except (BrokenPipeError, OSError):
                self._stop(kill=True)
        raise FileRejected("the reader process could not be started", kind="crashed")

    def _start(self) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        ours, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(theirs,), name="county-rag-parser",
                                        daemon=True)
        self._process.start()
        theirs.close()
        self._conn = ours

    def _stop(self, kill: bool = False) -> int | None:
        """End the worker (politely unless `kill`); returns its exit code."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is None:
            return None
        if not kill:
            try:
                conn.send(None)
                process.join(timeout=5)
            except OSError:
                pass
        if process.is_alive():
            process.kill()
        process.join()
        conn.close()
        return process.exitcode
