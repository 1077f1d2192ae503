"""The app factory: pages, the JSON API under /api, static assets and error pages."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from joinedup import __version__
from joinedup.accounts.rules import SessionPolicy
from joinedup.config import Settings
from joinedup.db import make_engine, make_session_factory
from joinedup.frontdoor.practice import current_practice
from joinedup.web import api
from joinedup.web.deps import CsrfRejected, NotFound, SignInRequired
from joinedup.web.headers import SecurityHeaders, protective_headers
from joinedup.web.routes import (
    admin,
    agreements,
    contacts,
    decisions,
    home,
    identities,
    raise_concern,
    routed_contacts,
    signin,
    subject_access,
)
from joinedup.web.templating import render

STATIC = Path(__file__).parent / "static"
log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    session_factory: sessionmaker[Session] | Callable[[], Session] | None = None,
) -> FastAPI:
    """Build the hub. Tests pass a `session_factory` that runs inside a rolled-back transaction."""
    app = FastAPI(
        title="joinedup", version=__version__, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.settings = settings
    app.state.session_policy = SessionPolicy(
        idle=dt.timedelta(minutes=settings.session_idle_minutes),
        absolute=dt.timedelta(hours=settings.session_absolute_hours),
        max_failures=settings.signin_max_failures,
        lockout=dt.timedelta(minutes=settings.signin_lockout_minutes),
    )
    if session_factory is None:
        session_factory = make_session_factory(make_engine(settings.resolved_database_url))
    app.state.session_factory = session_factory
    # Read now, so a bad JOINEDUP_PRACTICE_FILE stops start-up rather than the first contact.
    app.state.practice = current_practice()

    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    app.mount("/api", api.create_api(app.state))
    for module in (
        signin,
        home,
        admin,
        contacts,
        routed_contacts,
        decisions,
        raise_concern,
        agreements,
        subject_access,
        identities,
    ):
        app.include_router(module.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    _add_error_pages(app)
    app.add_middleware(SecurityHeaders, secure_cookies=settings.secure_cookies)
    return app


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, error: SignInRequired) -> Response:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        why = {"idle": "&expired=1", "expired": "&ended=limit"}.get(error.ended or "", "")
        return RedirectResponse(f"/sign-in?next={target}{why}", status_code=303)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, _error: NotFound) -> Response:
        return render(request, "errors/404.html", status_code=404)

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, _error: CsrfRejected) -> Response:
        return render(request, "errors/csrf.html", status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            return render(request, "errors/404.html", status_code=404)
        return render(request, "errors/http.html", status_code=error.status_code, error=error)

    @app.exception_handler(Exception)
    async def server_error(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        # This handler runs outside the middleware, so it adds the headers itself.
        if not hasattr(request.state, "csp_nonce"):
            request.state.csp_nonce = secrets.token_urlsafe(16)
        response = render(request, "errors/500.html", status_code=500)
        response.headers.update(dict(protective_headers(request.url.path, request.state.csp_nonce)))
        return response
