"""Shared dependencies: the database session, who is signed in, CSRF, and role checks.

Every HTML router is built with `page_router()`, which resolves the signed-in actor and
checks the CSRF token on every state-changing request, so no form can forget it.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from joinedup.accounts import services as accounts
from joinedup.accounts.queries import session_end_reason
from joinedup.actor import Actor
from joinedup.config import Settings
from joinedup.directory.rules import Role
from joinedup.frontdoor.practice import Practice

SESSION_COOKIE = "joinedup_session"
ANON_CSRF_COOKIE = "joinedup_csrf"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SignInRequired(Exception):
    def __init__(self, ended: str | None) -> None:
        # Why the browser's last session ended (idle, expired, ...), to tell the person.
        self.ended = ended


class CsrfRejected(Exception):
    """The form's CSRF token is missing or does not match this browser's session."""


class NotFound(Exception):
    """Answered with 404 whether the thing is missing or merely out of the actor's reach."""


@dataclass(frozen=True)
class PageContext:
    actor: Actor | None
    csrf_token: str
    user_name: str = ""
    agency_name: str = ""


def get_db(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


Db = Annotated[Session, Depends(get_db)]


def practice_of(request: Request) -> Practice:
    """The MASH's practice the app runs with (its clocks, outcomes, reference prefix)."""
    practice: Practice = request.app.state.practice
    return practice


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def page_context(request: Request, db: Db) -> PageContext:
    """Who is signed in (if anyone) and the CSRF token their forms must carry."""
    cookie = request.cookies.get(SESSION_COOKIE)
    resumed = (
        accounts.resume_session(db, request.app.state.session_policy, cookie) if cookie else None
    )
    if resumed is None:
        request.state.session_ended = session_end_reason(db, cookie) if cookie else None
        anon = request.cookies.get(ANON_CSRF_COOKIE) or request.state.new_anon_csrf
        page = PageContext(actor=None, csrf_token=anon)
    else:
        web_session, actor = resumed
        professional = web_session.user.professional
        page = PageContext(
            actor=actor,
            csrf_token=web_session.csrf_token,
            user_name=professional.name,
            agency_name=professional.agency.name,
        )
    request.state.page = page
    return page


async def check_csrf(request: Request, page: Annotated[PageContext, Depends(page_context)]) -> None:
    if request.method in SAFE_METHODS:
        return
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent, page.csrf_token):
        raise CsrfRejected()


def page_router() -> APIRouter:
    """A router for HTML pages: actor resolved and CSRF checked on every route."""
    return APIRouter(dependencies=[Depends(check_csrf)], include_in_schema=False)


def require_actor(request: Request, page: Annotated[PageContext, Depends(page_context)]) -> Actor:
    if page.actor is None:
        raise SignInRequired(getattr(request.state, "session_ended", None))
    return page.actor


CurrentActor = Annotated[Actor, Depends(require_actor)]


def require_role(role: Role) -> Callable[[Actor], Actor]:
    """A dependency that lets only holders of `role` through; everyone else gets 404."""

    def dependency(actor: CurrentActor) -> Actor:
        if not actor.has(role):
            raise NotFound()
        return actor

    return dependency


Administrator = Annotated[Actor, Depends(require_role(Role.ADMINISTRATOR))]


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)
