"""What became of uploaded files that are not (or not yet) in the index: a small JSON file next to
the uploads folder, so that files cut off by a crash are indexed at the next start and failures
keep their reason across restarts.

Each entry, by file name: {"state": "waiting" | "failed", "visibility": chosen or null,
"reason": English one-line reason, "kind" and "details": the reason for translation, "at"}.
A file leaves it once indexed. Every change is a locked read-modify-write, saved atomically.
"""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from filelock import FileLock

from ingest.errors import FileRejected
from ingest.sync import SyncReport

MAX_FAILED = 200  # failures remembered (the oldest are forgotten first)


@dataclass(frozen=True)
class UploadState:
    """An uploaded file that is waiting to be indexed or failed."""

    name: str
    state: str  # "waiting" | "failed"
    visibility: str | None = None
    reason: str = ""
    kind: str = ""
    details: dict | None = None
    at: str = ""

    @property
    def rejection(self) -> FileRejected:
        """The failure reason as ingestion raised it (for display in the interface's language)."""
        return FileRejected(self.reason, self.kind, **(self.details or {}))


class UploadStatus:
    """The status file of one uploads folder."""

    def __init__(self, folder: Path):
        self.path = folder.with_name(folder.name + ".status.json")

    def entries(self) -> dict[str, UploadState]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except ValueError:  # never half-written (atomic saves); a hand edit gone wrong
            return {}
        return {name: UploadState(name, **fields) for name, fields in raw.items()}

    def mark_waiting(self, names: list[str], visibility: str | None) -> None:
        """Record files about to be placed in the folder, with the visibility chosen for them."""
        with self._editing() as entries:
            for name in names:
                entries[name] = UploadState(name, "waiting", visibility, at=_now())

    def record(self, report: SyncReport) -> None:
        """Files a sync of the uploads indexed leave the file; failed ones keep their reason."""
        with self._editing() as entries:
            for source in [*report.added, *report.updated, *report.unchanged]:
                entries.pop(source, None)
            for path, reason in report.failed:
                name = Path(path).name
                old = entries.get(name)
                entries[name] = UploadState(name, "failed", old.visibility if old else None, str(reason),
                                            getattr(reason, "kind", ""), getattr(reason, "details", {}),
                                            _now())
            failed = sorted((e for e in entries.values() if e.state == "failed"), key=lambda e: e.at)
            for entry in failed[:-MAX_FAILED]:
                del entries[entry.name]

    def forget(self, name: str) -> None:
        with self._editing() as entries:
            entries.pop(name, None)

    @contextmanager
    def _editing(self) -> Iterator[dict[str, UploadState]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.path) + ".lock", timeout=30):
            entries = self.entries()
            yield entries
            data = {name: {k: v for k, v in vars(e).items() if k != "name"} for name, e in entries.items()}
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.part")
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, self.path)


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")
