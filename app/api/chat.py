"""From an OpenAI chat request to a question with its history, and from an Answer to the
reply: one JSON completion, or server-sent events in OpenAI's chunk format."""

import json
import time

from app.answering.answer import Answer
from app.answering.assistant import History

from .errors import ApiError, error_body
from .schemas import MODEL_ID, ChatCompletion, ChatRequest, Choice, CitationOut, ReplyMessage

DONE = "data: [DONE]\n\n"


def question_and_history(request: ChatRequest, max_chars: int) -> tuple[str, History]:
    """The last user message, and the user/assistant exchanges before it."""
    turns = [m for m in request.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user" or not turns[-1].text.strip():
        raise ApiError(400, 'the last message must be the question: role "user", with text',
                       "no_question")
    question = turns[-1].text.strip()
    if len(question) > max_chars:
        raise ApiError(400, f"the question is {len(question)} characters long; at most "
                       f"{max_chars} are accepted", "question_too_long")
    history = [(turns[i].text.strip(), turns[i + 1].text.strip()) for i in range(len(turns) - 2)
               if turns[i].role == "user" and turns[i + 1].role == "assistant"]
    return question, history


def citations_of(answer: Answer) -> list[CitationOut]:
    return [CitationOut(n=c.n, chunk_id=c.chunk_id, source=c.source, title=c.title, page=c.page,
                        page_end=c.page_end, text=c.text, highlights=c.highlights) for c in answer.citations]


def completion(answer: Answer, answer_id: str) -> ChatCompletion:
    return ChatCompletion(id=answer_id, choices=[Choice(message=ReplyMessage(content=answer.text))],
                          answered=answer.answered, citations=citations_of(answer),
                          mode=answer.mode, notices=answer.notices)


class ChunkStream:
    """The events of one streamed reply: pieces of text as deltas, then a last chunk with the
    answer's citations, `answered`, and its final text as `message` (a model's draft can differ
    from it: an invalid citation removed, a fallback to the extractive answer)."""

    def __init__(self, answer_id: str):
        self.id = answer_id
        self.created = int(time.time())
        self.streamed = ""

    def _event(self, delta: dict, finish: str | None = None, **extra) -> str:
        chunk = {"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                 "model": MODEL_ID, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                 **extra}
        return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

    def start(self) -> str:
        return self._event({"role": "assistant", "content": ""})

    def piece(self, text: str) -> str:
        self.streamed += text
        return self._event({"content": text})

    def end(self, answer: Answer) -> list[str]:
        events = []
        if answer.text.startswith(self.streamed) and answer.text != self.streamed:
            events.append(self.piece(answer.text[len(self.streamed):]))
        last = {"answered": answer.answered,
                "citations": [c.model_dump() for c in citations_of(answer)],
                "mode": answer.mode, "notices": answer.notices,
                "message": {"role": "assistant", "content": answer.text}}
        return [*events, self._event({}, "stop", **last), DONE]

    @staticmethod
    def error(status: int, message: str) -> list[str]:
        return [f"data: {json.dumps(error_body(status, message), ensure_ascii=False)}\n\n", DONE]
