"""Asking an agency that has answered a follow-up question: the next round of its request, with
its own question, clock, queue place, escalation and answer, the earlier answers kept as they
were. On both databases.

Alice is a police referrer; Bob the council's MASH manager; Hana a community health MASH
practitioner; Ed an education MASH practitioner.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.models import AuditEntry
from joinedup.directory.models import Agency
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import decisions, research, research_rounds, worklists
from joinedup.frontdoor.contact_file import open_contact
from joinedup.frontdoor.decisions import DecisionIn
from joinedup.frontdoor.models import Contact, DomainEvent, ResearchRequest
from joinedup.frontdoor.rules import FrontDoorError
from joinedup.frontdoor.services import ConcurrentChange, ContactNotFound
from tests.factories import create_agency
from tests.frontdoor import PRACTICE, a_contact, person, rate

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def health(db: Session) -> Agency:
    return create_agency(db, AgencyKind.COMMUNITY_HEALTH, name="Community Health")


@pytest.fixture
def school(db: Session) -> Agency:
    return create_agency(db, AgencyKind.SCHOOL, name="Hillside Primary")


@pytest.fixture
def alice(db: Session) -> Actor:
    return person(db, "Alice", (Role.REFERRER,), create_agency(db, AgencyKind.POLICE))


@pytest.fixture
def bob(db: Session) -> Actor:
    council = create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE, name="The Council")
    return person(db, "Bob", (Role.MASH_MANAGER,), council)


@pytest.fixture
def hana(db: Session, health: Agency) -> Actor:
    return person(db, "Hana", (Role.MASH_PRACTITIONER,), health)


@pytest.fixture
def ed(db: Session, school: Agency) -> Actor:
    return person(db, "Ed", (Role.MASH_PRACTITIONER,), school)


@pytest.fixture
def answered(
    db: Session,
    frozen_clock: clock.Clock,
    alice: Actor,
    bob: Actor,
    hana: Actor,
    health: Agency,
) -> tuple[Contact, ResearchRequest]:
    """A Red contact Bob asked health about, and Hana's answer an hour later."""
    contact = a_contact(db, alice)
    rate(db, bob, contact, "red", "Injury to a baby")
    (first,) = research.request_research(
        db, bob, contact.id, [health.id], "Any injuries?", contact.version, PRACTICE
    )
    frozen_clock.advance(dt.timedelta(hours=1))
    research.answer_research(db, hana, first.id, "A wrist injury in June.", "sensitive", False)
    db.refresh(contact)
    return contact, first


def follow_up(
    db: Session, manager: Actor, contact: Contact, agency: Agency, question: str = "Since June?"
) -> ResearchRequest:
    return research_rounds.follow_up_research(
        db, manager, contact.id, agency.id, question, contact.version, PRACTICE
    )


def test_a_follow_up_is_the_next_round_on_the_ratings_clock_from_now_and_keeps_the_answer(
    db: Session,
    frozen_clock: clock.Clock,
    bob: Actor,
    health: Agency,
    answered: tuple[Contact, ResearchRequest],
) -> None:
    contact, first = answered
    frozen_clock.advance(dt.timedelta(hours=2))

    again = follow_up(db, bob, contact, health, "A new injury was reported today: any since June?")

    assert (again.round, again.agency_id, again.is_open) == (2, health.id, True)
    assert again.question == "A new injury was reported today: any since June?"
    # Red: 4 hours round the clock from this question, not from the first.
    assert again.due_at == frozen_clock.now() + dt.timedelta(hours=4)
    db.refresh(first)
    assert (first.summary, first.sensitivity, first.may_share_beyond_mash) == (
        "A wrist injury in June.",
        "sensitive",
        False,
    )
    assert contact.status == "researching"
    event = db.scalars(
        select(DomainEvent)
        .where(DomainEvent.type == "research.requested")
        .order_by(DomainEvent.id.desc())
    ).first()
    assert event is not None
    assert event.payload["follow_up"] is True and event.payload["round"] == 2
    assert event.payload["agency_id"] == health.id and "injury" not in str(event.payload)
    entry = db.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "manager:research:requested",
            AuditEntry.object_type == "research_request",
        )
    )
    assert entry is not None and entry.object_id == str(again.id)


def test_the_agencys_queue_shows_the_follow_up_again_soonest_due_first(
    db: Session,
    frozen_clock: clock.Clock,
    alice: Actor,
    bob: Actor,
    hana: Actor,
    health: Agency,
    answered: tuple[Contact, ResearchRequest],
) -> None:
    contact, first = answered
    assert worklists.research_queue(db, hana, PRACTICE) == []
    amber = a_contact(db, alice)
    rate(db, bob, amber, "amber", "Neglect")
    (other,) = research.request_research(
        db, bob, amber.id, [health.id], "Known?", amber.version, PRACTICE
    )

    again = follow_up(db, bob, contact, health)

    queue = worklists.research_queue(db, hana, PRACTICE)
    # The Red follow-up (4 hours) before the Amber request (24 working hours).
    assert [d.request.id for d in queue] == [again.id, other.id]
    assert first.id not in [d.request.id for d in queue]


def test_each_round_is_answered_once_and_says_which_round(
    db: Session,
    bob: Actor,
    hana: Actor,
    health: Agency,
    answered: tuple[Contact, ResearchRequest],
) -> None:
    contact, first = answered
    again = follow_up(db, bob, contact, health)

    research.answer_research(db, hana, again.id, "Nothing new since June.", "normal", True)

    db.refresh(first)
    db.refresh(again)
    assert [(r.round, r.summary) for r in (first, again)] == [
        (1, "A wrist injury in June."),
        (2, "Nothing new since June."),
    ]
    events = db.scalars(
        select(DomainEvent).where(DomainEvent.type == "research.answered").order_by(DomainEvent.id)
    )
    assert [e.payload["round"] for e in events] == [1, 2]
    with pytest.raises(FrontDoorError, match="Hana Archer answered this request"):
        research.answer_research(db, hana, again.id, "Something else", "normal", True)


