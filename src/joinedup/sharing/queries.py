"""Reads of governed sharing: the terms the policy decides from, and agreements by agency."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from joinedup.actor import Actor
from joinedup.directory.rules import Role
from joinedup.sharing.models import (
    Agreement,
    AgreementGrant,
    AgreementParty,
    BreakGlassGrant,
    SharingDecision,
)
from joinedup.sharing.rules import (
    AgreementStatus,
    AgreementTerms,
    Article9Condition,
    DataCategory,
    Grant,
    OnwardSharing,
    Purpose,
    SharingChoice,
)

# Not yet expired: still something an IG lead must look after.
_LIVE = [s.value for s in AgreementStatus if s is not AgreementStatus.EXPIRED]


def active_terms(session: Session, on: dt.date) -> list[AgreementTerms]:
    """The terms of every agreement in force on `on`, for `rules.decide`. Two queries."""
    agreements = session.scalars(
        select(Agreement).where(
            Agreement.status == AgreementStatus.ACTIVE,
            Agreement.starts_on <= on,
            or_(Agreement.ends_on.is_(None), Agreement.ends_on >= on),
        )
    ).all()
    if not agreements:
        return []
    parties: dict[int, set[int]] = defaultdict(set)
    grants: dict[int, set[Grant]] = defaultdict(set)
    rows = session.execute(
        select(
            AgreementParty.agreement_id,
            AgreementParty.agency_id,
            AgreementGrant.role,
            AgreementGrant.category,
        )
        .outerjoin(AgreementGrant, AgreementGrant.party_id == AgreementParty.id)
        .where(AgreementParty.agreement_id.in_([a.id for a in agreements]))
    )
    for agreement_id, agency_id, role, category in rows:
        parties[agreement_id].add(agency_id)
        if role is not None:
            grants[agreement_id].add(Grant(agency_id, Role(role), DataCategory(category)))
    return [_terms(a, parties[a.id], grants[a.id]) for a in agreements]


def terms_of(agreement: Agreement) -> AgreementTerms:
    """The terms of one loaded agreement, whatever its status."""
    return _terms(
        agreement,
        {p.agency_id for p in agreement.parties},
        {
            Grant(p.agency_id, Role(g.role), DataCategory(g.category))
            for p in agreement.parties
            for g in p.grants
        },
    )


def _terms(agreement: Agreement, parties: set[int], grants: set[Grant]) -> AgreementTerms:
    condition = agreement.article_9_condition
    return AgreementTerms(
        agreement_id=agreement.id,
        title=agreement.title,
        purpose=Purpose(agreement.purpose),
        status=AgreementStatus(agreement.status),
        starts_on=agreement.starts_on,
        ends_on=agreement.ends_on,
        parties=frozenset(parties),
        grants=frozenset(grants),
        onward_sharing=OnwardSharing(agreement.onward_sharing),
        article_9_condition=Article9Condition(condition) if condition else None,
        schedule_1_condition=agreement.schedule_1_condition,
    )


def agreement_for(session: Session, actor: Actor, agreement_id: int) -> Agreement | None:
    """The agreement, if the actor may know of it: staff of a party, or an operator's command.

    None otherwise, so an outsider cannot tell an agreement they are not party to from one
    that does not exist (404, not 403).
    """
    agreement = session.scalar(
        select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(
            selectinload(Agreement.parties).selectinload(AgreementParty.grants),
            selectinload(Agreement.parties).selectinload(AgreementParty.signature),
            selectinload(Agreement.parties).selectinload(AgreementParty.agency),
        )
    )
    if agreement is None:
        return None
    is_operator = actor.user_id is None and actor.professional_id is None
    if not is_operator and agreement.party_for(actor.agency_id) is None:
        return None
    return agreement


def agreements_for_agency(session: Session, agency_id: int) -> list[Agreement]:
    """Every agreement the agency is party to, whatever its status, by start date then title."""
    return list(
        session.scalars(
            select(Agreement)
            .join(AgreementParty)
            .where(AgreementParty.agency_id == agency_id)
            .options(selectinload(Agreement.parties))
            .order_by(Agreement.starts_on, Agreement.title)
        )
    )


def agreements_due_for_review(
    session: Session, on: dt.date, within_days: int = 30, agency_id: int | None = None
) -> list[Agreement]:
    """Agreements not yet expired whose review date falls within `within_days` of `on` (or has
    passed), soonest first; only the agency's own when `agency_id` is given."""
    query = select(Agreement).where(
        Agreement.status.in_(_LIVE), Agreement.review_on <= on + dt.timedelta(days=within_days)
    )
    if agency_id is not None:
        query = query.join(AgreementParty).where(AgreementParty.agency_id == agency_id)
    return list(session.scalars(query.order_by(Agreement.review_on, Agreement.id)))


def agreements_ending(
    session: Session, on: dt.date, within_days: int = 30, agency_id: int | None = None
) -> list[Agreement]:
    """Agreements not yet expired that end within `within_days` of `on`, soonest first."""
    query = select(Agreement).where(
        Agreement.status.in_(_LIVE),
        Agreement.ends_on.is_not(None),
        Agreement.ends_on <= on + dt.timedelta(days=within_days),
    )
    if agency_id is not None:
        query = query.join(AgreementParty).where(AgreementParty.agency_id == agency_id)
    return list(session.scalars(query.order_by(Agreement.ends_on, Agreement.id)))


def break_glass_in_force(
    session: Session,
    user_id: int,
    subject_reference: str,
    owner_agency_id: int,
    at: dt.datetime,
) -> BreakGlassGrant | None:
    """The user's open break-glass grant over this person's records held by the owner, if any."""
    return session.scalar(
        select(BreakGlassGrant)
        .where(
            BreakGlassGrant.user_id == user_id,
            BreakGlassGrant.subject_reference == subject_reference,
            or_(
                BreakGlassGrant.owner_agency_id.is_(None),
                BreakGlassGrant.owner_agency_id == owner_agency_id,
            ),
            BreakGlassGrant.starts_at <= at,
            BreakGlassGrant.expires_at > at,
        )
        .order_by(BreakGlassGrant.expires_at.desc())
        .limit(1)
    )


def latest_sharing_choice(
    session: Session, subject_reference: str, owner_agency_id: int, recipient_agency_id: int
) -> SharingChoice | None:
    """The owner's latest recorded decision about sharing this person with the recipient (or
    with every partner), for `AccessRequest.sharing_decision`."""
    decision = session.scalar(
        select(SharingDecision.decision)
        .where(
            SharingDecision.subject_reference == subject_reference,
            SharingDecision.agency_id == owner_agency_id,
            or_(
                SharingDecision.with_agency_id.is_(None),
                SharingDecision.with_agency_id == recipient_agency_id,
            ),
        )
        .order_by(SharingDecision.decided_at.desc(), SharingDecision.id.desc())
        .limit(1)
    )
    return SharingChoice(decision) if decision is not None else None
