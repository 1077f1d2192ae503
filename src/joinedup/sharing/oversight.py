"""What an agency's IG lead reads to oversee sharing: its agreements at a glance, and
break-glass over its records with the agency's reviews. Who has seen its information, and
access that looks unusual, are in `transparency.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from joinedup.accounts.models import User
from joinedup.audit.models import AuditEntry
from joinedup.directory.models import Agency, Professional
from joinedup.sharing import transparency
from joinedup.sharing.models import (
    Agreement,
    AgreementParty,
    AgreementSignature,
    BreakGlassGrant,
    BreakGlassReview,
)
from joinedup.sharing.rules import AgreementStatus

# Warn this long before a review or end date (the issue asks for warnings before both).
WARN_WITHIN = dt.timedelta(days=30)


# --- Agreements at a glance ------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementLine:
    """One agreement the agency is party to, with what its IG lead should know about it now."""

    agreement: Agreement
    parties: int
    awaiting_our_signature: bool
    unsigned: int  # parties yet to sign
    review_due: bool  # the review date is within WARN_WITHIN, or has passed
    ending: bool  # the end date is within WARN_WITHIN

    @property
    def status(self) -> AgreementStatus:
        return self.agreement.current_status


@dataclass(frozen=True)
class AgreementRegister:
    """The agency's agreements, grouped as an IG lead works through them."""

    active: list[AgreementLine]
    drafts: list[AgreementLine]  # drafts, and signed agreements waiting to be activated
    suspended: list[AgreementLine]
    expired: list[AgreementLine]

    @property
    def warnings(self) -> list[AgreementLine]:
        live = self.active + self.drafts + self.suspended
        return [line for line in live if line.review_due or line.ending]


def agreement_register(session: Session, agency_id: int, on: dt.date) -> AgreementRegister:
    """Every agreement the agency is party to, grouped by status, with review and end warnings
    as of `on`; newest start first within each group. Two queries."""
    agreements = session.scalars(
        select(Agreement)
        .join(AgreementParty)
        .where(AgreementParty.agency_id == agency_id)
        .options(selectinload(Agreement.parties).selectinload(AgreementParty.signature))
        .order_by(Agreement.starts_on.desc(), Agreement.id.desc())
    ).all()
    horizon = on + WARN_WITHIN
    groups: dict[AgreementStatus, list[AgreementLine]] = {s: [] for s in AgreementStatus}
    for agreement in agreements:
        ours = agreement.party_for(agency_id)
        live = agreement.current_status is not AgreementStatus.EXPIRED
        line = AgreementLine(
            agreement=agreement,
            parties=len(agreement.parties),
            awaiting_our_signature=(
                agreement.current_status is AgreementStatus.DRAFT
                and ours is not None
                and ours.signature is None
            ),
            unsigned=len(agreement.unsigned_parties),
            review_due=live and agreement.review_on <= horizon,
            ending=live and agreement.ends_on is not None and agreement.ends_on <= horizon,
        )
        groups[agreement.current_status].append(line)
    return AgreementRegister(
        active=groups[AgreementStatus.ACTIVE],
        drafts=groups[AgreementStatus.DRAFT] + groups[AgreementStatus.SIGNED],
        suspended=groups[AgreementStatus.SUSPENDED],
        expired=groups[AgreementStatus.EXPIRED],
    )


def agreement_in_full(session: Session, agency_id: int, agreement_id: int) -> Agreement | None:
    """The agreement with its parties, grants, signatures (and signers) and status history
    loaded, if the agency is a party to it; None otherwise, so an outsider cannot tell it
    from one that does not exist (the web answers 404)."""
    parties = selectinload(Agreement.parties)
    agreement = session.scalar(
        select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(
            parties.selectinload(AgreementParty.agency),
            parties.selectinload(AgreementParty.grants),
            parties.selectinload(AgreementParty.signature).selectinload(
                AgreementSignature.signed_by
            ),
            selectinload(Agreement.status_changes),
        )
    )
    if agreement is None or agreement.party_for(agency_id) is None:
        return None
    return agreement


