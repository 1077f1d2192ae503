"""Partner research: the MASH manager asks agencies what they know; each answers from its queue.

Each request carries its own clock, from the contact's rating at the time of asking, so a
partner who answers late is late by its own measure (Ofsted, Nottingham City 2022: partners
took up to 16 days). A late request escalates. The answer belongs to the answering agency: it
marks the sensitivity and says whether it may go beyond the MASH (originator control).

An agency is asked once per contact; when new information arrives after it has answered, the
manager asks it a follow-up, the next round of its request (research_rounds.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.models import Agency, Professional, RoleGrant
from joinedup.directory.rules import Role
from joinedup.frontdoor.models import Contact, ResearchRequest
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import REASON_LENGTH, ContactStatus, FrontDoorError, spoken_time
from joinedup.frontdoor.services import ContactNotFound, claim, record_event
from joinedup.sharing.rules import Sensitivity

SUMMARY_LENGTH = 10_000


class ResearchNotFound(FrontDoorError):
    """No such request, or not one for the actor's agency: the same answer either way (404)."""

    def __init__(self, request_id: object) -> None:
        super().__init__(f"There is no research request {request_id}")


def request_research(
    session: Session,
    actor: Actor,
    contact_id: int,
    agency_ids: list[int],
    question: str,
    expected_version: int,
    practice: Practice,
) -> list[ResearchRequest]:
    """Ask each agency what it knows about the contact's people, each with its own clock.

    Only a MASH manager may (to anyone else the contact does not exist). The clock is the
    contact's current rating's research clock, started now. Raises FrontDoorError naming the
    field for: no rating yet, a rating that asks no research (Blue), no agency chosen, an
    agency asked already or with no MASH practitioner to answer, or no question.
    """
    if not actor.has(Role.MASH_MANAGER) or actor.professional_id is None:
        raise ContactNotFound(contact_id)
    now = clock.now()
    contact = claim(session, contact_id, expected_version, now, practice)
    try:
        due_at = research_due(contact, practice, now)
        agencies = _agencies_to_ask(session, contact, agency_ids)
        question = required_text(
            question,
            "question",
            "Enter what you want the agencies to find out",
            f"The question must be {REASON_LENGTH:,} characters or fewer",
            REASON_LENGTH,
        )
    except FrontDoorError:
        session.rollback()
        raise
    made = [
        ResearchRequest(
            agency_id=agency.id,
            round=1,
            requested_by_professional_id=actor.professional_id,
            requested_at=now,
            due_at=due_at,
            question=question,
        )
        for agency in agencies
    ]
    contact.research_requests.extend(made)
    contact.status = ContactStatus.RESEARCHING.value
    session.flush()
    for request in made:
        record_event(
            session,
            actor,
            "research.requested",
            contact,
            agency_id=request.agency_id,
            rating=contact.current_rating.rating if contact.current_rating else None,
            due_at=due_at.isoformat(),
            round=1,
            follow_up=False,
        )
    record(
        session,
        actor,
        "manager:research:requested",
        "contact",
        contact.id,
        agencies=[a.code for a in agencies],
    )
    session.commit()
    return made


