"""Decisions and feedback: an outcome from the practice's lists, a rationale always, a reason
when harm was indicated and no strategy discussion is held, who took part and who was invited;
then the referrer hears back, on a clock, once.

Alice is a police referrer; Bob the council's MASH manager; Hana a health MASH practitioner.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.directory.models import Agency
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import decisions, queries, research
from joinedup.frontdoor.decisions import DecisionIn
from joinedup.frontdoor.models import Contact, ContactDecision, DomainEvent, FeedbackTask
from joinedup.frontdoor.queries import contacts_of_referrer
from joinedup.frontdoor.rules import FrontDoorError
from joinedup.frontdoor.services import ContactNotFound
from tests.factories import create_agency
from tests.frontdoor import PRACTICE, a_contact, person, rate


@pytest.fixture
def police(db: Session) -> Agency:
    return create_agency(db, AgencyKind.POLICE, name="Nottinghamshire Police")


@pytest.fixture
def health(db: Session) -> Agency:
    return create_agency(db, AgencyKind.COMMUNITY_HEALTH, name="Community Health")


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


def decide(db: Session, manager: Actor, contact: Contact, **given: object) -> ContactDecision:
    fields: dict[str, object] = {
        "outcome": "early_help",
        "rationale": "Needs met by early help; no sign of significant harm.",
        "harm_indicated": False,
    } | given
    return decisions.decide_contact(
        db,
        manager,
        contact.id,
        DecisionIn(**fields),
        contact.version,
        PRACTICE,  # type: ignore[arg-type]
    )


def test_a_decision_closes_the_contact_and_starts_the_outcome_feedback_clock(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor, police: Agency
) -> None:
    contact = a_contact(db, alice)
    rate(db, bob, contact, "green", "Low level")

    made = decide(db, bob, contact, took_part=frozenset({police.id}))

    assert (made.outcome, made.harm_indicated, made.no_strategy_reason) == (
        "early_help",
        False,
        None,
    )
    assert bob.agency_id in made.agency_ids(took_part=True)  # the manager's agency, always
    assert police.id in made.agency_ids(took_part=True)
    assert contact.status == "decided"
    kinds = {t.kind: t for t in contact.feedback_tasks}
    # Received and decided Tuesday 10:00: one working day on is Wednesday's close.
    assert kinds["acknowledgement"].due_at == kinds["outcome"].due_at
    assert kinds["outcome"].sent_at is None
    event = db.scalar(select(DomainEvent).where(DomainEvent.type == "contact.decided"))
    assert event is not None
    assert (event.payload["outcome"], event.payload["strategy_discussion"]) == ("early_help", False)
    # The referrer sees the outcome, in words.
    (mine,) = contacts_of_referrer(db, alice, PRACTICE)
    assert mine.outcome == "Early help"


def test_harm_without_a_strategy_discussion_needs_its_reason(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor
) -> None:
    contact = a_contact(db, alice)
    rate(db, bob, contact, "amber", "Bruising")

    with pytest.raises(FrontDoorError, match="Enter why there will be no strategy") as raised:
        decide(db, bob, contact, outcome="child_in_need_assessment", harm_indicated=True)
    assert raised.value.field == "no_strategy_reason"
    assert contact.decision is None

    made = decide(
        db,
        bob,
        contact,
        outcome="child_in_need_assessment",
        harm_indicated=True,
        no_strategy_reason="Harm is historic and the parent has moved out; s17 assessment first.",
    )
    assert made.no_strategy_reason is not None


def test_a_strategy_discussion_records_who_was_invited_and_flags_health_left_out(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor, police: Agency
) -> None:
    contact = a_contact(db, alice)
    rate(db, bob, contact, "red", "Injury")

    with pytest.raises(FrontDoorError, match="Select the agencies invited") as raised:
        decide(db, bob, contact, outcome="strategy_discussion", harm_indicated=True)
    assert raised.value.field == "invited"

    made = decide(
        db,
        bob,
        contact,
        outcome="strategy_discussion",
        harm_indicated=True,
        invited=frozenset({police.id}),
        took_part=frozenset({police.id}),
    )
    assert made.agency_ids(invited=True) == [police.id]
    event = db.scalar(select(DomainEvent).where(DomainEvent.type == "contact.decided"))
    assert event is not None
    assert (event.payload["health_invited"], event.payload["education_invited"]) == (False, False)


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"outcome": "section_42_enquiry"}, "outcome", "Select the outcome"),  # adults only
        ({"rationale": "  "}, "rationale", "Enter the rationale for this decision"),
        ({"harm_indicated": None}, "harm_indicated", "Select whether the information"),
        ({"took_part": frozenset({999_999})}, "took_part", "Select agencies from the list"),
    ],
)
def test_each_missing_or_wrong_answer_is_named(
    db: Session,
    frozen_clock: clock.Clock,
    alice: Actor,
    bob: Actor,
    given: dict[str, object],
    field: str,
    message: str,
) -> None:
    contact = a_contact(db, alice)
    rate(db, bob, contact, "green", "Low level")
    with pytest.raises(FrontDoorError, match=message) as raised:
        decide(db, bob, contact, **given)
    assert raised.value.field == field
    assert db.scalars(select(ContactDecision)).all() == []


def test_adults_get_the_adult_outcomes(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor
) -> None:
    contact = a_contact(
        db, alice, subjects=[{"kind": "adult", "given_name": "Ray", "family_name": "Doe"}]
    )
    rate(db, bob, contact, "amber", "Financial abuse")
    with pytest.raises(FrontDoorError, match="Select the outcome"):
        decide(db, bob, contact, outcome="early_help")
    invited = frozenset({alice.agency_id or 0})
    made = decide(db, bob, contact, outcome="section_42_enquiry", invited=invited)
    assert made.outcome == "section_42_enquiry"


def test_no_decision_before_rating_while_research_is_out_or_twice(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor, hana: Actor, health: Agency
) -> None:
    contact = a_contact(db, alice)
    with pytest.raises(FrontDoorError, match="Rate this contact before deciding it"):
        decide(db, bob, contact)
    rate(db, bob, contact, "amber", "Neglect")
    (request,) = research.request_research(
        db, bob, contact.id, [health.id], "Known?", contact.version, PRACTICE
    )
    with pytest.raises(FrontDoorError, match="Wait for Community Health to answer"):
        decide(db, bob, contact)
    research.answer_research(db, hana, request.id, "Not known", "normal", True)
    db.refresh(contact)
    decide(db, bob, contact)
    with pytest.raises(FrontDoorError, match="already been decided"):
        decide(db, bob, contact)
    with pytest.raises(FrontDoorError, match="its rating can no longer change"):
        rate(db, bob, contact, "red", "Too late")


def test_only_a_manager_decides(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor, hana: Actor
) -> None:
    contact = a_contact(db, alice)
    rate(db, bob, contact, "green", "Low level")
    for outsider in (alice, hana):
        with pytest.raises(ContactNotFound):
            decide(db, outsider, contact)


def test_feedback_is_sent_once_and_the_referrer_reads_it(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor, hana: Actor
) -> None:
    contact = a_contact(db, alice)
    (acknowledgement,) = contact.feedback_tasks
    assert acknowledgement.kind == "acknowledgement"
    frozen_clock.advance(dt.timedelta(hours=1))

    with pytest.raises(FrontDoorError, match="Enter the message for the referrer"):
        decisions.send_feedback(db, bob, acknowledgement.id, " ")
    with pytest.raises(ContactNotFound):
        decisions.send_feedback(db, hana, acknowledgement.id, "Thanks")
    sent = decisions.send_feedback(db, bob, acknowledgement.id, "Received; we are screening it.")

    assert sent.sent_at == clock.now()
    assert sent.sent_by is not None and sent.sent_by.name == "Bob Archer"
    with pytest.raises(FrontDoorError, match="Bob Archer sent this to the referrer"):
        decisions.send_feedback(db, bob, acknowledgement.id, "Again")
    db.refresh(sent)
    assert sent.message == "Received; we are screening it."
    event = db.scalar(select(DomainEvent).where(DomainEvent.type == "feedback.sent"))
    assert event is not None and event.payload == {
        "reference": contact.reference,
        "kind": "acknowledgement",
        "late": False,
    }
    assert db.scalars(select(FeedbackTask).where(FeedbackTask.sent_at.is_not(None))).all() == [sent]
    db.refresh(contact)
    (told,) = queries.referrer_view(contact, PRACTICE).messages
    assert (told.kind, told.sent_by, told.message) == (
        "acknowledgement",
        "mash",
        "Received; we are screening it.",
    )
