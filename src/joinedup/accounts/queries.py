"""Reads about accounts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.accounts.models import ApiToken, SignInAttempt, User, WebSession
from joinedup.accounts.rules import hash_secret
from joinedup.actor import Actor
from joinedup.directory.models import Professional
from joinedup.directory.rules import AgencyKind, Role


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(
        select(User).join(User.professional).where(Professional.email == email.strip().lower())
    )


def actor_for_user(user: User) -> Actor:
    professional = user.professional
    agency = professional.agency
    return Actor(
        label=f"{professional.name} ({agency.name})",
        user_id=user.id,
        professional_id=professional.id,
        agency_id=agency.id,
        agency_kind=AgencyKind(agency.kind),
        area_id=agency.area_id,
        roles=frozenset(Role(r) for r in professional.active_roles),
    )


def api_tokens(session: Session) -> list[ApiToken]:
    """Every token, newest first, with its user loaded."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())))


def sign_in_counts_by_agency(session: Session, since: dt.datetime) -> dict[int, int]:
    """Distinct professionals who signed in since `since`, by agency id."""
    rows = session.execute(
        select(Professional.agency_id, func.count(func.distinct(Professional.id)))
        .join(SignInAttempt, SignInAttempt.email == Professional.email)
        .where(SignInAttempt.succeeded.is_(True), SignInAttempt.at >= since)
        .group_by(Professional.agency_id)
    )
    return {agency_id: count for agency_id, count in rows}


def refused_sign_ins(session: Session, agency_id: int, since: dt.datetime) -> list[SignInAttempt]:
    """Refused sign-ins to the accounts of one agency's staff since `since`, newest first."""
    return list(
        session.scalars(
            select(SignInAttempt)
            .join(Professional, Professional.email == SignInAttempt.email)
            .where(
                Professional.agency_id == agency_id,
                SignInAttempt.succeeded.is_(False),
                SignInAttempt.at >= since,
            )
            .order_by(SignInAttempt.at.desc())
            .limit(50)
        )
    )


def session_end_reason(session: Session, cookie_token: str) -> str | None:
    """Why the session behind a cookie ended (idle, expired, signed_out...), if it did."""
    found = session.get(WebSession, hash_secret(cookie_token))
    return found.end_reason if found else None
