"""Errors of the HTTP API as JSON in OpenAI's shape, `{"error": {"message", "type", "code"}}`,
so that OpenAI clients show the message. The API's routes (`api_route`) turn every refusal
(bad JSON, a missing field, a body over the size limit, a bad key) into one, and every failure
too: callers are told the service is unavailable, the log gets the reason (which may name
paths or hosts that are not the callers' business)."""

import logging
from collections.abc import Callable

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from ingest.errors import CountyRagError

UNAVAILABLE = "the assistant is unavailable right now; please try again later"
INTERNAL = "internal error while answering"

log = logging.getLogger(__name__)

_TYPES = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error",
          413: "invalid_request_error"}


class ApiError(HTTPException):
    """A refusal with a status, a clear message and a short machine-readable code."""

    def __init__(self, status: int, message: str, code: str):
        super().__init__(status, message)
        self.code = code


def error_body(status: int, message: str, code: str | None = None) -> dict:
    return {"error": {"message": message, "type": _TYPES.get(status, "server_error"), "code": code}}


def error_response(status: int, message: str, code: str | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, message, code), status_code=status)


def _validation_message(exc: RequestValidationError) -> str:
    first = exc.errors()[0]
    if first.get("type") == "json_invalid":
        return "the request body is not valid JSON"
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    return f"{where}: {first.get('msg', 'invalid')}" if where else first.get("msg", "invalid request")


async def _read_body(request: Request, limit: int) -> Request | None:
    """The request with its body read (at most `limit` bytes), or None when it is larger;
    a declared length over the limit is refused before anything is read."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None

    async def replay() -> dict:
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    return Request(request.scope, replay)


def api_route(max_body_bytes: int) -> type[APIRoute]:
    """The route class of the API: bodies over `max_body_bytes` are refused (413) and every
    refusal is a JSON error."""

    class ApiRoute(APIRoute):
        def get_route_handler(self) -> Callable:
            handler = super().get_route_handler()

            async def route(request: Request) -> Response:
                read = await _read_body(request, max_body_bytes)
                if read is None:
                    return error_response(413, f"the request body is too large (at most "
                                          f"{max_body_bytes // 1024} KB)", "body_too_large")
                try:
                    return await handler(read)
                except RequestValidationError as exc:
                    return error_response(400, _validation_message(exc), "invalid_request")
                except ApiError as exc:
                    return error_response(exc.status_code, exc.detail, exc.code)
                except HTTPException as exc:
                    return error_response(exc.status_code, str(exc.detail))
                except CountyRagError:
                    log.exception("%s %s", request.method, request.url.path)
                    return error_response(503, UNAVAILABLE, "unavailable")
                except Exception:
                    log.exception("%s %s", request.method, request.url.path)
                    return error_response(500, INTERNAL, "internal_error")

            return route

    return ApiRoute
