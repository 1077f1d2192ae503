"""Decisions about people: sharing or not (golden rule 7), break-glass, and the owning
agency's review of each break-glass use.

Each function validates, writes, records the change in the ledger and commits once; a refusal
raises SharingError naming the field and how to put it right.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.rules import Role
from joinedup.sharing import inputs, queries
from joinedup.sharing.inputs import SharingError
from joinedup.sharing.models import BreakGlassGrant, BreakGlassReview, SharingDecision
from joinedup.sharing.rules import (
    BREAK_GLASS_DEFAULT,
    BREAK_GLASS_LONGEST,
    BREAK_GLASS_MIN_JUSTIFICATION,
    BREAK_GLASS_ROLES,
    BREAK_GLASS_SHORTEST,
    ConsentStatus,
    DataCategory,
    LawfulBasis,
    Para18Reason,
    Purpose,
    SharingChoice,
)
from joinedup.sharing.services import AgreementNotFound

# Long enough for what an IG lead found and did; a report, if needed, lives elsewhere.
REVIEW_NOTE_LONGEST = 5000


class BreakGlassNotFound(SharingError):
    """No such break-glass use over the actor's agency's records: the web answers 404."""


def record_sharing_decision(
    session: Session,
    actor: Actor,
    *,
    subject_reference: str,
    decision: str,
    purpose: str,
    lawful_basis: str | None,
    consent_status: str,
    para_18_reason: str | None = None,
    categories: Iterable[str] = (),
    with_agency_code: str | None = None,
    reasons: str,
    master_person_id: int | None = None,
    agreement_id: int | None = None,
) -> SharingDecision:
    """Record a decision to share or not to share, with the reasons (golden rule 7)."""
    if actor.agency_id is None or actor.professional_id is None:
        raise SharingError("A sharing decision is recorded by the practitioner who made it")
    if not actor.roles - {Role.SYSTEM_LEADER}:
        # DESIGN invariant 7: a system leader works with aggregates, never with a person.
        raise SharingError("A system leader does not make decisions about people's information")
    subject = subject_reference.strip()
    if not subject or len(subject) > 80:
        raise SharingError("Enter the person's reference (up to 80 characters)", field="subject")
    choice = inputs.choice(SharingChoice, decision, "decision")
    if not lawful_basis:
        raise SharingError(
            "Choose the lawful basis (usually UK GDPR Art 6(1)(e), public task)",
            field="lawful_basis",
        )
    basis = inputs.choice(LawfulBasis, lawful_basis, "lawful_basis")
    consent = inputs.choice(ConsentStatus, consent_status, "consent_status")
    para_18 = inputs.optional_choice(Para18Reason, para_18_reason, "para_18_reason")
    if basis is LawfulBasis.CONSENT and consent is not ConsentStatus.GIVEN:
        raise SharingError(
            "Consent is the basis only when it was given; choose public task "
            "(UK GDPR Art 6(1)(e)) or another basis",
            field="lawful_basis",
        )
    sharing = choice is SharingChoice.SHARE
    if sharing and consent is not ConsentStatus.GIVEN and para_18 is None:
        # DPA 2018 Schedule 1 paragraph 18(2): record which reason.
        raise SharingError(
            "Choose why you are sharing without consent: (a) it cannot be given, (b) you cannot "
            "reasonably be expected to get it, or (c) seeking it would prejudice the protection",
            field="para_18_reason",
        )
    if consent is ConsentStatus.GIVEN and para_18 is not None:
        raise SharingError(
            "Consent was given, so no paragraph 18 reason applies; clear it",
            field="para_18_reason",
        )
    shared = sorted({inputs.choice(DataCategory, c, "categories").value for c in categories})
    if sharing and not shared:
        raise SharingError("Choose what you are sharing", field="categories")
    with_agency = inputs.agency_by_code(session, with_agency_code) if with_agency_code else None
    if sharing and with_agency is None:
        raise SharingError("Choose the agency you are sharing with", field="with_agency")
    if not reasons.strip():
        raise SharingError("Give your reasons, whether or not you share", field="reasons")
    if agreement_id is not None and queries.agreement_for(session, actor, agreement_id) is None:
        raise AgreementNotFound(f"There is no agreement {agreement_id}")
    decided = SharingDecision(
        subject_reference=subject,
        master_person_id=master_person_id,
        agency_id=actor.agency_id,
        decision=choice.value,
        lawful_basis=basis.value,
        consent_status=consent.value,
        para_18_reason=para_18.value if para_18 else None,
        categories=",".join(shared),
        with_agency=with_agency,
        purpose=inputs.choice(Purpose, purpose, "purpose").value,
        reasons=reasons.strip(),
        agreement_id=agreement_id,
        decided_by_professional_id=actor.professional_id,
        decided_by_label=actor.label,
        decided_at=clock.now(),
    )
    session.add(decided)
    session.flush()
    record(
        session,
        actor,
        "practitioner:sharing_decision:recorded",
        "sharing_decision",
        decided.id,
        decision=choice.value,
        with_agency=with_agency.code if with_agency else None,
        categories=shared,
        consent=consent.value,
    )
    session.commit()
    return decided


def open_break_glass(
    session: Session,
    actor: Actor,
    *,
    subject_reference: str,
    justification: str,
    owner_agency_code: str | None = None,
    master_person_id: int | None = None,
    duration: dt.timedelta = BREAK_GLASS_DEFAULT,
) -> BreakGlassGrant:
    """Open time-limited emergency access to a person's records (all owners' when
    `owner_agency_code` is None). The owner's IG lead is alerted by the gate."""
    if actor.user_id is None or actor.agency_id is None:
        raise SharingError("Break-glass is opened by a signed-in practitioner, never a command")
    if not actor.roles & BREAK_GLASS_ROLES:
        raise SharingError(
            "Break-glass is for staff who work cases (referrers, MASH practitioners and "
            "managers); ask one of them"
        )
    subject = subject_reference.strip()
    if not subject or len(subject) > 80:
        raise SharingError("Enter the person's reference (up to 80 characters)", field="subject")
    why = justification.strip()
    if len(why) < BREAK_GLASS_MIN_JUSTIFICATION:
        raise SharingError(
            f"Explain the emergency in at least {BREAK_GLASS_MIN_JUSTIFICATION} characters: who "
            "is at risk, and why it cannot wait for the usual route",
            field="justification",
        )
    if not BREAK_GLASS_SHORTEST <= duration <= BREAK_GLASS_LONGEST:
        raise SharingError(
            "Break-glass lasts between 5 minutes and 12 hours; open it again if you need longer",
            field="duration",
        )
    owner = inputs.agency_by_code(session, owner_agency_code) if owner_agency_code else None
    now = clock.now()
    opened = BreakGlassGrant(
        user_id=actor.user_id,
        agency_id=actor.agency_id,
        subject_reference=subject,
        master_person_id=master_person_id,
        owner_agency_id=owner.id if owner else None,
        justification=why,
        starts_at=now,
        expires_at=now + duration,
    )
    session.add(opened)
    session.flush()
    record(
        session,
        actor,
        "practitioner:break_glass:opened",
        "break_glass",
        opened.id,
        subject=subject,
        owner=owner.code if owner else None,
        expires_at=opened.expires_at.isoformat(),
        # Not the justification: free text may name people, and the ledger is never edited
        # (nor reached by the retention job); it stays on the grant.
    )
    session.commit()
    return opened


