"""The headers every answer carries, and the per-request values pages need for them.

A plain ASGI middleware rather than Starlette's `@app.middleware("http")`: that one runs each
request through a task group and a pair of memory streams, which cost more server time than
the whole of a health check's own work (see benchmarks/README.md, intake through the API).
"""

from __future__ import annotations

import http.cookies
import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from joinedup.web.deps import ANON_CSRF_COOKIE


class SecurityHeaders:
    """Per request: a CSP nonce, an anonymous CSRF cookie for the sign-in form, safe headers.

    The nonce and the new cookie's value go in the request's state (`request.state.csp_nonce`,
    `request.state.new_anon_csrf`), where templates and the sign-in form read them.
    """

    def __init__(self, app: ASGIApp, secure_cookies: bool) -> None:
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        nonce = state["csp_nonce"] = secrets.token_urlsafe(16)
        anon = state["new_anon_csrf"] = secrets.token_urlsafe(32)
        new_cookie = None
        if ANON_CSRF_COOKIE not in HTTPConnection(scope).cookies:
            new_cookie = _cookie(ANON_CSRF_COOKIE, anon, secure=self.secure_cookies)
        path = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in protective_headers(path, nonce):
                    headers[name] = value
                if new_cookie is not None:
                    headers.append("set-cookie", new_cookie)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def protective_headers(path: str, nonce: str) -> list[tuple[str, str]]:
    """Headers every response carries, error pages included."""
    if path.startswith("/api/docs"):
        # Swagger UI starts itself with an inline script.
        script = "script-src 'self' 'unsafe-inline'"
    else:
        script = f"script-src 'self' 'nonce-{nonce}'"
    headers = [
        (
            "Content-Security-Policy",
            f"default-src 'self'; {script}; img-src 'self' data:; "
            "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'; "
            "base-uri 'self'",
        ),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ]
    if not path.startswith("/static"):
        # Pages may carry personal data: never keep them in a shared cache or the back button.
        headers.append(("Cache-Control", "no-store"))
    return headers


def _cookie(name: str, value: str, secure: bool) -> str:
    """A Set-Cookie value the browser keeps for the session, out of scripts' reach."""
    cookie: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
    cookie[name] = value
    cookie[name]["path"] = "/"
    cookie[name]["httponly"] = True
    cookie[name]["samesite"] = "strict"
    if secure:
        cookie[name]["secure"] = True
    return cookie.output(header="").strip()
