"""Every change to governed sharing. Each function validates, writes, records the change in the
ledger and commits once; a refusal raises SharingError naming the field and how to put it right.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.models import Agency
from joinedup.directory.rules import Role
from joinedup.sharing import queries
from joinedup.sharing.models import (
    Agreement,
    AgreementGrant,
    AgreementParty,
    AgreementSignature,
    AgreementStatusChange,
    BreakGlassGrant,
    SharingDecision,
)
from joinedup.sharing.rules import (
    BREAK_GLASS_DEFAULT,
    BREAK_GLASS_LONGEST,
    BREAK_GLASS_MIN_JUSTIFICATION,
    BREAK_GLASS_ROLES,
    BREAK_GLASS_SHORTEST,
    GRANTABLE_ROLES,
    AgreementStatus,
    Article9Condition,
    ConsentStatus,
    DataCategory,
    LawfulBasis,
    OnwardSharing,
    Para18Reason,
    Purpose,
    SharingChoice,
    can_move,
)

E = TypeVar("E", bound=enum.StrEnum)
# Long enough for any record an agreement might govern (a child's file is kept for decades).
MAX_RETENTION_DAYS = 100 * 366


class SharingError(Exception):
    """A sharing change that cannot be made; the message says how to put it right.

    `field` names the input at fault, so a form can put the message beside it.
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class AgreementNotFound(SharingError):
    """No such agreement, or none the actor's agency is party to: the web answers 404."""


def today() -> dt.date:
    """Today in England: agreements start and end on local calendar days."""
    return clock.now().astimezone(clock.LONDON).date()


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
    if not _is_operator(actor):
        _require_ig_lead(actor, "draft an agreement")
    title = title.strip()
    if not title:
        raise SharingError("Enter the agreement's title", field="title")
    condition = _optional_choice(Article9Condition, article_9_condition, "article_9_condition")
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
        purpose=_choice(Purpose, purpose, "purpose").value,
        lawful_basis=_choice(LawfulBasis, lawful_basis, "lawful_basis").value,
        article_9_condition=condition.value if condition else None,
        schedule_1_condition=schedule_1,
        onward_sharing=_choice(OnwardSharing, onward_sharing, "onward_sharing").value,
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
    agency = _agency(session, agency_code)
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
    agency = _agency(session, agency_code)
    party = agreement.party_for(agency.id)
    if party is None:
        raise SharingError(f"Add {agency.name} as a party before granting it", field="agency")
    granted_role = _choice(Role, role, "role")
    if granted_role not in GRANTABLE_ROLES:
        # DESIGN invariant 7.
        raise SharingError(
            "A system leader's role never reaches personal data; choose another role",
            field="role",
        )
    granted = _choice(DataCategory, category, "category")
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
    if not _is_operator(actor):
        _require_ig_lead(actor, "activate an agreement")
    status = agreement.current_status
    if status not in (AgreementStatus.SIGNED, AgreementStatus.SUSPENDED):
        unsigned = ", ".join(p.agency.name for p in agreement.unsigned_parties)
        raise SharingError(
            f"Every party must sign before “{agreement.title}” is active; waiting for {unsigned}"
            if status is AgreementStatus.DRAFT
            else f"“{agreement.title}” is {status}, so it cannot be activated"
        )
    on = today()
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
    if not _is_operator(actor):
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
                Agreement.ends_on < today(),
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


# --- Decisions about people ---------------------------------------------------------------


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
    choice = _choice(SharingChoice, decision, "decision")
    if not lawful_basis:
        raise SharingError(
            "Choose the lawful basis (usually UK GDPR Art 6(1)(e), public task)",
            field="lawful_basis",
        )
    basis = _choice(LawfulBasis, lawful_basis, "lawful_basis")
    consent = _choice(ConsentStatus, consent_status, "consent_status")
    para_18 = _optional_choice(Para18Reason, para_18_reason, "para_18_reason")
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
    shared = sorted({_choice(DataCategory, c, "categories").value for c in categories})
    if sharing and not shared:
        raise SharingError("Choose what you are sharing", field="categories")
    with_agency = _agency(session, with_agency_code) if with_agency_code else None
    if sharing and with_agency is None:
        raise SharingError("Choose the agency you are sharing with", field="with_agency")
    if not reasons.strip():
        raise SharingError("Give your reasons, whether or not you share", field="reasons")
    if agreement_id is not None:
        _agreement(session, actor, agreement_id)
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
        purpose=_choice(Purpose, purpose, "purpose").value,
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
    owner = _agency(session, owner_agency_code) if owner_agency_code else None
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


# --- Helpers ------------------------------------------------------------------------------


def _is_operator(actor: Actor) -> bool:
    """The hub acting for an operator's command (`joinedup demo`), not a signed-in person."""
    return actor.user_id is None and actor.professional_id is None


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
    if not _is_operator(actor):
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


def _agency(session: Session, code: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code.strip().upper()))
    if agency is None:
        raise SharingError(f"There is no agency with the code {code}", field="agency")
    return agency


def _choice(kind: type[E], value: str | None, field: str) -> E:
    """`value` as a member of `kind`, or a SharingError listing the values that exist."""
    found = _optional_choice(kind, value, field)
    if found is None:
        raise SharingError(f"Choose {_WHAT[field]}", field=field)
    return found


def _optional_choice(kind: type[E], value: str | None, field: str) -> E | None:
    if value is None or not value.strip():
        return None
    try:
        return kind(value.strip().lower())
    except ValueError:
        values = ", ".join(member.value for member in kind)
        raise SharingError(f"Choose {_WHAT[field]}: one of {values}", field=field) from None


_WHAT = {
    "purpose": "the purpose",
    "lawful_basis": "the lawful basis",
    "article_9_condition": "the Art 9 condition",
    "onward_sharing": "the onward-sharing terms",
    "role": "the role",
    "category": "the data category",
    "categories": "the data categories",
    "decision": "whether you share",
    "consent_status": "whether consent was given, refused or not sought",
    "para_18_reason": "the paragraph 18 reason",
}


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
        if ends_on < today():
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
    if agreement.ends_on is not None and agreement.ends_on < today():
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
