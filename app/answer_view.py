"""Plain-text, coloured display of an answer for people at a terminal."""

from rich.console import Console
from rich.text import Text

from .answer import Answer
from .messages import say


def print_answer(console: Console, answer: Answer, keyword_led: bool = False) -> None:
    if answer.standalone_question:
        console.print(Text(f"({answer.standalone_question})", style="dim"))
    console.print(Text(answer.text, style="bold" if answer.answered else "yellow"))
    for notice in answer.notices:
        console.print(Text(notice, style="yellow"))
    for citation in answer.citations:
        where = citation.source + (f", p. {citation.page}" if citation.page else "")
        console.print(Text(f"[{citation.n}] {citation.title} ({where})", style="cyan"))
        console.print(Text("    " + citation.text.replace("\n", " "), style="dim"))
    mode = answer.mode + (f"; {say('keyword_led', answer.language)}" if keyword_led else "")
    console.print(Text(mode, style="dim"))
