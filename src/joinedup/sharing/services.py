"""Every change to governed sharing. Each function validates, writes, records the change in the
ledger and commits once; a refusal raises SharingError naming the field and how to put it right.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.rules import Role
from joinedup.sharing import inputs, queries
from joinedup.sharing.inputs import SharingError as SharingError  # raised by every service here
from joinedup.sharing.models import (
    Agreement,
    AgreementGrant,
    AgreementParty,
    AgreementSignature,
    AgreementStatusChange,
)
from joinedup.sharing.rules import (
    GRANTABLE_ROLES,
    AgreementStatus,
    Article9Condition,
    DataCategory,
    LawfulBasis,
    OnwardSharing,
    Purpose,
    can_move,
)

# Long enough for any record an agreement might govern (a child's file is kept for decades).
MAX_RETENTION_DAYS = 100 * 366


class AgreementNotFound(SharingError):
    """No such agreement, or none the actor's agency is party to: the web answers 404."""


# --- Agreements ----------------------------------------------------------------------------


def draft_agreement(
    session: Session,
    actor: Actor,
    *,
    title: str,
    purpose: str,
    lawful_basis: str,
    starts_on: dt.date,
    review_on: dt.date,
    ends_on: dt.date | None,
    retention_days: int,
    onward_sharing: str = OnwardSharing.ORIGINATOR_CONSENT_REQUIRED,
    article_9_condition: str | None = None,
    schedule_1_condition: str | None = None,
) -> Agreement:
    """Draft an agreement. An IG lead's agency becomes its first party; an operator's command
    (the demo) adds every party itself. Returns the draft; raises SharingError."""
    if not inputs.is_operator(actor):
        _require_ig_lead(actor, "draft an agreement")
    title = title.strip()
    if not title:
        raise SharingError("Enter the agreement's title", field="title")
    condition = inputs.optional_choice(
        Article9Condition, article_9_condition, "article_9_condition"
    )
    schedule_1 = (schedule_1_condition or "").strip()
    if condition is not None and not schedule_1:
        schedule_1 = condition.schedule_1_condition
    _check_dates(starts_on, review_on, ends_on)
    if not 1 <= retention_days <= MAX_RETENTION_DAYS:
        raise SharingError(
            f"Retention must be between 1 and {MAX_RETENTION_DAYS} days", field="retention_days"
        )
    now = clock.now()
    agreement = Agreement(
        title=title,
        purpose=inputs.choice(Purpose, purpose, "purpose").value,
        lawful_basis=inputs.choice(LawfulBasis, lawful_basis, "lawful_basis").value,
        article_9_condition=condition.value if condition else None,
        schedule_1_condition=schedule_1,
        onward_sharing=inputs.choice(OnwardSharing, onward_sharing, "onward_sharing").value,
        retention_days=retention_days,
        starts_on=starts_on,
        review_on=review_on,
        ends_on=ends_on,
        status=AgreementStatus.DRAFT.value,
        created_by_professional_id=actor.professional_id,
        created_by_label=actor.label,
        created_at=now,
    )
    if actor.agency_id is not None:
        agreement.parties.append(AgreementParty(agency_id=actor.agency_id, added_at=now))
    agreement.status_changes.append(_change(actor, None, AgreementStatus.DRAFT, "drafted"))
    session.add(agreement)
    session.flush()
    record(session, actor, "ig:agreement:drafted", "agreement", agreement.id, title=title)
    session.commit()
    return agreement


def add_party(
    session: Session, actor: Actor, agreement_id: int, agency_code: str
) -> AgreementParty:
    """Add an agency as a party to a draft no one has signed yet."""
    agreement = _editable(session, actor, agreement_id)
    agency = inputs.agency_by_code(session, agency_code)
    if agreement.party_for(agency.id) is not None:
        raise SharingError(f"{agency.name} is already a party", field="agency")
    party = AgreementParty(agency=agency, added_at=clock.now())
    agreement.parties.append(party)
    session.flush()
    record(
        session, actor, "ig:agreement:party_added", "agreement", agreement.id, agency=agency.code
    )
    session.commit()
    return party