def review_break_glass(
    session: Session, actor: Actor, grant_id: int, note: str
) -> BreakGlassReview:
    """Record that the IG lead of an agency whose records a break-glass grant opened has
    reviewed its use, with what they found. The grant itself is never changed.

    Returns the review. Raises BreakGlassNotFound to anyone but an IG lead of such an agency
    (the web answers 404), and SharingError when the note is missing or too long, or the
    agency has already reviewed this use.
    """
    grant = session.get(BreakGlassGrant, grant_id)
    if (
        grant is None
        or actor.agency_id is None
        or actor.professional_id is None
        or not actor.has(Role.IG_LEAD)
        or grant.owner_agency_id not in (None, actor.agency_id)
    ):
        raise BreakGlassNotFound(f"There is no break-glass use {grant_id}")
    found = note.strip()
    if not found:
        raise SharingError(
            "Say what you found: whether the emergency justified it, and anything you did",
            field="note",
        )
    if len(found) > REVIEW_NOTE_LONGEST:
        raise SharingError(
            f"The note must be {REVIEW_NOTE_LONGEST:,} characters or fewer", field="note"
        )
    earlier = session.scalar(
        select(BreakGlassReview).where(
            BreakGlassReview.grant_id == grant.id, BreakGlassReview.agency_id == actor.agency_id
        )
    )
    if earlier is not None:
        raise SharingError(
            f"{earlier.reviewed_by_label} already reviewed this use on "
            f"{earlier.reviewed_at.astimezone(clock.LONDON):%-d %B %Y}"
        )
    review = BreakGlassReview(
        grant_id=grant.id,
        agency_id=actor.agency_id,
        note=found,
        reviewed_by_professional_id=actor.professional_id,
        reviewed_by_label=actor.label,
        reviewed_at=clock.now(),
    )
    session.add(review)
    session.flush()
    record(
        session,
        actor,
        "ig:break_glass:reviewed",
        "break_glass",
        grant.id,
        review_id=review.id,
        # Not the note: free text may name people, and the ledger is never edited.
    )
    session.commit()
    return review
