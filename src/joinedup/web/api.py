"""The JSON API for system-to-system use, under /api, with its reference at /api/docs.

Callers authenticate with an API token (`Authorization: Bearer jdp_...`), never a cookie,
so the API needs no CSRF token. Unknown or revoked tokens get 401.

A partner system sends many requests a second with one token, so each process remembers a
token's actor for a few seconds (TOKEN_MEMORY) rather than reading the token, the user, their
professional, agency and roles for every request. A change to any of those made in this
process forgets every remembered token at once; one made by another process (`joinedup tokens
revoke`, another worker) takes effect within TOKEN_MEMORY. Only tokens that worked are
remembered, so a new token works at once.
"""

from __future__ import annotations

import threading
import time
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import event
from sqlalchemy.orm import Mapper, Session, object_session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State

from joinedup import __version__
from joinedup.accounts import services as accounts
from joinedup.accounts.models import ApiToken, User
from joinedup.accounts.rules import hash_secret
from joinedup.actor import Actor
from joinedup.directory.models import Agency, Professional, RoleGrant

_bearer = HTTPBearer(auto_error=False, description="An API token from `joinedup tokens create`")

# How long a process may act on what it read about a token (seconds).
TOKEN_MEMORY = 5.0


class _RememberedTokens:
    """Token hash -> (actor, when read), for TOKEN_MEMORY seconds."""

    def __init__(self) -> None:
        self._actors: dict[str, tuple[Actor, float]] = {}
        self._lock = threading.Lock()
        # Moves on at every forgetting: what was read before one is not remembered after it.
        self.generation = 0

    def actor(self, token_hash: str) -> Actor | None:
        found = self._actors.get(token_hash)
        if found is None or time.monotonic() - found[1] >= TOKEN_MEMORY:
            return None
        return found[0]

    def remember(self, token_hash: str, actor: Actor, read_at: float, generation: int) -> None:
        with self._lock:
            if generation == self.generation:
                self._actors[token_hash] = (actor, read_at)

    def forget_all(self) -> None:
        with self._lock:
            self.generation += 1
            self._actors.clear()


_remembered = _RememberedTokens()
_CHANGED = "joinedup.api.token_actors_changed"


def _changed(target: object) -> None:
    # Forget now, and again when the change commits: a request that read the old rows in
    # between (PostgreSQL reads what was committed) must not be remembered after it.
    _remembered.forget_all()
    session = object_session(target)
    if session is not None:
        session.info[_CHANGED] = True


def _row_changed(_mapper: Mapper[Any], _connection: object, target: object) -> None:
    _changed(target)


# What an actor is made of. A token's own row changes every minute it is used (last_used_at),
# so for tokens only a revocation counts.
for _model in (User, Professional, RoleGrant, Agency):
    for _when in ("after_insert", "after_update", "after_delete"):
        event.listen(_model, _when, _row_changed)
event.listen(ApiToken, "after_delete", _row_changed)
event.listen(ApiToken.revoked_at, "set", lambda target, *_: _changed(target))


@event.listens_for(Session, "after_commit")
def _forget_on_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        _remembered.forget_all()


async def token_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    actor = None
    if credentials is not None:
        token_hash = hash_secret(credentials.credentials)
        # Remembered: no database, so no thread; otherwise read in one, on a session of its own.
        actor = _remembered.actor(token_hash) or await run_in_threadpool(
            _read_token, request, credentials.credentials, token_hash
        )
    if actor is None:
        raise HTTPException(
            status_code=401,
            detail="Send a valid API token as 'Authorization: Bearer <token>'; "
            "an administrator issues one with `joinedup tokens create --user EMAIL`",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return actor


ApiActor = Annotated[Actor, Depends(token_actor)]


def _read_token(request: Request, raw: str, token_hash: str) -> Actor | None:
    # Both taken before reading: a change made during the read is not remembered past it.
    read_at, generation = time.monotonic(), _remembered.generation
    session: Session = request.app.state.session_factory()
    try:
        actor = accounts.authenticate_api_token(session, raw)
    finally:
        session.close()
    if actor is not None:
        _remembered.remember(token_hash, actor, read_at, generation)
    return actor


class Me(BaseModel):
    """Who an API token acts for."""

    name: str
    agency_kind: str | None
    roles: list[str]


def create_api(parent_state: State) -> FastAPI:
    api = FastAPI(
        title="joinedup API",
        version=__version__,
        description="Partner systems raise contacts and follow them up through this API.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    api.state.settings = parent_state.settings
    api.state.session_factory = parent_state.session_factory
    api.state.session_policy = parent_state.session_policy

    @api.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="joinedup API reference",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="data:,",
        )

    @api.get("/v1/me", response_model=Me, tags=["accounts"])
    def me(actor: ApiActor) -> Any:
        """The professional and agency this token acts for, and their roles."""
        return Me(
            name=actor.label,
            agency_kind=actor.agency_kind.value if actor.agency_kind else None,
            roles=sorted(r.value for r in actor.roles),
        )

    from joinedup.web.contacts_api import router as contacts  # here: it imports ApiActor

    api.include_router(contacts)
    return api
