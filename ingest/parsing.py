"""Parsing in a worker process: a stuck parser can be stopped, and memory a parser took is given back.

`FileParser.parse` hands a file's bytes to a worker process (`python -m ingest.parsing`, started
on first use and reused for the files after), which runs `parse_document` and sends back the
Document or the reason the file was rejected. The worker is a fresh interpreter: it inherits no
thread, model or open index from the caller, and never imports the caller's main module (as
multiprocessing's spawn and forkserver do), so a script calling `sync` needs no main guard.

- Progress: what a loader reports (`progress("page 3/12")`) is sent back on the same connection
  as it happens and handed to the caller's callback, in the caller's process.
- Time limit: every message from the worker restarts the clock, so the limit is per file without
  progress; a loader that reports each page gets that much time per page. When it runs out, the
  worker is killed; the next file starts a new one.
- Memory: a worker that still holds more than RECYCLE_MB after a file is replaced, so what a
  parser took goes back to the system. A worker that dies (out of memory, a crash in a C library)
  fails that file only.
"""

import os
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from .documents import Document
from .errors import FileRejected

RECYCLE_MB = 512
STARTUP_SECONDS = 120  # a worker not ready by then is taken for broken
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent

Progress = Callable[[str], None]


def _serve(conn: Connection, caller: int) -> None:
    """The worker: parse the files sent until the connection closes or None arrives; exit
    mid-file if the caller (process id `caller`) is gone (killed, even with kill -9)."""
    from .loaders import parse_document

    def orphaned() -> None:
        while os.getppid() == caller:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=orphaned, daemon=True).start()
    conn.send(("ready", None))  # loaders imported: the time limit starts from here

    def progress(message: str) -> None:
        conn.send(("progress", message))

    while True:
        try:
            job = conn.recv()
        except EOFError:  # the caller is gone
            return
        if job is None:
            return
        data, source, ocr = job
        try:
            reply = ("done", parse_document(data, source, progress, ocr=ocr))
        except FileRejected as exc:
            reply = ("rejected", exc)
        conn.send((*reply, _resident_mb()))


def _resident_mb() -> float:
    """Memory the process holds now (not its peak: Linux carries the peak over from the process
    that started it)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * resource.getpagesize() / 2**20


class FileParser:
    """Parses files one at a time in a reused worker process (started on first use)."""

    def __init__(self, timeout: float, recycle_mb: float = RECYCLE_MB):
        self.timeout = timeout
        self.recycle_mb = recycle_mb
        self._process: subprocess.Popen | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> "FileParser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def parse(self, data: bytes, source: str, progress: Progress | None = None, *,
              ocr: bool = True) -> Document:
        """The Document of `data` (read from `source`; OCR where there is no text layer, unless
        `ocr` is off), or FileRejected with the reason."""
        conn = self._send((data, source, ocr))
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
            if rest and rest[0] > self.recycle_mb:
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
        ours, theirs = socket.socketpair()
        path = os.pathsep.join(filter(None, [str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH")]))
        with theirs:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "ingest.parsing", str(theirs.fileno()), str(os.getpid())],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": path})
        self._conn = Connection(ours.detach())
        try:  # starting takes seconds on a busy machine: not counted against the file's time
            ready = self._conn.poll(STARTUP_SECONDS) and self._conn.recv()[0] == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._stop(kill=True)
            raise FileRejected("the reader process could not be started", kind="crashed")

    def _stop(self, kill: bool = False) -> int | None:
        """End the worker (politely unless `kill`); returns its exit code."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is None or conn is None:
            return None
        if not kill:
            try:
                conn.send(None)
                process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if process.poll() is None:
            process.kill()
        conn.close()
        return process.wait()


if __name__ == "__main__":  # the worker: python -m ingest.parsing FD CALLER_PID
    _serve(Connection(int(sys.argv[1])), int(sys.argv[2]))
