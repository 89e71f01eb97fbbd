"""One turn of the investor chat: an approved answer when one matches closely, else the
assistant's answer. Surfaces (UI, API) call this; they hold no answering logic."""

import logging
import time
from collections.abc import Iterator
from typing import Protocol

from app.language.query import language_of
from app.staff.approved import ApprovedAnswer, ApprovedLibrary

from .answer import Answer, Citation
from .assistant import Assistant, History
from .provenance import disclosure

logger = logging.getLogger(__name__)

HISTORY_TURNS = 4  # earlier exchanges a follow-up question is read against (the latest ones)


class TurnLog(Protocol):
    """Where a surface wants its turns logged (app.staff.conversations.TurnRecorder)."""

    def record(self, answer: Answer, role: str, seconds: float) -> None: ...


def respond(assistant: Assistant, library: ApprovedLibrary | None, question: str,
            role: str = "investor", history: History = (),
            log: TurnLog | None = None) -> Iterator[str | Answer]:
    """Pieces of the reply, then the final Answer (mode "approved" for a library answer),
    logged to `log` (with the seconds it took) before it is yielded. `history` is the
    conversation so far; its latest HISTORY_TURNS exchanges are used."""
    started = time.perf_counter()
    for piece in _reply(assistant, library, question, role, list(history)[-HISTORY_TURNS:]):
        if log is not None and isinstance(piece, Answer):
            log.record(piece, role, time.perf_counter() - started)
        yield piece


def _reply(assistant: Assistant, library: ApprovedLibrary | None, question: str, role: str,
           history: History) -> Iterator[str | Answer]:
    entry = library.match(question, assistant.settings.approved_match) if library else None
    if entry is not None and not disclosure(assistant.retriever, entry.answer, entry.citations,
                                            role).allowed:
        logger.info("approved answer %s not shown to %s: its text or sources are not all visible to them",
                 entry.id, role)
        entry = None
    if entry is None:
        yield from assistant.stream(question, role=role, history=history)
        return
    yield entry.answer
    yield approved_answer(question, entry)


def approved_answer(question: str, entry: ApprovedAnswer) -> Answer:
    citations = [Citation(**c) for c in entry.citations]
    return Answer(question=question, text=entry.answer, answered=True, citations=citations,
                  retrieved=[], scores=[], mode="approved", language=language_of(question),
                  standalone_question=entry.question if entry.question != question else None)
