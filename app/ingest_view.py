"""Terminal display of an ingest: a progress bar on a terminal, notices, optional file lines."""

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ingest.sync import SyncEvents


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

    def file_done(self, source: str, status: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=1, description=source[-40:])
        if self.verbose:
            self.console.print(f"{status}: {source}", markup=False, highlight=False)