def answer_research(
    session: Session,
    actor: Actor,
    request_id: int,
    summary: str,
    sensitivity: str,
    may_share_beyond_mash: bool | None,
) -> ResearchRequest:
    """A MASH practitioner answers a request to their own agency, once.

    To anyone else the request does not exist (ResearchNotFound). The answer moves the
    contact's version on, so a manager deciding on what they read before it arrived is told.
    A second answer is refused, saying who answered and when; nothing is overwritten.
    """
    request = session.get(ResearchRequest, request_id)
    if (
        request is None
        or not actor.has(Role.MASH_PRACTITIONER)
        or actor.professional_id is None
        or request.agency_id != actor.agency_id
    ):
        raise ResearchNotFound(request_id)
    summary = required_text(
        summary,
        "summary",
        "Enter a summary of what your agency knows",
        f"The summary must be {SUMMARY_LENGTH:,} characters or fewer",
        SUMMARY_LENGTH,
    )
    marking = _sensitivity(sensitivity)
    if may_share_beyond_mash is None:
        raise FrontDoorError(
            "Select whether your answer may be shared beyond the MASH", field="may_share"
        )
    now = clock.now()
    # Compare-and-set, the transaction's first write: of two answers, one gets in.
    answered = session.execute(
        update(ResearchRequest)
        .where(ResearchRequest.id == request_id, ResearchRequest.answered_at.is_(None))
        .values(
            answered_at=now,
            answered_by_professional_id=actor.professional_id,
            summary=summary,
            sensitivity=marking.value,
            may_share_beyond_mash=may_share_beyond_mash,
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(request)
    if answered.rowcount != 1:  # type: ignore[attr-defined]
        who = request.answered_by
        session.rollback()
        raise FrontDoorError(
            f"{who.name if who else 'Someone'} answered this request at "
            f"{spoken_time(request.answered_at or now)}. Nothing you sent was saved",
            field="summary",
        )
    session.execute(
        update(Contact)
        .where(Contact.id == request.contact_id)
        .values(version=Contact.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    contact = session.get(Contact, request.contact_id, populate_existing=True)
    assert contact is not None
    record_event(
        session,
        actor,
        "research.answered",
        contact,
        agency_id=request.agency_id,
        round=request.round,
        late=now > request.due_at,
        sensitivity=marking.value,
        may_share_beyond_mash=may_share_beyond_mash,
    )
    record(
        session,
        actor,
        "practitioner:research:answered",
        "research_request",
        request.id,
        contact=contact.reference,
    )
    session.commit()
    return request


def escalate_late_research(session: Session, actor: Actor) -> list[ResearchRequest]:
    """Mark every unanswered request past its due time as escalated, once each.

    Run by the hub's housekeeping every minute and by `joinedup research escalate`. An
    escalated request shows on the MASH managers' home page and, flagged, in its agency's
    queue, where that agency's own MASH managers see it too.
    """
    now = clock.now()
    late = list(
        session.scalars(
            select(ResearchRequest)
            .where(
                ResearchRequest.answered_at.is_(None),
                ResearchRequest.escalated_at.is_(None),
                ResearchRequest.due_at <= now,
            )
            .order_by(ResearchRequest.due_at, ResearchRequest.id)
            .with_for_update(skip_locked=True)
        )
    )
    for request in late:
        request.escalated_at = now
        record_event(
            session,
            actor,
            "research.escalated",
            request.contact,
            agency_id=request.agency_id,
            round=request.round,
            due_at=request.due_at.isoformat(),
        )
        record(session, actor, "system:research:escalated", "research_request", request.id)
    session.commit()
    return late


def research_due(
    contact: Contact, practice: Practice, now: dt.datetime, field: str = "agencies"
) -> dt.datetime:
    """When partners asked now must answer, by the contact's current rating's research clock.
    Raises FrontDoorError (on `field`) for a decided contact, no rating, or a rating that asks
    no research."""
    if contact.status == ContactStatus.DECIDED:
        raise FrontDoorError(
            "This contact has been decided: there is nothing left to research", field=field
        )
    current = contact.current_rating
    if current is None:
        raise FrontDoorError(
            "Rate this contact first: its rating sets how soon partners must answer",
            field=field,
        )
    rule = practice.rating(current.rating)
    if rule is None or rule.research is None:
        raise FrontDoorError(
            f"A contact rated {practice.rating_label(current.rating)} is not shared with "
            "partners: change its rating if partners should be asked",
            field=field,
        )
    return rule.research.due(practice.calendar, now)


def _agencies_to_ask(session: Session, contact: Contact, agency_ids: list[int]) -> list[Agency]:
    if not agency_ids:
        raise FrontDoorError("Select at least one agency to ask", field="agencies")
    wanted = set(agency_ids)
    agencies = list(session.scalars(select(Agency).where(Agency.id.in_(wanted))))
    if len(agencies) != len(wanted):
        raise FrontDoorError("Select agencies from the list", field="agencies")
    asked = {r.agency_id for r in contact.research_requests}
    again = [a.name for a in agencies if a.id in asked]
    if again:
        raise FrontDoorError(
            f"You have already asked {', '.join(sorted(again))}: its request is on this "
            "contact's page, where you can ask a follow-up question once it has answered",
            field="agencies",
        )
    answering = set(agencies_with_practitioners(session, wanted))
    silent = [a.name for a in agencies if a.id not in answering]
    if silent:
        raise FrontDoorError(
            f"{', '.join(sorted(silent))} has no MASH practitioner to answer: ask their "
            "administrator to give someone that role, or ask another agency",
            field="agencies",
        )
    return sorted(agencies, key=lambda a: a.name)


def agencies_with_practitioners(session: Session, among: set[int] | None = None) -> list[int]:
    """Agencies with a MASH practitioner in post, who can answer research."""
    query = (
        select(Professional.agency_id)
        .join(RoleGrant, RoleGrant.professional_id == Professional.id)
        .where(
            RoleGrant.role == Role.MASH_PRACTITIONER.value,
            RoleGrant.revoked_at.is_(None),
            Professional.left_at.is_(None),
        )
        .distinct()
    )
    if among is not None:
        query = query.where(Professional.agency_id.in_(among))
    return list(session.scalars(query))


def required_text(value: str, field: str, missing: str, too_long: str, limit: int) -> str:
    """The text stripped, or FrontDoorError on `field` when it is empty or over `limit`."""
    value = (value or "").strip()
    if not value:
        raise FrontDoorError(missing, field=field)
    if len(value) > limit:
        raise FrontDoorError(too_long, field=field)
    return value


def _sensitivity(value: str) -> Sensitivity:
    try:
        return Sensitivity(value)
    except ValueError:
        raise FrontDoorError(
            "Select how sensitive your answer is: normal, sensitive or restricted",
            field="sensitivity",
        ) from None
