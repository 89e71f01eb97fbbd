"""Staff login over plain HTTP: a form page, the login that sets the session cookie, logout, and
a session probe for the workspace page.

The cookie holds a random token (HttpOnly, SameSite=Strict, limited to the staff path); the
server knows its user and expiry (app.staff.sessions). Failed logins are slowed, counted per
user name and per client address and locked for a while (app.staff.throttle), and logged
with user, address and outcome, never the password.
"""

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.settings import Settings
from app.staff.auth import check_login
from app.staff.sessions import SessionStore
from app.staff.throttle import Busy, Locked, LoginThrottle

from .render import esc, message_html, staff_disabled_html
from .style import LOGIN_CSS
from .text import LANGUAGE_COOKIE, language, t

log = logging.getLogger(__name__)

STAFF_PATH = "/staff"
SESSION_COOKIE = "county_rag_staff"
FAILURE_DELAY = 1.0  # seconds added to every failed login
MAX_NAME = 64  # characters of a user name kept (and logged)
MAX_FORM = 4096  # bytes of a login form
BUSY_PAUSE, BUSY_TRIES = 0.1, 100  # waiting for attempts under way (a password check each)


def request_language(request: Request) -> str:
    """The page's chosen language (cookie), else the browser's."""
    return language(request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
                    or request.headers.get("accept-language"))


def staff_root(request: Request) -> str:
    """Where the workspace is, behind any proxy prefix."""
    return f"{request.scope.get('root_path', '')}{STAFF_PATH}"


def app_path(scope: Scope) -> str:
    """A request's path inside the app (without any proxy prefix)."""
    root, path = scope.get("root_path", ""), scope["path"]
    return path[len(root):] if root and path.startswith(root) else path


def session_user(sessions: SessionStore, request: Request) -> str | None:
    """The staff user of the request's session cookie, if valid and unexpired."""
    return sessions.user(request.cookies.get(SESSION_COOKIE))


def login_router(settings: Settings, sessions: SessionStore, throttle: LoginThrottle) -> APIRouter:
    """The routes under /staff that are not the Gradio workspace."""
    router = APIRouter(prefix=STAFF_PATH, include_in_schema=False)
    lifetime = settings.staff_session_minutes * 60

    def page(request: Request, message: str = "", kind: str = "error", status: int = 200,
             user: str = "") -> HTMLResponse:
        lang = request_language(request)
        county = settings.county_name if lang == "zh" else settings.county_name_en
        return HTMLResponse(login_page(lang, county, bool(settings.staff_users), message, kind, user),
                            status_code=status)

    @router.get("/login")
    def login_form(request: Request, expired: bool = False, out: bool = False) -> HTMLResponse:
        lang = request_language(request)
        if expired:
            response = page(request, t(lang, "session_expired"), "warn")
        else:
            response = page(request, t(lang, "logged_out"), "ok") if out else page(request)
        if "lang" in request.query_params:  # a choice on this page: the form's answer follows it
            response.set_cookie(LANGUAGE_COOKIE, lang, path="/", samesite="strict")
        return response

    @router.post("/login")
    async def login(request: Request) -> Response:
        lang = request_language(request)
        if int(request.headers.get("content-length") or MAX_FORM + 1) > MAX_FORM:
            return page(request, t(lang, "login_failed"), status=413)
        form = await request.form()
        user = str(form.get("user") or "").strip()[:MAX_NAME]
        password = str(form.get("password") or "")
        address = request.client.host if request.client else "unknown"
        if not settings.staff_users:
            return page(request, status=404)
        keys = throttle.keys(user, address)
        try:
            await admit(throttle, keys)
        except Locked as exc:
            log.warning("staff login refused (locked): user=%r address=%s retry_after=%.0fs",
                        user, address, exc.retry_after)
            minutes = max(1, round(exc.retry_after / 60))
            response = page(request, t(lang, "login_locked", minutes=minutes), status=429, user=user)
            response.headers["Retry-After"] = str(int(exc.retry_after) + 1)
            return response
        ok = False
        try:
            ok = await asyncio.to_thread(check_login, settings.staff_users, user, password)
        finally:
            locked = throttle.end(keys, ok)
        if ok:
            log.info("staff login: user=%r address=%s", user, address)
            response = RedirectResponse(f"{staff_root(request)}/", status_code=303)
            # no Max-Age: the server decides when the token expires, and then says so
            response.set_cookie(SESSION_COOKIE, sessions.create(user, lifetime), path=staff_root(request),
                                httponly=True, samesite="strict", secure=request.url.scheme == "https")
            return response
        log.warning("staff login failed: user=%r address=%s%s", user, address,
                    f" (now locked: {', '.join(locked)})" if locked else "")
        await asyncio.sleep(FAILURE_DELAY)
        return page(request, t(lang, "login_failed"), status=401, user=user)

    @router.post("/logout")
    def logout(request: Request) -> Response:
        token = request.cookies.get(SESSION_COOKIE)
        user = sessions.user(token)
        sessions.revoke(token)
        if user:
            log.info("staff logout: user=%r", user)
        response = RedirectResponse(f"{staff_root(request)}/login?out=1", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path=staff_root(request), httponly=True, samesite="strict")
        return response

    @router.get("/session")
    def session(request: Request) -> JSONResponse:
        user = session_user(sessions, request)
        return JSONResponse({"user": user}, status_code=200 if user else 401)

    return router


