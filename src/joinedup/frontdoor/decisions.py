"""The MASH manager's decision on a contact, and feedback to the referrer.

Ofsted found decisions without reasons, and health and schools left out of strategy
discussions; serious case reviews found referrers who never heard back (domain.md, "What goes
wrong"). So a decision needs its rationale, a reason when harm was indicated and no strategy
discussion is held, and the agencies that took part; and each referrer's acknowledgement and
outcome are tasks with clocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.models import Agency
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor.disclosure import is_allocated_worker
from joinedup.frontdoor.models import Contact, ContactDecision, DecisionAgency, FeedbackTask
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import (
    REASON_LENGTH,
    ContactStatus,
    FeedbackKind,
    FrontDoorError,
    spoken_time,
)
from joinedup.frontdoor.services import ContactNotFound, claim, record_event


@dataclass(frozen=True)
class DecisionIn:
    """What the manager decided. Agencies are directory ids."""

    outcome: str
    rationale: str
    harm_indicated: bool | None
    no_strategy_reason: str = ""
    took_part: frozenset[int] = field(default_factory=frozenset)
    invited: frozenset[int] = field(default_factory=frozenset)  # to the strategy discussion


def decide_contact(
    session: Session,
    actor: Actor,
    contact_id: int,
    decision: DecisionIn,
    expected_version: int,
    practice: Practice,
) -> ContactDecision:
    """Record the decision, close the contact, and set the referrer's outcome feedback clock.

    Only a MASH manager may. Refused (FrontDoorError naming the field) before a rating, while
    a partner has not answered, for an outcome not on the practice's lists for the people
    named, without a rationale, or, where harm was indicated and the outcome is not a strategy
    discussion, without the reason why not. The manager's own agency always takes part.
    """
    if not actor.has(Role.MASH_MANAGER) or actor.professional_id is None:
        raise ContactNotFound(contact_id)
    assert actor.agency_id is not None
    now = clock.now()
    contact = claim(session, contact_id, expected_version, now, practice)
    try:
        _check_decidable(contact)
        checked = _check_decision(session, contact, decision, practice, actor.agency_id)
    except FrontDoorError:
        session.rollback()
        raise
    made = ContactDecision(
        outcome=checked.outcome,
        rationale=checked.rationale,
        harm_indicated=bool(checked.harm_indicated),
        no_strategy_reason=checked.no_strategy_reason or None,
        decided_by_professional_id=actor.professional_id,
        decided_at=now,
        agencies=[
            DecisionAgency(
                agency_id=agency_id,
                took_part=agency_id in checked.took_part,
                invited=agency_id in checked.invited,
            )
            for agency_id in sorted(checked.took_part | checked.invited)
        ],
    )
    contact.decision = made
    contact.status = ContactStatus.DECIDED.value
    contact.feedback_tasks.append(
        FeedbackTask(
            kind=FeedbackKind.OUTCOME.value,
            due_at=practice.outcome_feedback_due.due(practice.calendar, now),
        )
    )
    session.flush()
    strategy = checked.outcome in practice.strategy_outcomes
    kinds = _kinds(session, checked.invited)
    record_event(
        session,
        actor,
        "contact.decided",
        contact,
        outcome=checked.outcome,
        harm_indicated=made.harm_indicated,
        strategy_discussion=strategy,
        agencies_took_part=sorted(checked.took_part),
        agencies_invited=sorted(checked.invited),
        health_invited=any(kind.is_health for kind in kinds) if strategy else None,
        education_invited=(AgencyKind.SCHOOL in kinds) if strategy else None,
        late=now > contact.decision_due_at,
    )
    record(
        session, actor, "manager:contact:decided", "contact", contact.id, outcome=checked.outcome
    )
    session.commit()
    return made


def send_feedback(session: Session, actor: Actor, task_id: int, message: str) -> FeedbackTask:
    """Send the referrer their acknowledgement or outcome, in the sender's words, once.

    A MASH manager may send either. The allocated worker of a contact routed to their case may
    send its acknowledgement: the referrer is owed it within one working day whoever has the
    contact (WT 2023), and the worker, not the MASH, is taking it forward. To anyone else the
    task does not exist (ContactNotFound). The message is what the referrer reads beside the
    outcome: never the partners' research. A second send of the same task, by anyone, is
    refused, saying who sent it.
    """
    task = session.get(FeedbackTask, task_id)
    manager = actor.has(Role.MASH_MANAGER)
    as_worker = (
        task is not None
        and not manager
        and task.kind == FeedbackKind.ACKNOWLEDGEMENT
        and is_allocated_worker(actor, task.contact)
    )
    if task is None or actor.professional_id is None or not (manager or as_worker):
        raise ContactNotFound(task_id)
    message = (message or "").strip()
    if not message:
        raise FrontDoorError("Enter the message for the referrer", field="message")
    if len(message) > REASON_LENGTH:
        raise FrontDoorError(
            f"The message must be {REASON_LENGTH:,} characters or fewer", field="message"
        )
    now = clock.now()
    sent = session.execute(
        update(FeedbackTask)
        .where(FeedbackTask.id == task_id, FeedbackTask.sent_at.is_(None))
        .values(sent_at=now, sent_by_professional_id=actor.professional_id, message=message)
        .execution_options(synchronize_session=False)
    )
    session.refresh(task)
    if sent.rowcount != 1:  # type: ignore[attr-defined]
        who = task.sent_by
        session.rollback()
        raise FrontDoorError(
            f"{who.name if who else 'Someone'} sent this to the referrer at "
            f"{spoken_time(task.sent_at or now)}. Nothing you wrote was sent",
            field="message",
        )
    contact = task.contact
    by = {"sent_by": "allocated_worker"} if as_worker else {}
    record_event(
        session, actor, "feedback.sent", contact, kind=task.kind, late=now > task.due_at, **by
    )
    action = "worker:feedback:sent" if as_worker else "manager:feedback:sent"
    record(session, actor, action, "contact", contact.id, kind=task.kind)
    session.commit()
    return task


def _check_decidable(contact: Contact) -> None:
    if contact.status == ContactStatus.DECIDED:
        raise FrontDoorError("This contact has already been decided", field="outcome")
    if contact.current_rating is None:
        raise FrontDoorError("Rate this contact before deciding it", field="outcome")
    waiting = sorted(r.agency.name for r in contact.research_requests if r.is_open)
    if waiting:
        raise FrontDoorError(
            f"Wait for {', '.join(waiting)} to answer before deciding: a late request "
            "escalates to its agency",
            field="outcome",
        )


def _check_decision(
    session: Session, contact: Contact, given: DecisionIn, practice: Practice, own_agency: int
) -> DecisionIn:
    kinds = [s.kind for s in contact.subjects if s.role == "subject"]
    allowed = {c.code: c for c in practice.outcomes_for(kinds)}
    if given.outcome not in allowed:
        raise FrontDoorError("Select the outcome", field="outcome")
    rationale = given.rationale.strip()
    if not rationale:
        raise FrontDoorError("Enter the rationale for this decision", field="rationale")
    if len(rationale) > REASON_LENGTH:
        raise FrontDoorError(
            f"The rationale must be {REASON_LENGTH:,} characters or fewer", field="rationale"
        )
    if given.harm_indicated is None:
        raise FrontDoorError(
            "Select whether the information indicates harm", field="harm_indicated"
        )
    strategy = given.outcome in practice.strategy_outcomes
    reason = given.no_strategy_reason.strip()
    if given.harm_indicated and not strategy and not reason:
        raise FrontDoorError(
            "Enter why there will be no strategy discussion when harm was indicated",
            field="no_strategy_reason",
        )
    named = given.took_part | given.invited
    found = set(session.scalars(select(Agency.id).where(Agency.id.in_(named))))
    if found != set(named):
        raise FrontDoorError("Select agencies from the list", field="took_part")
    if strategy and not given.invited:
        raise FrontDoorError(
            "Select the agencies invited to the strategy discussion", field="invited"
        )
    return DecisionIn(
        outcome=given.outcome,
        rationale=rationale,
        harm_indicated=given.harm_indicated,
        no_strategy_reason=reason if not strategy else "",
        took_part=given.took_part | {own_agency},
        invited=given.invited if strategy else frozenset(),
    )


def _kinds(session: Session, agency_ids: frozenset[int]) -> set[AgencyKind]:
    if not agency_ids:
        return set()
    return {
        AgencyKind(kind)
        for kind in session.scalars(select(Agency.kind).where(Agency.id.in_(agency_ids)))
    }
