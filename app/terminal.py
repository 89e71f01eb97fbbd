"""Terminal display: an answer with its sources, the progress of an ingest, the gap report."""

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from app.answering.answer import Answer
from app.answering.messages import say
from app.staff.gaps import Gap
from ingest.sync import SyncEvents


def print_answer(console: Console, answer: Answer, keyword_led: bool = False) -> None:
    if answer.standalone_question:
        console.print(Text(f"({answer.standalone_question})", style="dim"))
    console.print(Text(answer.text, style="bold" if answer.answered else "yellow"))
    for notice in answer.notices:
        console.print(Text(notice, style="yellow"))
    for citation in answer.citations:
        where = citation.source + (f", p. {citation.pages}" if citation.pages else "")
        console.print(Text(f"[{citation.n}] {citation.title} ({where})", style="cyan"))
        console.print(Text("    " + citation.text.replace("\n", " "), style="dim"))
    mode = answer.mode + (f"; {say('keyword_led', answer.language)}" if keyword_led else "")
    console.print(Text(mode, style="dim"))


def print_gaps(console: Console, gaps: list[Gap], since_days: float | None) -> None:
    period = f"in the last {since_days:g} days" if since_days is not None else "in the log"
    if not gaps:
        console.print(f"no unanswered or thumbs-down questions {period}", markup=False)
        return
    console.print(Text(f"{sum(g.count for g in gaps)} questions {period} had no answer or one "
                       f"judged wrong, in {len(gaps)} topics:", style="dim"))
    for gap in gaps:
        console.print(Text(gap.summary(), style="bold"))
        for example in gap.examples:
            console.print(Text(f"    {example}"))


class IngestView(SyncEvents):
    """Shows sync events on a console; the bar only when the console is a terminal."""

    def __init__(self, console: Console, verbose: bool = False):
        self.console = console
        self.verbose = verbose
        self.progress = Progress(
            TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            TextColumn("{task.description}"), console=console, transient=True,
            disable=not console.is_terminal,
        )
        self.task = None

    def __enter__(self) -> "IngestView":
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def notice(self, message: str) -> None:
        self.console.print(f"note: {message}", style="yellow", markup=False, highlight=False)

    def start(self, total: int) -> None:
        self.task = self.progress.add_task("", total=total)

    def file_done(self, source: str, status: str, detail: str = "") -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=1, description=source[-40:])
        if status != "failed" or self.verbose:  # failures are listed with their reasons at the end
            line = f"{status}: {source}" + (f" ({detail})" if detail else "")
            self.console.print(line, markup=False, highlight=False)

    def file_progress(self, source: str, message: str) -> None:
        """On a terminal, the bar says where a file's reading is; elsewhere OCR pages get a line
        each (they take seconds), plain pages none."""
        description = f"{source[-30:]}: {message}"
        if self.task is not None and self.console.is_terminal:
            self.progress.update(self.task, description=description)
        elif message.startswith("OCR"):
            self.console.print(description, markup=False, highlight=False)