def grant(
    session: Session,
    actor: Actor,
    agreement_id: int,
    agency_code: str,
    role: str,
    category: str,
) -> AgreementGrant:
    """Let a party's staff holding `role` see `category` from the other parties."""
    agreement = _editable(session, actor, agreement_id)
    agency = inputs.agency_by_code(session, agency_code)
    party = agreement.party_for(agency.id)
    if party is None:
        raise SharingError(f"Add {agency.name} as a party before granting it", field="agency")
    granted_role = inputs.choice(Role, role, "role")
    if granted_role not in GRANTABLE_ROLES:
        # DESIGN invariant 7.
        raise SharingError(
            "A system leader's role never reaches personal data; choose another role",
            field="role",
        )
    granted = inputs.choice(DataCategory, category, "category")
    _check_condition(agreement, granted)
    if any(g.role == granted_role and g.category == granted for g in party.grants):
        raise SharingError(
            f"{agency.name}'s {granted_role.label.lower()}s already see {granted.label.lower()}",
            field="category",
        )
    new = AgreementGrant(role=granted_role.value, category=granted.value)
    party.grants.append(new)
    session.flush()
    record(
        session,
        actor,
        "ig:agreement:granted",
        "agreement",
        agreement.id,
        agency=agency.code,
        role=granted_role.value,
        category=granted.value,
    )
    session.commit()
    return new


def sign(session: Session, actor: Actor, agreement_id: int) -> Agreement:
    """Sign for the actor's agency. Only that party's IG lead may; when the last party signs,
    the agreement becomes signed. Raises AgreementNotFound to anyone outside the parties."""
    agreement = _agreement(session, actor, agreement_id)
    party = agreement.party_for(actor.agency_id)
    if party is None or actor.professional_id is None:
        raise AgreementNotFound(f"There is no agreement {agreement_id}")
    _require_ig_lead(actor, f"sign “{agreement.title}” for {party.agency.name}")
    if agreement.current_status is not AgreementStatus.DRAFT:
        raise SharingError(f"“{agreement.title}” is {agreement.status}; only a draft is signed")
    if party.signature is not None:
        raise SharingError(f"{party.agency.name} has already signed “{agreement.title}”")
    _check_complete(agreement)
    party.signature = AgreementSignature(
        signed_by_professional_id=actor.professional_id,
        signed_by_user_id=actor.user_id,
        signed_at=clock.now(),
    )
    session.flush()
    everyone = not agreement.unsigned_parties
    if everyone:
        _move(agreement, actor, AgreementStatus.SIGNED, "signed by every party")
    record(
        session,
        actor,
        "ig:agreement:signed",
        "agreement",
        agreement.id,
        agency=party.agency.code,
        all_signed=everyone,
    )
    session.commit()
    return agreement


def activate(session: Session, actor: Actor, agreement_id: int) -> Agreement:
    """Put a signed (or suspended) agreement in force, from its start date until its end."""
    agreement = _agreement(session, actor, agreement_id)
    if not inputs.is_operator(actor):
        _require_ig_lead(actor, "activate an agreement")
    status = agreement.current_status
    if status not in (AgreementStatus.SIGNED, AgreementStatus.SUSPENDED):
        unsigned = ", ".join(p.agency.name for p in agreement.unsigned_parties)
        raise SharingError(
            f"Every party must sign before “{agreement.title}” is active; waiting for {unsigned}"
            if status is AgreementStatus.DRAFT
            else f"“{agreement.title}” is {status}, so it cannot be activated"
        )
    on = inputs.today()
    if on < agreement.starts_on:
        raise SharingError(
            f"“{agreement.title}” starts on {agreement.starts_on:%-d %B %Y}; "
            "activate it on or after that day"
        )
    if agreement.ends_on is not None and agreement.ends_on < on:
        raise SharingError(
            f"“{agreement.title}” ended on {agreement.ends_on:%-d %B %Y}; draft a new agreement"
        )
    reason = "resumed" if status is AgreementStatus.SUSPENDED else "activated"
    _move(agreement, actor, AgreementStatus.ACTIVE, reason)
    record(session, actor, f"ig:agreement:{reason}", "agreement", agreement.id)
    session.commit()
    return agreement


def suspend(session: Session, actor: Actor, agreement_id: int, reason: str) -> Agreement:
    """Stop relying on an active agreement at once (a breach, a party withdrawing)."""
    agreement = _agreement(session, actor, agreement_id)
    if not inputs.is_operator(actor):
        _require_ig_lead(actor, "suspend an agreement")
    reason = reason.strip()
    if not reason:
        raise SharingError("Say why you are suspending the agreement", field="reason")
    if agreement.current_status is not AgreementStatus.ACTIVE:
        raise SharingError(
            f"“{agreement.title}” is {agreement.status}; only an active one is suspended"
        )
    _move(agreement, actor, AgreementStatus.SUSPENDED, reason)
    record(session, actor, "ig:agreement:suspended", "agreement", agreement.id, reason=reason)
    session.commit()
    return agreement


