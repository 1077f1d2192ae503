"""Reads about accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.accounts.models import ApiToken, User
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
