"""Asking a partner agency that has answered something more: the next round of its request.

An agency is asked once per contact (research.request_research). When new information arrives
after it has answered, the MASH manager asks it a follow-up: a request of its own, with its
own question, its clock from the contact's rating now, its place in the agency's queue
(soonest due first), its escalation when late, and its answer. Earlier rounds stay exactly as
they were answered: the manager sees every round on the contact's page, and the agency's
practitioners see their earlier answers when they answer the next.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.models import Agency
from joinedup.directory.rules import Role
from joinedup.frontdoor.models import Contact, ResearchRequest
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.research import agencies_with_practitioners, required_text, research_due
from joinedup.frontdoor.rules import REASON_LENGTH, ContactStatus, FrontDoorError
from joinedup.frontdoor.services import ContactNotFound, claim, record_event


def follow_up_research(
    session: Session,
    actor: Actor,
    contact_id: int,
    agency_id: int,
    question: str,
    expected_version: int,
    practice: Practice,
) -> ResearchRequest:
    """Ask an agency that has answered something more, as the next round of its request.

    New information arrives after a partner has answered (domain.md: a rating changes as
    information arrives). The follow-up is a request of its own: its question, due by the
    contact's current rating's research clock from now, in the agency's queue again soonest due
    first, escalated when late, answered once; the earlier rounds and their answers are kept
    as they were. Only a MASH manager may (to anyone else the contact does not exist).
    expected_version is the contact's version when the manager read it (ConcurrentChange if
    it has moved on). Raises FrontDoorError naming the field when the contact is decided or
    its rating asks no research, the agency was never asked or has not answered its last
    question yet, nobody there can answer now, or the question is missing.
    """
    if not actor.has(Role.MASH_MANAGER) or actor.professional_id is None:
        raise ContactNotFound(contact_id)
    now = clock.now()
    contact = claim(session, contact_id, expected_version, now, practice)
    try:
        due_at = research_due(contact, practice, now, field="question")
        last = _last_round(session, contact, agency_id)
        question = required_text(
            question,
            "question",
            f"Enter what you want {last.agency.name} to find out now",
            f"The question must be {REASON_LENGTH:,} characters or fewer",
            REASON_LENGTH,
        )
    except FrontDoorError:
        session.rollback()
        raise
    made = ResearchRequest(
        agency_id=agency_id,
        round=last.round + 1,
        requested_by_professional_id=actor.professional_id,
        requested_at=now,
        due_at=due_at,
        question=question,
    )
    contact.research_requests.append(made)
    contact.status = ContactStatus.RESEARCHING.value
    session.flush()
    record_event(
        session,
        actor,
        "research.requested",
        contact,
        agency_id=agency_id,
        rating=contact.current_rating.rating if contact.current_rating else None,
        due_at=due_at.isoformat(),
        round=made.round,
        follow_up=True,
    )
    record(
        session,
        actor,
        "manager:research:requested",
        "research_request",
        made.id,
        contact=contact.reference,
        agencies=[last.agency.code],
        round=made.round,
    )
    session.commit()
    return made


def _last_round(session: Session, contact: Contact, agency_id: int) -> ResearchRequest:
    """The agency's latest request on the contact, answered, with someone there to answer."""
    rounds = [r for r in contact.research_requests if r.agency_id == agency_id]
    if not rounds:
        agency = session.get(Agency, agency_id)
        raise FrontDoorError(
            f"{agency.name if agency else 'That agency'} has not been asked about this contact "
            "yet: ask it with Ask partners",
            field="question",
        )
    last = max(rounds, key=lambda r: r.round)
    if last.is_open:
        raise FrontDoorError(
            f"{last.agency.name} has not answered the last question yet: ask it more once "
            "it has answered",
            field="question",
        )
    if not agencies_with_practitioners(session, {agency_id}):
        raise FrontDoorError(
            f"{last.agency.name} has no MASH practitioner to answer now: ask their "
            "administrator to give someone that role",
            field="question",
        )
    return last
