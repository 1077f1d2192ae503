"""The JSON API for system-to-system use, under /api, with its reference at /api/docs.

Callers authenticate with an API token (`Authorization: Bearer jdp_...`), never a cookie,
so the API needs no CSRF token. Unknown or revoked tokens get 401.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.datastructures import State

from joinedup import __version__
from joinedup.accounts import services as accounts
from joinedup.actor import Actor
from joinedup.web.deps import Db

_bearer = HTTPBearer(auto_error=False, description="An API token from `joinedup tokens create`")


def token_actor(
    db: Db, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Actor:
    actor = accounts.authenticate_api_token(db, credentials.credentials) if credentials else None
    if actor is None:
        raise HTTPException(
            status_code=401,
            detail="Send a valid API token as 'Authorization: Bearer <token>'; "
            "an administrator issues one with `joinedup tokens create --user EMAIL`",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return actor


ApiActor = Annotated[Actor, Depends(token_actor)]


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
