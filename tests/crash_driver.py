"""Run a `county-rag` command, or a staff upload, stopping after every write to Chroma, so that a
test can kill -9 it at an exact moment of its work.

`python -m tests.crash_driver ingest DOCS --store S ...` runs the CLI; `python -m tests.crash_driver
upload STORE UPLOADS VISIBILITY FILE...` runs `app.staff.workspace.upload`. Every write (an upsert
or update, split into one call per chunk so that a version can be caught half written; a delete;
a change of the collection's metadata) prints `write <n> <what>` to stderr when done, then waits
for a line on stdin before going on. The test answers each line, or kills the process instead.
Nothing else is changed: the writes are Chroma's own, in a real process, on a real index.
"""

import sys

_count = 0


def _pause(what: str) -> None:
    global _count
    _count += 1
    print(f"write {_count} {what}", file=sys.stderr, flush=True)
    sys.stdin.readline()


def _instrument() -> None:
    from chromadb.api.models.Collection import Collection

    def one_by_one(name: str):
        original = getattr(Collection, name)

        def write(self, ids, **lists):
            for i, chunk_id in enumerate(ids):
                original(self, ids=[chunk_id],
                         **{k: (v[i:i + 1] if v is not None else None) for k, v in lists.items()})
                _pause(f"{name} {chunk_id}")
        return write

    def then_pause(name: str):
        original = getattr(Collection, name)

        def write(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            _pause(name)
            return result
        return write

    for name in ("upsert", "update"):
        setattr(Collection, name, one_by_one(name))
    for name in ("delete", "modify"):
        setattr(Collection, name, then_pause(name))


def main(argv: list[str]) -> None:
    _instrument()
    if argv[0] == "upload":
        from pathlib import Path

        from app.settings import Settings
        from app.staff.workspace import upload

        store, uploads, visibility, *files = argv[1:]
        settings = Settings(_env_file=None, store=Path(store), embed_model="bundled",
                            uploads_dir=Path(uploads))
        upload(settings, [Path(f) for f in files], visibility)
        return
    from app.cli import cli

    cli(argv)


if __name__ == "__main__":  # not when a worker process imports this module as __mp_main__
    main(sys.argv[1:])
