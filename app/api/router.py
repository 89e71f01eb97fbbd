"""The HTTP API's routes: OpenAI-compatible chat completions (plain or streamed), the model
list, feedback on an answer, and the website widget's script.

Anonymous callers are investors (public documents only); a staff API key (`Authorization:
Bearer crk_…`) gives the staff role, a wrong one is refused; other tokens (OpenAI clients always
send one) are ignored. `app.server.create_app` includes it, beside the web chat, and lets the
widget's pages call it (`app.api.cors.allow_origins`).
"""

import logging
from collections.abc import AsyncIterator, Generator
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.answering.answer import Answer
from app.answering.assistant import Assistant
from app.answering.turn import respond
from app.settings import Settings
from app.staff.api_keys import ApiKeys, is_staff_key
from app.staff.approved import ApprovedLibrary
from app.staff.conversations import ConversationLog, anonymous_session
from ingest.errors import CountyRagError

from .chat import ChunkStream, completion, question_and_history
from .errors import INTERNAL, UNAVAILABLE, ApiError, api_route
from .schemas import (
    MODEL_ID,
    ChatCompletion,
    ChatRequest,
    ErrorReply,
    FeedbackReply,
    FeedbackRequest,
    Model,
    ModelList,
)
from .workers import Workers

PREFIX = "/v1"
WIDGET = Path(__file__).with_name("widget.js")
SURFACE = "api"

log = logging.getLogger(__name__)


def create_router(settings: Settings, assistant: Assistant, library: ApprovedLibrary | None,
                  conversations: ConversationLog, api_keys: ApiKeys) -> APIRouter:
    workers = Workers(settings.answer_concurrency)
    bearer = HTTPBearer(auto_error=False, description="A staff API key (crk_…, made with "
                        "`county-rag api-key create NAME`) gives the staff role; without one (or "
                        "with any other token) the caller is an investor.")
    router = APIRouter(prefix=PREFIX, route_class=api_route(settings.api_max_request_kb * 1024),
                       responses={code: {"model": ErrorReply} for code in (400, 401, 404, 413)})

    def caller_role(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str:
        if credentials is None or not is_staff_key(credentials.credentials):
            return "investor"
        if api_keys.holder(credentials.credentials) is None:
            raise ApiError(401, "the API key is not valid (investors need none)", "invalid_api_key")
        return "staff"

    @router.post("/chat/completions", response_model=ChatCompletion, responses={200: {
        "content": {"text/event-stream": {}},
        "description": "With `stream`: chat.completion.chunk events ending in `data: [DONE]`; the "
                       "last chunk carries `citations`, `answered` and the final `message`."}})
    async def chat_completions(body: ChatRequest, role: str = Depends(caller_role)):
        """Answer the last user message from the documents, with numbered citations."""
        question, history = question_and_history(body, settings.max_question_chars)
        turn = conversations.turn(SURFACE, anonymous_session(body.user))
        pieces = respond(assistant, library, question, role, history, log=turn)
        if body.stream:
            return StreamingResponse(_events(workers, pieces, ChunkStream(turn.id)),
                                     media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        *_, answer = await workers.run(lambda: list(pieces))
        return completion(answer, turn.id)

    @router.get("/models", response_model=ModelList)
    async def models() -> ModelList:
        return ModelList(data=[Model(id=MODEL_ID)])

    @router.post("/feedback", response_model=FeedbackReply)
    def feedback(body: FeedbackRequest) -> FeedbackReply:
        """Thumbs up or down, with an optional comment, on an answer by its id."""
        if not conversations.rate(body.id, body.rating, body.comment):
            raise ApiError(404, f"no answer with id {body.id!r}", "unknown_answer")
        return FeedbackReply(id=body.id, rating=body.rating)

    @router.get("/widget.js", include_in_schema=False)
    async def widget() -> FileResponse:
        return FileResponse(WIDGET, media_type="text/javascript; charset=utf-8",
                            headers={"Cache-Control": "public, max-age=300"})

    @router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                      include_in_schema=False)
    async def unknown(request: Request, path: str):
        raise ApiError(404, f"no {request.method} {PREFIX}/{path} here (see /openapi.json)", "not_found")

    return router


async def _events(workers: Workers, pieces: Generator[str | Answer, None, None],
                  stream: ChunkStream) -> AsyncIterator[str]:
    yield stream.start()
    try:
        async for piece in workers.iterate(pieces):
            if isinstance(piece, Answer):
                for event in stream.end(piece):
                    yield event
            else:
                yield stream.piece(piece)
    except Exception as exc:
        log.exception("answering (streamed) %s", stream.id)
        unavailable = isinstance(exc, CountyRagError)
        for event in stream.error(503 if unavailable else 500, UNAVAILABLE if unavailable else INTERNAL):
            yield event