def test_a_late_follow_up_escalates_on_its_own_clock(
    db: Session,
    frozen_clock: clock.Clock,
    bob: Actor,
    health: Agency,
    answered: tuple[Contact, ResearchRequest],
) -> None:
    contact, first = answered
    again = follow_up(db, bob, contact, health)
    system = Actor.system("housekeeping")

    frozen_clock.advance(dt.timedelta(hours=3, minutes=59))
    assert research.escalate_late_research(db, system) == []
    frozen_clock.advance(dt.timedelta(minutes=1))

    assert [r.id for r in research.escalate_late_research(db, system)] == [again.id]
    db.refresh(first)
    assert first.escalated_at is None  # answered in time: its round is not escalated
    event = db.scalar(select(DomainEvent).where(DomainEvent.type == "research.escalated"))
    assert event is not None and event.payload["round"] == 2
    assert [d.request.id for d in worklists.late_research(db, bob, PRACTICE)] == [again.id]


def test_a_decision_waits_for_the_follow_ups_answer(
    db: Session, bob: Actor, health: Agency, answered: tuple[Contact, ResearchRequest]
) -> None:
    contact, _ = answered
    follow_up(db, bob, contact, health)

    with pytest.raises(FrontDoorError, match="Wait for Community Health to answer"):
        decisions.decide_contact(
            db,
            bob,
            contact.id,
            DecisionIn(outcome="early_help", rationale="Support", harm_indicated=False),
            contact.version,
            PRACTICE,
        )


def test_a_follow_up_needs_an_answer_first_a_question_and_a_contact_not_decided(
    db: Session,
    bob: Actor,
    ed: Actor,
    health: Agency,
    school: Agency,
    answered: tuple[Contact, ResearchRequest],
) -> None:
    contact, _ = answered
    problems = [
        (school, "Since June?", "Hillside Primary has not been asked about this contact yet"),
        (health, "  ", "Enter what you want Community Health to find out now"),
    ]
    for agency, question, message in problems:
        with pytest.raises(FrontDoorError, match=message) as raised:
            follow_up(db, bob, contact, agency, question)
        assert raised.value.field == "question"
    follow_up(db, bob, contact, health)
    with pytest.raises(FrontDoorError, match="Community Health has not answered the last"):
        follow_up(db, bob, contact, health)
    rounds = db.scalars(
        select(ResearchRequest.round).where(ResearchRequest.contact_id == contact.id)
    )
    assert sorted(rounds) == [1, 2]


def test_asking_an_agency_again_through_ask_partners_points_to_the_follow_up(
    db: Session, bob: Actor, health: Agency, answered: tuple[Contact, ResearchRequest]
) -> None:
    contact, _ = answered

    with pytest.raises(FrontDoorError, match="ask a follow-up question once it has answered"):
        research.request_research(
            db, bob, contact.id, [health.id], "Again?", contact.version, PRACTICE
        )


def test_only_a_mash_manager_asks_a_follow_up_and_a_stale_page_cannot(
    db: Session,
    bob: Actor,
    hana: Actor,
    health: Agency,
    answered: tuple[Contact, ResearchRequest],
) -> None:
    contact, _ = answered
    with pytest.raises(ContactNotFound):
        follow_up(db, hana, contact, health)
    read = contact.version
    rate(db, bob, contact, "amber", "Less urgent now")

    with pytest.raises(ConcurrentChange, match="rated this contact Amber"):
        research_rounds.follow_up_research(
            db, bob, contact.id, health.id, "Since June?", read, PRACTICE
        )
    assert len(db.scalars(select(ResearchRequest)).all()) == 1


def test_the_agencys_practitioner_sees_its_earlier_answers_through_the_gate(
    db: Session,
    bob: Actor,
    hana: Actor,
    health: Agency,
    answered: tuple[Contact, ResearchRequest],
) -> None:
    contact, first = answered
    again = follow_up(db, bob, contact, health)

    file = open_contact(db, hana, contact.reference, PRACTICE)

    assert file is not None
    rounds = [(r.request.id, r.latest) for r in file.research]
    assert rounds == [(first.id, False), (again.id, True)]
    shown = file.research[0].answer
    assert shown is not None and shown.fields["summary"] == "A wrist injury in June."
    assert db.scalar(
        select(AuditEntry).where(
            AuditEntry.object_type == "research_answer", AuditEntry.object_id == str(first.id)
        )
    )


def test_the_managers_decisions_list_counts_agencies_by_their_latest_round(
    db: Session,
    frozen_clock: clock.Clock,
    bob: Actor,
    hana: Actor,
    health: Agency,
    answered: tuple[Contact, ResearchRequest],
) -> None:
    contact, _ = answered

    def progress() -> tuple[int, int]:
        (due,) = [
            d for d in worklists.decisions_due(db, bob, PRACTICE) if d.contact.id == contact.id
        ]
        return due.asked, due.answered

    assert progress() == (1, 1)
    second = follow_up(db, bob, contact, health)
    assert progress() == (1, 0)  # one agency, waiting for its follow-up
    research.answer_research(db, hana, second.id, "Nothing since June.", "sensitive", False)
    assert progress() == (1, 1)