def expire_due(session: Session, actor: Actor) -> list[Agreement]:
    """Expire every agreement past its end date. Returns those it expired (oldest end first)."""
    due = list(
        session.scalars(
            select(Agreement)
            .where(
                Agreement.status != AgreementStatus.EXPIRED,
                Agreement.ends_on.is_not(None),
                Agreement.ends_on < inputs.today(),
            )
            .order_by(Agreement.ends_on, Agreement.id)
        )
    )
    for agreement in due:
        _move(agreement, actor, AgreementStatus.EXPIRED, f"ended on {agreement.ends_on}")
        record(session, actor, "system:agreement:expired", "agreement", agreement.id)
    if due:
        session.commit()
    return due


# --- Helpers ------------------------------------------------------------------------------


def _require_ig_lead(actor: Actor, to: str) -> None:
    if not actor.has(Role.IG_LEAD):
        raise SharingError(
            f"Only an information governance lead can {to}; ask your agency's IG lead"
        )


def _agreement(session: Session, actor: Actor, agreement_id: int) -> Agreement:
    agreement = queries.agreement_for(session, actor, agreement_id)
    if agreement is None:
        raise AgreementNotFound(f"There is no agreement {agreement_id}")
    return agreement


def _editable(session: Session, actor: Actor, agreement_id: int) -> Agreement:
    agreement = _agreement(session, actor, agreement_id)
    if not inputs.is_operator(actor):
        _require_ig_lead(actor, "change an agreement")
    if agreement.current_status is not AgreementStatus.DRAFT:
        raise SharingError(
            f"“{agreement.title}” is {agreement.status}; terms change only in a draft, so draft "
            "a new agreement to replace it"
        )
    if any(p.signature is not None for p in agreement.parties):
        # A signature is to these terms; changing them would make it a signature to others.
        raise SharingError(
            f"Parties have signed “{agreement.title}”, so its terms can no longer change; "
            "draft a new agreement"
        )
    return agreement


def _check_dates(starts_on: dt.date, review_on: dt.date, ends_on: dt.date | None) -> None:
    if review_on < starts_on:
        raise SharingError("The review date must be on or after the start date", field="review_on")
    if ends_on is not None:
        if ends_on <= starts_on:
            raise SharingError("The end date must be after the start date", field="ends_on")
        if review_on > ends_on:
            raise SharingError(
                "The review date must be on or before the end date", field="review_on"
            )
        if ends_on < inputs.today():
            raise SharingError("The end date has passed; choose a later one", field="ends_on")


def _check_condition(agreement: Agreement, category: DataCategory) -> None:
    # UK GDPR Art 9(1) and Art 10, DPA 2018 s10: no condition, no lawful sharing.
    if category.special_category and agreement.article_9_condition is None:
        raise SharingError(
            f"{category.label} is special category data (UK GDPR Art 9): choose the agreement's "
            "Art 9 condition before granting it",
            field="category",
        )
    if category.needs_schedule_1_condition and not agreement.schedule_1_condition.strip():
        raise SharingError(
            f"{category.label} is criminal offence data (UK GDPR Art 10): name the DPA 2018 "
            "Schedule 1 condition before granting it",
            field="category",
        )


def _check_complete(agreement: Agreement) -> None:
    if len(agreement.parties) < 2:
        raise SharingError(f"“{agreement.title}” needs at least two parties before it is signed")
    if not any(p.grants for p in agreement.parties):
        raise SharingError(
            f"“{agreement.title}” grants no one anything yet; grant at least one role a "
            "category before it is signed"
        )
    if agreement.ends_on is not None and agreement.ends_on < inputs.today():
        raise SharingError(f"“{agreement.title}” has already ended; draft a new agreement")


def _change(
    actor: Actor, current: AgreementStatus | None, to: AgreementStatus, reason: str
) -> AgreementStatusChange:
    return AgreementStatusChange(
        from_status=current.value if current else None,
        to_status=to.value,
        reason=reason,
        changed_by_label=actor.label,
        changed_at=clock.now(),
    )


def _move(agreement: Agreement, actor: Actor, to: AgreementStatus, reason: str) -> None:
    current = agreement.current_status
    if not can_move(current, to):
        raise SharingError(f"“{agreement.title}” cannot go from {current} to {to}")
    agreement.status = to.value
    agreement.status_changes.append(_change(actor, current, to, reason))