def agencies_to_add(session: Session, agreement: Agreement) -> list[Agency]:
    """Agencies that are not yet parties to the agreement, by name."""
    taken = [party.agency_id for party in agreement.parties]
    return list(
        session.scalars(select(Agency).where(Agency.id.not_in(taken)).order_by(Agency.name))
    )


# --- Break-glass over the agency's records ---------------------------------------------------


@dataclass(frozen=True)
class BreakGlassUse:
    """A break-glass grant over the agency's records, who opened it, and the agency's review."""

    grant: BreakGlassGrant
    opened_by: str  # the practitioner's name
    opened_by_agency: str
    over_every_agency: bool  # opened over every agency's records, not only this one's
    records_seen: int  # records of this agency shown under it (from the ledger)
    review: BreakGlassReview | None

    @property
    def lasts(self) -> dt.timedelta:
        return self.grant.expires_at - self.grant.starts_at


def break_glass_uses(
    session: Session, agency_id: int, *, unreviewed_only: bool = False
) -> list[BreakGlassUse]:
    """Break-glass grants over the agency's records (its own, or every agency's), newest first,
    with how many of its records each showed and the agency's review if there is one."""
    opener = aliased(Agency)
    query = (
        select(BreakGlassGrant, Professional, opener.name, BreakGlassReview)
        .join(User, User.id == BreakGlassGrant.user_id)
        .join(Professional, Professional.id == User.professional_id)
        .join(opener, opener.id == BreakGlassGrant.agency_id)
        .outerjoin(
            BreakGlassReview,
            and_(
                BreakGlassReview.grant_id == BreakGlassGrant.id,
                BreakGlassReview.agency_id == agency_id,
            ),
        )
        .where(
            or_(
                BreakGlassGrant.owner_agency_id == agency_id,
                BreakGlassGrant.owner_agency_id.is_(None),
            )
        )
        .order_by(BreakGlassGrant.starts_at.desc(), BreakGlassGrant.id.desc())
        .options(selectinload(BreakGlassReview.reviewed_by))
    )
    if unreviewed_only:
        query = query.where(BreakGlassReview.id.is_(None))
    rows = session.execute(query).all()
    seen = _records_seen_under(session, agency_id, [row[0] for row in rows])
    return [
        BreakGlassUse(
            grant=grant,
            opened_by=professional.name,
            opened_by_agency=agency_name,
            over_every_agency=grant.owner_agency_id is None,
            records_seen=seen.get(grant.id, 0),
            review=review,
        )
        for grant, professional, agency_name, review in rows
    ]


def break_glass_use(session: Session, agency_id: int, grant_id: int) -> BreakGlassUse | None:
    """One use over the agency's records, or None when there is none (the web answers 404)."""
    return next((u for u in break_glass_uses(session, agency_id) if u.grant.id == grant_id), None)


def _records_seen_under(
    session: Session, agency_id: int, grants: Sequence[BreakGlassGrant]
) -> dict[int, int]:
    """For each grant, the distinct records of the agency the gate showed under break-glass to
    its holder while it was open. One query over the span the grants cover."""
    if not grants:
        return {}
    entries = session.execute(
        select(
            AuditEntry.at, AuditEntry.actor_user_id, AuditEntry.object_type, AuditEntry.object_id
        ).where(
            AuditEntry.at >= min(g.starts_at for g in grants),
            AuditEntry.at < max(g.expires_at for g in grants),
            AuditEntry.actor_user_id.in_({g.user_id for g in grants}),
            transparency.gate_entry(),
            transparency.owner_of_entry(session) == agency_id,
            transparency.detail(session, "break_glass").as_boolean().is_(True),
        )
    ).all()
    seen: dict[int, set[tuple[str, str]]] = {g.id: set() for g in grants}
    for at, user_id, object_type, object_id in entries:
        for grant in grants:
            if grant.user_id == user_id and grant.starts_at <= at < grant.expires_at:
                seen[grant.id].add((object_type, object_id))
    return {grant_id: len(records) for grant_id, records in seen.items()}
