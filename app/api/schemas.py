"""Requests and replies of the HTTP API (pydantic): OpenAI's chat-completion shapes, plus what
an answer here also carries (`answered`, `citations`, `mode`, `notices`)."""

import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MODEL_ID = "county-rag"
MAX_MESSAGES = 100
MAX_COMMENT_CHARS = 2000


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None

    @property
    def text(self) -> str:
        """The message's text (the text parts of a list of parts)."""
        if isinstance(self.content, list):
            return "".join(part.text or "" for part in self.content if part.type == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI's chat-completion request. Earlier user/assistant messages are the history a
    follow-up question is read against; system messages and sampling options are ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(MODEL_ID, description=f"Ignored: there is one model, {MODEL_ID!r}.")
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool = Field(False, description="Server-sent events in OpenAI's chunk format.")
    user: str | None = Field(None, max_length=200, description="An id of the asker's session "
                             "(kept only as a hash), so that staff can read a conversation.")


class CitationOut(BaseModel):
    n: int
    chunk_id: str
    source: str
    title: str
    page: int | None = Field(description="The page where the sentences the answer used begin.")
    page_end: int | None = Field(None, description="Their last page, when they run over a page end.")
    text: str
    highlights: list[str] = Field(description="The sentences of the passage the answer used.")


class ReplyMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str = Field(description="The answer, with [n] markers naming its citations.")


class Choice(BaseModel):
    index: int = 0
    message: ReplyMessage
    finish_reason: Literal["stop"] = "stop"


class ChatCompletion(BaseModel):
    id: str = Field(description="The answer's id, for /v1/feedback.")
    object: Literal["chat.completion"] = "chat.completion"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str = MODEL_ID
    choices: list[Choice]
    answered: bool = Field(description="False when the documents hold no answer.")
    citations: list[CitationOut]
    mode: str = Field(description="extractive, llm:<model> or approved (an answer staff approved).")
    notices: list[str] = Field(description="Cautions to show with the answer.")


class Model(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "county-rag"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Model]


class FeedbackRequest(BaseModel):
    id: str = Field(min_length=1, max_length=64, description="The id of the answer judged.")
    rating: Literal["up", "down"]
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS)


class FeedbackReply(BaseModel):
    id: str
    rating: Literal["up", "down"]
    recorded: bool = True


class ErrorDetail(BaseModel):
    message: str
    type: str
    code: str | None = None


class ErrorReply(BaseModel):
    error: ErrorDetail
