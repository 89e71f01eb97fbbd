"""Which web pages may call the API from a browser (the pages embedding the widget): CORS for
the API's paths only, from the origins in COUNTY_RAG_API_ORIGINS. The rest of the server (the
Gradio apps) is left as it is."""

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app.settings import Settings

from .router import PREFIX


class _ApiCORS:
    def __init__(self, app: ASGIApp, origins: list[str]):
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=origins, allow_methods=["GET", "POST"],
                                   allow_headers=["Authorization", "Content-Type"], max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ours = scope["type"] == "http" and scope["path"].startswith(PREFIX + "/")
        await (self.cors if ours else self.app)(scope, receive, send)


def allow_origins(app: FastAPI, settings: Settings) -> None:
    """Let the pages of settings.api_origins call the API ("*": any page)."""
    if settings.api_origins:
        app.add_middleware(_ApiCORS, origins=list(settings.api_origins))