class StaffEntrance:
    """ASGI middleware: opening the workspace page without a valid session leads to the login
    form (Gradio itself would answer 401 to every request of the page)."""

    def __init__(self, app: ASGIApp, sessions: SessionStore):
        self.app, self.sessions = app, sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope["method"] in ("GET", "HEAD")
                and app_path(scope) in (STAFF_PATH, f"{STAFF_PATH}/")):
            request = Request(scope)
            if not session_user(self.sessions, request):
                expired = "?expired=1" if SESSION_COOKIE in request.cookies else ""
                await RedirectResponse(f"{staff_root(request)}/login{expired}", status_code=303)(
                    scope, receive, send)
                return
        await self.app(scope, receive, send)


async def admit(throttle: LoginThrottle, keys: list[str]) -> None:
    """Start a login attempt, waiting while attempts under way decide whether it is locked;
    raises Locked."""
    for _ in range(BUSY_TRIES):
        try:
            return throttle.begin(keys)
        except Busy:
            await asyncio.sleep(BUSY_PAUSE)
    raise Locked(FAILURE_DELAY)


def login_page(lang: str, county: str, enabled: bool, message: str = "", kind: str = "error",
               user: str = "") -> str:
    """The login form (or, without staff logins, how to enable them), escaped."""
    if enabled:
        body = (
            f'<form method="post" action="login" id="cr-login">'
            f'<label>{esc(t(lang, "user"))}<input id="cr-user" name="user" autocomplete="username" '
            f'maxlength="{MAX_NAME}" value="{esc(user)}" required autofocus></label>'
            f'<label>{esc(t(lang, "password"))}<input id="cr-password" name="password" type="password" '
            f'autocomplete="current-password" required></label>'
            f'<button id="cr-login-btn" type="submit">{esc(t(lang, "login"))}</button></form>'
            f'<div id="cr-login-msg">{message_html(message, kind)}</div>'
        )
    else:
        body = f'<div id="cr-staff-disabled">{staff_disabled_html(lang)}</div>'
    title = t(lang, "staff_title", county=county)
    other = "en" if lang == "zh" else "zh"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(title)}</title><style>{LOGIN_CSS}</style></head><body><main>'
        f'<h1>{esc(title)}</h1><h2>{esc(t(lang, "login_title"))}</h2>{body}'
        f'<p class="cr-links"><a href="../">{esc(t(lang, "back_to_chat"))}</a> · '
        f'<a id="cr-lang-link" href="login?lang={other}">{"English" if other == "en" else "中文"}</a></p>'
        f'</main></body></html>'
    )
