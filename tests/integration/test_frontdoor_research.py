"""Partner research: asked by the manager, answered by each agency from its own queue, on
its own clock, escalated when late; only the agency asked may answer, and only once.

Alice is a police referrer; Bob the council's MASH manager; Hana a health MASH practitioner;
Ed an education MASH practitioner; Pat a police MASH practitioner, who cannot answer for health.
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
from joinedup.frontdoor import research
from joinedup.frontdoor.models import Contact, DomainEvent, ResearchRequest
from joinedup.frontdoor.rules import FrontDoorError
from joinedup.frontdoor.services import ConcurrentChange, ContactNotFound
from tests.factories import create_agency
from tests.frontdoor import PRACTICE, a_contact, person, rate


@pytest.fixture
def police(db: Session) -> Agency:
    return create_agency(db, AgencyKind.POLICE, name="Nottinghamshire Police")


@pytest.fixture
def health(db: Session) -> Agency:
    return create_agency(db, AgencyKind.COMMUNITY_HEALTH, name="Community Health")


@pytest.fixture
def school(db: Session) -> Agency:
    return create_agency(db, AgencyKind.SCHOOL, name="Hillside Primary")


@pytest.fixture
def alice(db: Session, police: Agency) -> Actor:
    return person(db, "Alice", (Role.REFERRER,), police)


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
def pat(db: Session, police: Agency) -> Actor:
    return person(db, "Pat", (Role.MASH_PRACTITIONER,), police)


def ask(
    db: Session, manager: Actor, contact: Contact, *agencies: Agency, question: str = "Known?"
) -> list[ResearchRequest]:
    return research.request_research(
        db, manager, contact.id, [a.id for a in agencies], question, contact.version, PRACTICE
    )


def answer(
    db: Session, practitioner: Actor, request: ResearchRequest, summary: str = "Known to us"
) -> ResearchRequest:
    return research.answer_research(db, practitioner, request.id, summary, "normal", True)


def test_each_agency_asked_gets_its_own_request_on_the_ratings_clock(
    db: Session,
    frozen_clock: clock.Clock,
    alice: Actor,
    bob: Actor,
    hana: Actor,
    ed: Actor,
    health: Agency,
    school: Agency,
) -> None:
    contact = a_contact(db, alice)
    rate(db, bob, contact, "red", "Injury to a baby")

    made = ask(db, bob, contact, health, school, question="Any injuries or missed appointments?")

    assert sorted(r.agency.name for r in made) == ["Community Health", "Hillside Primary"]
    # Red: 4 hours round the clock from when the manager asks.
    assert {r.due_at for r in made} == {dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)}
    assert contact.status == "researching"
    events = db.scalars(select(DomainEvent).where(DomainEvent.type == "research.requested"))
    assert sorted(e.payload["agency_id"] for e in events) == sorted([health.id, school.id])
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "manager:research:requested"))


def test_research_cannot_be_asked_before_rating_or_for_a_blue_contact(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor, hana: Actor, health: Agency
) -> None:
    contact = a_contact(db, alice)
    with pytest.raises(FrontDoorError, match="Rate this contact first"):
        ask(db, bob, contact, health)
    rate(db, bob, contact, "blue", "No safeguarding concern")
    with pytest.raises(FrontDoorError, match="rated Blue is not shared with partners"):
        ask(db, bob, contact, health)
    assert db.scalars(select(ResearchRequest)).all() == []


def test_asking_needs_an_agency_a_question_and_someone_there_to_answer(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor, hana: Actor, health: Agency
) -> None:
    contact = a_contact(db, alice)
    rate(db, bob, contact, "amber", "Neglect")
    nobody = create_agency(db, AgencyKind.HOUSING, name="Housing Trust")

    with pytest.raises(FrontDoorError, match="Select at least one agency") as raised:
        ask(db, bob, contact)
    assert raised.value.field == "agencies"
    with pytest.raises(FrontDoorError, match="Enter what you want the agencies to find out"):
        ask(db, bob, contact, health, question="  ")
    with pytest.raises(FrontDoorError, match="Housing Trust has no MASH practitioner"):
        ask(db, bob, contact, nobody)
    ask(db, bob, contact, health)
    with pytest.raises(FrontDoorError, match="already asked Community Health"):
        ask(db, bob, contact, health)
    assert len(db.scalars(select(ResearchRequest)).all()) == 1


def test_only_a_mash_manager_may_ask(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor, hana: Actor, health: Agency
) -> None:
    contact = a_contact(db, alice)
    rate(db, bob, contact, "amber", "Neglect")
    with pytest.raises(ContactNotFound):
        ask(db, hana, contact, health)


def test_a_stale_page_cannot_ask(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor, hana: Actor, health: Agency
) -> None:
    contact = a_contact(db, alice)
    read = contact.version
    rate(db, bob, contact, "amber", "Neglect")
    with pytest.raises(ConcurrentChange, match="rated this contact Amber"):
        research.request_research(db, bob, contact.id, [health.id], "Known?", read, PRACTICE)


def test_a_practitioner_answers_their_agencys_request_once_with_its_marking(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor, hana: Actor, health: Agency
) -> None:
    contact = a_contact(db, alice)
    rate(db, bob, contact, "amber", "Neglect")
    (request,) = ask(db, bob, contact, health)
    before = contact.version
    frozen_clock.advance(dt.timedelta(hours=2))

    done = research.answer_research(
        db, hana, request.id, "Two missed health visits since May.", "sensitive", False
    )

    assert done.summary == "Two missed health visits since May."
    assert (done.sensitivity, done.may_share_beyond_mash) == ("sensitive", False)
    assert done.answered_by is not None and done.answered_by.name == "Hana Archer"
    db.refresh(contact)
    assert contact.version == before + 1  # a manager deciding on an older page is told
    event = db.scalar(select(DomainEvent).where(DomainEvent.type == "research.answered"))
    assert event is not None and event.payload["late"] is False
    with pytest.raises(
        FrontDoorError, match="Hana Archer answered this request at midday on 24 November"
    ):
        answer(db, hana, request, "Something else")
    db.refresh(done)
    assert done.summary == "Two missed health visits since May."


def test_nobody_answers_for_an_agency_not_theirs(
    db: Session,
    frozen_clock: clock.Clock,
    alice: Actor,
    bob: Actor,
    hana: Actor,
    pat: Actor,
    health: Agency,
) -> None:
    contact = a_contact(db, alice)
    rate(db, bob, contact, "amber", "Neglect")
    (request,) = ask(db, bob, contact, health)
    for outsider in (pat, bob, alice):
        with pytest.raises(research.ResearchNotFound):
            answer(db, outsider, request)
    db.refresh(request)
    assert request.is_open


def test_an_answer_needs_a_summary_a_marking_and_a_sharing_choice(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor, hana: Actor, health: Agency
) -> None:
    contact = a_contact(db, alice)
    rate(db, bob, contact, "amber", "Neglect")
    (request,) = ask(db, bob, contact, health)
    cases = [
        ("", "normal", True, "summary", "Enter a summary of what your agency knows"),
        ("Known", "secret", True, "sensitivity", "Select how sensitive your answer is"),
        ("Known", "normal", None, "may_share", "Select whether your answer may be shared"),
        ("x" * 10_001, "normal", True, "summary", "The summary must be 10,000 characters"),
    ]
    for summary, marking, share, field, message in cases:
        with pytest.raises(FrontDoorError, match=message) as raised:
            research.answer_research(db, hana, request.id, summary, marking, share)
        assert raised.value.field == field
    db.refresh(request)
    assert request.is_open


def test_late_requests_escalate_once(
    db: Session,
    frozen_clock: clock.Clock,
    alice: Actor,
    bob: Actor,
    hana: Actor,
    ed: Actor,
    health: Agency,
    school: Agency,
) -> None:
    contact = a_contact(db, alice)
    rate(db, bob, contact, "red", "Injury to a baby")
    health_request, school_request = sorted(
        ask(db, bob, contact, health, school), key=lambda r: r.agency.name
    )
    answer(db, hana, health_request)
    system = Actor.system("housekeeping")

    frozen_clock.advance(dt.timedelta(hours=3, minutes=59))
    assert research.escalate_late_research(db, system) == []
    frozen_clock.advance(dt.timedelta(minutes=1))
    assert [r.id for r in research.escalate_late_research(db, system)] == [school_request.id]
    assert research.escalate_late_research(db, system) == []  # once

    db.refresh(school_request)
    assert school_request.escalated_at == dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)
    events = db.scalars(select(DomainEvent).where(DomainEvent.type == "research.escalated"))
    assert [e.payload["agency_id"] for e in events] == [school.id]
