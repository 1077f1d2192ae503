"""Reads of the directory."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from joinedup.directory.models import Agency, Area, Professional


def areas(session: Session) -> list[Area]:
    return list(session.scalars(select(Area).order_by(Area.name)))


def agencies(session: Session) -> list[Agency]:
    """Every agency with its area, in name order."""
    return list(
        session.scalars(select(Agency).options(selectinload(Agency.area)).order_by(Agency.name))
    )


def agency(session: Session, agency_id: int) -> Agency | None:
    return session.get(Agency, agency_id)


def professionals_of(session: Session, agency_id: int) -> list[Professional]:
    """An agency's professionals, those still in post first, then by name."""
    return list(
        session.scalars(
            select(Professional)
            .where(Professional.agency_id == agency_id)
            .options(selectinload(Professional.role_grants), selectinload(Professional.team))
            .order_by(Professional.left_at.is_not(None), Professional.family_name)
        )
    )


def professional(session: Session, professional_id: int) -> Professional | None:
    return session.get(Professional, professional_id)


def headcounts(session: Session) -> dict[int, int]:
    """Professionals still in post, by agency id."""
    rows = session.execute(
        select(Professional.agency_id, func.count())
        .where(Professional.left_at.is_(None))
        .group_by(Professional.agency_id)
    )
    return {agency_id: count for agency_id, count in rows}


def professional_by_email(session: Session, email: str) -> Professional | None:
    return session.scalar(select(Professional).where(Professional.email == email.strip().lower()))
