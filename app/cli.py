"""The `county-rag` command: ingest, ask, serve, reports, API keys. Settings are read here and
passed down."""

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ingest.errors import CountyRagError

from .settings import Settings

cli = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
report = typer.Typer(no_args_is_help=True, help="Reports for staff.")
api_key = typer.Typer(no_args_is_help=True, help="Staff API keys: a key gives the HTTP API's staff role.")
cli.add_typer(report, name="report")
cli.add_typer(api_key, name="api-key")
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

StoreOption = Annotated[
    Path | None, typer.Option("--store", help="Index folder (default: COUNTY_RAG_STORE or index_store/).")
]


@cli.callback()
def _group() -> None:
    """Answers questions about a county from its own documents, with cited passages."""


def load_settings(store: Path | None = None, **overrides) -> Settings:
    """Settings from the environment and .env, with command-line overrides on top."""
    values = {k: v for k, v in overrides.items() if v is not None}
    if store is not None:
        values["store"] = store
    return Settings(**values)


def note(message: str) -> None:
    err.print(f"note: {message}", style="yellow", markup=False)


def fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


@cli.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Folders to sync (or single files to add).")],
    store: StoreOption = None,
    rebuild: Annotated[bool, typer.Option(help="Drop the index first and rebuild it from scratch.")] = False,
    visibility: Annotated[
        str | None, typer.Option(help="Visibility of every file of the run, new, changed or unchanged: "
                                      "public or internal (default: indexed files keep theirs, new "
                                      "ones get COUNTY_RAG_DEFAULT_VISIBILITY).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="A line per file.")] = False,
) -> None:
    """Make the index match the folders: new and changed files indexed, deleted ones removed.
    Work an earlier run or upload left unfinished is finished first."""
    from app.staff.workspace import recover
    from ingest.sync import sync

    from .terminal import IngestView

    if visibility not in (None, "public", "internal"):
        fail("--visibility must be public or internal", 2)
    settings = load_settings(store)
    view = IngestView(err, verbose=verbose)
    try:
        with view:
            recover(settings, view.notice, view)
            report = sync(settings, paths, view, rebuild=rebuild, visibility=visibility)
    except CountyRagError as exc:
        fail(str(exc))
    for path, reason in report.failed:
        err.print(f"{path}: {reason}", markup=False)
    for source, status, shown in report.written:
        out.print(f"{source}: {status} · {shown}", markup=False)
    out.print(report.summary(), markup=False)
    if report.failed:
        raise typer.Exit(1)


@cli.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question (omit with --batch).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    batch: Annotated[
        Path | None, typer.Option(help="JSONL file of {\"question\": ...}; writes one answer per line.")
    ] = None,
    top_k: Annotated[int | None, typer.Option("--top-k", min=1, help="Passages to retrieve.")] = None,
    role: Annotated[str, typer.Option(help="investor (public documents) or staff (all).")] = "investor",
    store: StoreOption = None,
) -> None:
    """Answer a question from the documents, with the passages it relied on."""
    import json

    from app.answering.assistant import Assistant
    from app.retrieval.retriever import ROLES

    from .terminal import print_answer

    if role not in ROLES:
        fail(f"--role must be one of {', '.join(ROLES)}", 2)
    if (question is None) == (batch is None):
        fail("give a QUESTION or --batch FILE", 2)
    questions = [question] if question is not None else _batch_questions(batch)
    settings = load_settings(store)
    try:
        assistant = Assistant.open(settings, note)
        for text in questions:
            answer = assistant.ask(text, role=role, top_k=top_k)
            if as_json or batch is not None:
                print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
            else:
                print_answer(out, answer, keyword_led=assistant.keyword_led)
    except CountyRagError as exc:
        fail(str(exc))


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 7860).")] = None,
    store: StoreOption = None,
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help="Open a browser tab.")] = False,
) -> None:
    """Serve the investor chat at /, and the staff workspace at /staff/ when logins are configured."""
    from app.server import serve as run

    settings = load_settings(store, host=host, port=port)
    try:
        run(settings, open_browser=open_browser,
               notify=lambda m: err.print(f"note: {m}", style="yellow", markup=False))
    except CountyRagError as exc:
        fail(str(exc))


