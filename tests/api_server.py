"""Serve the HTTP API for tests and benchmarks: the router mounted on a FastAPI app, run by a
real uvicorn server on 127.0.0.1 at a free port, in a background thread."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from app.answering.assistant import Assistant
from app.api.cors import allow_origins
from app.api.router import create_router
from app.settings import Settings
from app.staff.state import AppState

from .ui_server import free_port


def api_app(settings: Settings, assistant: Assistant, state: AppState) -> FastAPI:
    app = FastAPI(title="county-rag")
    app.include_router(create_router(settings, assistant, state.library, state.conversations,
                                     state.api_keys))
    allow_origins(app, settings)
    return app


@contextmanager
def serve_api(settings: Settings, assistant: Assistant, state: AppState) -> Iterator[str]:
    """The API's base URL (http://127.0.0.1:PORT) until the block ends."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(api_app(settings, assistant, state), host="127.0.0.1",
                                           port=port, log_level="warning", timeout_keep_alive=30))
    thread = threading.Thread(target=server.run, name="api-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the API server did not start on port {port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
