"""`county-rag serve`: one FastAPI app, run by uvicorn.

- `/`: the investor chat (Gradio), public documents only; it accepts no uploads and serves no files.
- `/staff/login`, `/staff/logout`, `/staff/session`: the staff login (app/web/login.py).
- `/staff/`: the staff workspace (Gradio), every route of it behind a valid staff session.
Uploads are held to the limits of app/web/uploads.py.
"""

import logging
from collections.abc import Callable
from pathlib import Path

import gradio as gr
from fastapi import FastAPI

from app.answering.assistant import Assistant
from app.settings import Settings
from app.staff import workspace
from app.staff.approved import ApprovedLibrary
from app.staff.sessions import MemorySessions, SessionStore
from app.staff.throttle import LoginThrottle
from app.web.login import STAFF_PATH, StaffEntrance, login_router, session_user
from app.web.staff import SESSION_JS, build_staff_app
from app.web.style import CSS, theme
from app.web.ui import build_app
from app.web.uploads import UploadLimits, upload_cache

QUEUE_CONCURRENCY = 4


def create_app(settings: Settings, assistant: Assistant, library: ApprovedLibrary | None,
               sessions: SessionStore | None = None) -> FastAPI:
    """The whole server; `sessions` defaults to sessions held in this process."""
    sessions = sessions or MemorySessions()
    throttle = LoginThrottle(settings.login_max_failures, settings.login_max_failures_per_address,
                             settings.login_lockout_minutes * 60)
    app = FastAPI(title="county-rag", docs_url=None, redoc_url=None)
    app.include_router(login_router(settings, sessions, throttle))
    gradio_options = dict(server_name=settings.host, server_port=settings.port, theme=theme(), css=CSS,
                          ssr_mode=False, show_error=False, footer_links=[])
    if settings.staff_users:
        staff = build_staff_app(settings, assistant, library)
        staff.queue(default_concurrency_limit=QUEUE_CONCURRENCY)
        gr.mount_gradio_app(app, staff, STAFF_PATH, js=SESSION_JS,
                            auth_dependency=lambda request: session_user(sessions, request), **gradio_options)
    investor = build_app(settings, assistant, library)
    investor.queue(default_concurrency_limit=QUEUE_CONCURRENCY)
    # the chat serves no files: staff uploads and exports in Gradio's cache stay out of its reach
    gr.mount_gradio_app(app, investor, "/", blocked_paths=[str(upload_cache())], **gradio_options)
    app.add_middleware(StaffEntrance, sessions=sessions)
    app.add_middleware(UploadLimits, settings=settings, sessions=sessions, folder=upload_cache)
    return app


def serve(settings: Settings, open_browser: bool = False,
          notify: Callable[[str], None] = lambda _: None) -> None:
    """Open the index (IndexMissing propagates), build the app and serve it until stopped."""
    import uvicorn

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("app").setLevel(logging.INFO)  # logins, logouts, withheld answers
    workspace.recover(settings, notify)  # finish or roll back work a crash cut off
    assistant = Assistant.open(settings, notify)
    library = ApprovedLibrary(Path(settings.store) / "approved.json")
    app = create_app(settings, assistant, library)
    url = f"http://{settings.host}:{settings.port}/"
    print(f"county-rag: serving on {url} (staff: {url}staff/; Ctrl+C to stop)", flush=True)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.5, webbrowser.open, args=[url]).start()
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning",
                proxy_headers=True, forwarded_allow_ips=settings.trusted_proxies)