@cli.command("eval")
def evaluate(
    questions: Annotated[Path, typer.Argument(help="JSONL question file (format: see the README).")],
    store: StoreOption = None,
    role: Annotated[str, typer.Option(help="investor (public documents) or staff (all).")] = "investor",
    top_k: Annotated[int | None, typer.Option("--top-k", min=1, help="Passages to retrieve.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    failures: Annotated[bool, typer.Option("--failures", help="List each failed question.")] = False,
) -> None:
    """Measure the assistant on a question file: retrieval, answers, refusals, citations, latency."""
    import json

    from app.answering.assistant import Assistant
    from app.retrieval.retriever import ROLES
    from app.staff import evaluation

    if role not in ROLES:
        fail(f"--role must be one of {', '.join(ROLES)}", 2)
    try:
        items = evaluation.read_questions(questions)
    except CountyRagError as exc:
        fail(str(exc), 2)
    settings = load_settings(store)
    try:
        assistant = Assistant.open(settings, lambda m: err.print(f"note: {m}", style="yellow", markup=False))
        outcomes = evaluation.run(assistant, items, role=role, top_k=top_k)
    except CountyRagError as exc:
        fail(str(exc))
    if as_json:
        print(json.dumps(evaluation.as_json(outcomes, failures), ensure_ascii=False, indent=1))
        return
    if failures:
        for outcome in outcomes:
            if outcome.failed:
                out.print("\n".join(evaluation.failure_lines(outcome)), markup=False)
        out.print()
    out.print(evaluation.table(evaluation.report(outcomes)), markup=False)


@cli.command("hash-password")
def hash_password_command() -> None:
    """Print a password hash for COUNTY_RAG_STAFF_USERS (the password is asked, not echoed)."""
    from app.staff.auth import hash_password

    password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    print(hash_password(password))


@report.command("gaps")
def report_gaps(
    since: Annotated[float | None, typer.Option(min=0, metavar="DAYS", help="Only the last DAYS days.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    store: StoreOption = None,
) -> None:
    """Questions that went unanswered or were judged wrong, grouped by topic, largest first."""
    import json

    from app.staff.gaps import gap_report
    from app.staff.state import open_state
    from ingest.embedder import load_embedder

    from .terminal import print_gaps

    settings = load_settings(store)
    try:
        state = open_state(settings)
        gaps = gap_report(state.conversations, since, lambda: load_embedder(settings, note))
    except CountyRagError as exc:
        fail(str(exc))
    if as_json:
        print(json.dumps({"since_days": since, "gaps": [g.to_json() for g in gaps]}, ensure_ascii=False))
    else:
        print_gaps(out, gaps, since)


@api_key.command("create")
def api_key_create(name: Annotated[str, typer.Argument(help="Who holds the key, e.g. hotline-desk.")],
                   store: StoreOption = None) -> None:
    """Make a key (replacing NAME's key, if any) and print it: it is shown only this once."""
    try:
        print(_state(store).api_keys.create(name))
    except ValueError as exc:
        fail(str(exc), 2)


@api_key.command("list")
def api_key_list(store: StoreOption = None) -> None:
    """Who holds a key, and since when (keys themselves are not stored)."""
    for name, created in _state(store).api_keys.names():
        print(f"{name}\t{created.isoformat(timespec='seconds')}Z")


@api_key.command("revoke")
def api_key_revoke(name: Annotated[str, typer.Argument(help="Whose key to revoke.")],
                   store: StoreOption = None) -> None:
    """Revoke NAME's key (servers stop accepting it within a minute)."""
    if not _state(store).api_keys.revoke(name):
        fail(f"no API key named {name!r}")


def _state(store: Path | None):
    """The app state (database) of the settings, or a clean exit with the reason."""
    from app.staff.state import open_state

    try:
        return open_state(load_settings(store))
    except CountyRagError as exc:
        fail(str(exc))


def _batch_questions(path: Path) -> list[str]:
    """Questions of a JSONL file; a bad line stops with a message naming the line."""
    import json

    questions = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        fail(f"{path}: {exc.strerror or exc}", 2)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            questions.append(str(record["question"]))
        except (ValueError, KeyError, TypeError):
            fail(f"{path}:{number}: not a JSON object with a \"question\" field", 2)
    return questions


def main() -> None:
    """Console entry point."""
    sys.exit(cli())
