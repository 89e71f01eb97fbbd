"""`county-rag serve`: one FastAPI app, run by uvicorn.

- `/v1/…`: the HTTP API (app/api/: OpenAI-compatible chat completions, models, feedback, the
  website widget), CORS for the origins in COUNTY_RAG_API_ORIGINS; its schema at `/openapi.json`
  and `/docs`.
- `/`: the investor chat (Gradio), public documents only; it accepts no uploads and serves no files.
- `/staff/login`, `/staff/logout`, `/staff/session`: the staff login (app/web/login.py).
- `/staff/`: the staff workspace (Gradio), every route of it behind a valid staff session.
Uploads are held to the limits of app/web/uploads.py. State (approved answers, the conversation
log and feedback, API keys, staff sessions) is in the app database (app/staff/state.py), so
several servers behind one reverse proxy share it.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import gradio as gr
from fastapi import FastAPI

from app.answering.assistant import Assistant
from app.api.cors import allow_origins
from app.api.router import create_router
from app.settings import Settings
from app.staff import workspace
from app.staff.conversations import PURGE_EVERY
from app.staff.sessions import DatabaseSessions, SessionStore
from app.staff.state import AppState, open_state
from app.staff.throttle import LoginThrottle
from app.web.login import STAFF_PATH, StaffEntrance, login_router, session_user
from app.web.staff import SESSION_JS, build_staff_app
from app.web.style import CSS, theme
from app.web.ui import build_app
from app.web.uploads import UploadLimits, upload_cache

log = logging.getLogger(__name__)


def create_app(settings: Settings, assistant: Assistant, state: AppState,
               sessions: SessionStore | None = None) -> FastAPI:
    """The whole server; staff `sessions` default to the app database's (shared by servers)."""
    sessions = sessions or DatabaseSessions(state.database)
    throttle = LoginThrottle(settings.login_max_failures, settings.login_max_failures_per_address,
                             settings.login_lockout_minutes * 60)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        purging = asyncio.create_task(_purge_periodically(state))
        try:
            yield
        finally:
            purging.cancel()

    app = FastAPI(title="county-rag", version="1", lifespan=lifespan, redoc_url=None,
                  description="Answers about the county from its own documents, with citations. "
                              "OpenAI-compatible: point an OpenAI client at `/v1`.")
    app.include_router(create_router(settings, assistant, state.library, state.conversations,
                                     state.api_keys))
    app.include_router(login_router(settings, sessions, throttle))
    gradio_options = dict(server_name=settings.host, server_port=settings.port, theme=theme(), css=CSS,
                          ssr_mode=False, show_error=False, footer_links=[])
    if settings.staff_users:
        staff = build_staff_app(settings, assistant, state)
        staff.queue(default_concurrency_limit=settings.answer_concurrency)
        gr.mount_gradio_app(app, staff, STAFF_PATH, js=SESSION_JS,
                            auth_dependency=lambda request: session_user(sessions, request), **gradio_options)
    investor = build_app(settings, assistant, state.library, state.conversations)
    investor.queue(default_concurrency_limit=settings.answer_concurrency)
    # the chat serves no files: staff uploads and exports in Gradio's cache stay out of its reach
    gr.mount_gradio_app(app, investor, "/", blocked_paths=[str(upload_cache())], **gradio_options)
    app.add_middleware(StaffEntrance, sessions=sessions)
    app.add_middleware(UploadLimits, settings=settings, sessions=sessions, folder=upload_cache)
    allow_origins(app, settings)
    return app


async def _purge_periodically(state: AppState) -> None:
    """Conversations past their retention are deleted every PURGE_EVERY seconds, asked or not
    (open_state purged them at start)."""
    while True:
        await asyncio.sleep(PURGE_EVERY)
        try:
            await asyncio.to_thread(state.conversations.purge)
        except Exception:  # noqa: BLE001 - the database may be away for a while; try next time
            log.exception("purging old conversations")


def serve(settings: Settings, open_browser: bool = False,
          notify: Callable[[str], None] = lambda _: None) -> None:
    """Open the index and the app database (IndexMissing, DatabaseUnavailable propagate), build
    the app and serve it until stopped."""
    import uvicorn

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("app").setLevel(logging.INFO)  # logins, logouts, withheld answers
    workspace.recover(settings, notify)  # finish or roll back work a crash cut off
    assistant = Assistant.open(settings, notify)
    assistant.warm()  # the first investor does not wait for what loads on first use
    state = open_state(settings)
    app = create_app(settings, assistant, state)
    url = f"http://{settings.host}:{settings.port}/"
    print(f"county-rag: serving on {url} (staff: {url}staff/; API: {url}v1, schema {url}docs; "
          "Ctrl+C to stop)", flush=True)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.5, webbrowser.open, args=[url]).start()
    try:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning",
                    proxy_headers=True, forwarded_allow_ips=settings.trusted_proxies)
    finally:
        state.close()
