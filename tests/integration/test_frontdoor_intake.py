"""Contacts in: references at once, retries that create nothing, events and the ledger.

Alice is a police referrer, Charlie a teacher who raises contacts of his own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts.queries import actor_for_user
from joinedup.actor import Actor
from joinedup.audit.models import AuditEntry
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import services
from joinedup.frontdoor.models import Contact, ContactSubject, DomainEvent
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import Channel, FrontDoorError, InvalidContact
from joinedup.frontdoor.schemas import ContactIn
from tests.factories import create_agency, create_user

PRACTICE = Practice()


def professional(db: Session, name: str, kind: AgencyKind = AgencyKind.POLICE) -> Actor:
    user = create_user(
        db, name, roles=(Role.REFERRER,), agency=create_agency(db, kind), password=None
    )
    return actor_for_user(user)


def contact_in(**overrides: Any) -> ContactIn:
    fields: dict[str, Any] = {
        "subjects": [
            {
                "kind": "child",
                "given_name": "Jade",
                "family_name": "Smith",
                "date_of_birth": "2015-03-27",
                "nhs_number": "943 476 5919",
                "postcode": "ng18 1ab",
            },
            {
                "role": "household_member",
                "kind": "adult",
                "given_name": "Dean",
                "family_name": "Walker",
                "relationship": "mother's partner",
            },
        ],
        "concern_categories": ["neglect", "domestic_abuse"],
        "what_happened": "Jade said Dean hit her mother last night; she had not eaten.",
        "urgency": "urgent",
        "consent": "not_sought",
        "consent_not_sought_reason": "c",
    }
    return ContactIn.model_validate({**fields, **overrides})


def receive(db: Session, actor: Actor, key: str | None = None, **overrides: Any) -> Contact:
    return services.receive_contact(
        db, actor, contact_in(**overrides), PRACTICE, idempotency_key=key
    ).contact


def test_a_contact_gets_a_reference_at_once_and_keeps_its_people_in_canonical_form(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice = professional(db, "Alice")

    received = services.receive_contact(db, alice, contact_in(), PRACTICE, channel=Channel.API)

    contact = received.contact
    assert received.created
    assert contact.reference.startswith("MASH-2026-")
    assert contact.received_at == frozen_clock.now()
    assert (contact.status, contact.channel, contact.version) == ("received", "api", 1)
    assert contact.referrer_professional_id == alice.professional_id
    assert contact.referrer_agency_id == alice.agency_id
    assert contact.concern_categories == ["neglect", "domestic_abuse"]
    assert (contact.consent, contact.consent_not_sought_reason) == ("not_sought", "c")
    jade, dean = contact.subjects
    assert (jade.role, jade.kind, jade.name) == ("subject", "child", "Jade Smith")
    assert (jade.nhs_number, jade.postcode) == ("9434765919", "NG18 1AB")
    assert jade.date_of_birth == dt.date(2015, 3, 27)
    assert jade.master_person_id is None  # the people index links it later
    assert (dean.role, dean.relationship_to_subject) == ("household_member", "mother's partner")


def test_the_decision_is_due_one_working_day_after_receipt(
    db: Session, frozen_clock: clock.Clock
) -> None:
    frozen_clock.set(dt.datetime(2026, 11, 27, 15, 0, tzinfo=dt.UTC))  # a Friday afternoon
    contact = receive(db, professional(db, "Alice"))
    assert contact.decision_due_at == dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)


def test_receiving_a_contact_records_the_event_and_the_ledger_entry(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice = professional(db, "Alice")

    contact = receive(db, alice)

    (event,) = db.scalars(select(DomainEvent).where(DomainEvent.contact_id == contact.id))
    assert event.type == "contact.received"
    assert (event.actor_user_id, event.actor_agency_id) == (alice.user_id, alice.agency_id)
    assert event.payload == {
        "reference": contact.reference,
        "channel": "web",
        "urgency": "urgent",
        "concern_categories": ["neglect", "domestic_abuse"],
        "consent": "not_sought",
        "subjects": ["child"],
        "household_members": 1,
        "matched_to_people_index": 0,
        "re_referral": False,
        "escalating": False,
    }
    entry = db.scalar(
        select(AuditEntry).where(
            AuditEntry.object_type == "contact", AuditEntry.object_id == str(contact.id)
        )
    )
    assert entry is not None and entry.action == "referrer:contact:received"
    assert entry.actor_user_id == alice.user_id


def test_a_retry_with_the_same_key_returns_the_first_contact_and_creates_nothing(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice = professional(db, "Alice")
    first = services.receive_contact(db, alice, contact_in(), PRACTICE, idempotency_key="k-1")
    contacts_before = db.scalar(select(func.count()).select_from(Contact))
    events_before = db.scalar(select(func.count()).select_from(DomainEvent))

    retry = services.receive_contact(db, alice, contact_in(), PRACTICE, idempotency_key="k-1")

    assert first.created and not retry.created
    assert retry.contact.id == first.contact.id
    assert retry.contact.reference == first.contact.reference
    assert db.scalar(select(func.count()).select_from(Contact)) == contacts_before
    assert db.scalar(select(func.count()).select_from(DomainEvent)) == events_before
    # The retry gave its reference number back: the next contact takes the next number.
    following = receive(db, alice)
    assert _number(following.reference) == _number(first.contact.reference) + 1


def test_the_same_key_from_another_referrer_is_a_different_contact(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice, charlie = professional(db, "Alice"), professional(db, "Charlie", AgencyKind.SCHOOL)

    from_alice = receive(db, alice, key="2026-11-24-0001")
    from_charlie = receive(db, charlie, key="2026-11-24-0001")

    assert from_alice.id != from_charlie.id


def test_references_are_unique_and_count_up(db: Session, frozen_clock: clock.Clock) -> None:
    alice = professional(db, "Alice")

    references = [receive(db, alice).reference for _ in range(5)]

    numbers = [_number(reference) for reference in references]
    assert numbers == list(range(numbers[0], numbers[0] + 5))
    assert len(set(references)) == 5


def test_references_start_again_at_one_each_year(db: Session, frozen_clock: clock.Clock) -> None:
    alice = professional(db, "Alice")
    frozen_clock.set(dt.datetime(2027, 1, 1, 0, 5, tzinfo=dt.UTC))

    first_of_2027 = receive(db, alice)

    assert first_of_2027.reference == "MASH-2027-000001"


def test_the_reference_prefix_is_the_practices(db: Session, frozen_clock: clock.Clock) -> None:
    practice = Practice(reference_prefix="NOTTS")
    received = services.receive_contact(db, professional(db, "Alice"), contact_in(), practice)
    assert received.contact.reference.startswith("NOTTS-2026-")


def test_a_bad_contact_is_refused_listing_every_problem_and_nothing_is_stored(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice = professional(db, "Alice")
    before = db.scalar(select(func.count()).select_from(Contact))
    bad = contact_in(
        subjects=[{"kind": "child", "given_name": "Jade", "nhs_number": "123 456 1234"}],
        consent="refused",
    )

    with pytest.raises(InvalidContact) as raised:
        services.receive_contact(db, alice, bad, PRACTICE)

    assert [(p.field, p.message) for p in raised.value.problems] == [
        (
            "subjects[0].nhs_number",
            "Enter a valid NHS number: 123 456 1234 fails its check digit",
        ),
        (
            "consent_not_sought_reason",
            "Only give a reason for not seeking consent when consent was not sought",
        ),
    ]
    assert db.scalar(select(func.count()).select_from(Contact)) == before


def test_only_a_professional_can_raise_a_contact(db: Session, frozen_clock: clock.Clock) -> None:
    with pytest.raises(FrontDoorError, match="Contacts are raised by a professional"):
        services.receive_contact(db, Actor.system("tests"), contact_in(), PRACTICE)


@pytest.mark.parametrize("key", ["", "has spaces", "x" * 101])
def test_an_unusable_idempotency_key_is_refused(
    db: Session, frozen_clock: clock.Clock, key: str
) -> None:
    with pytest.raises(FrontDoorError, match="idempotency key must be 1 to 100") as raised:
        receive(db, professional(db, "Alice"), key=key)
    assert raised.value.field == "idempotency_key"


def test_the_database_refuses_to_change_or_delete_a_domain_event(
    db: Session, frozen_clock: clock.Clock
) -> None:
    contact = receive(db, professional(db, "Alice"))
    event_id = db.scalar(select(DomainEvent.id).where(DomainEvent.contact_id == contact.id))
    for statement in (
        "UPDATE domain_events SET type = 'x' WHERE id = :id",
        "DELETE FROM domain_events WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
            db.execute(text(statement), {"id": event_id})


def test_a_subject_is_stored_with_normalised_names_for_exact_matching(
    db: Session, frozen_clock: clock.Clock
) -> None:
    contact = receive(
        db,
        professional(db, "Alice"),
        subjects=[{"kind": "child", "given_name": "Zoë", "family_name": "O'Neill"}],
    )
    subject = db.scalar(select(ContactSubject).where(ContactSubject.contact_id == contact.id))
    assert subject is not None
    assert (subject.given_name_norm, subject.family_name_norm) == ("zoe", "oneill")


def _number(reference: str) -> int:
    return int(reference.rsplit("-", 1)[1])
