"""Reads of the front door: known people, the manager's list, the referrer's own contacts.

Alice (police) and Charlie (a school) refer; Bob is a MASH manager; Erin, a practitioner,
has no business with contacts she did not raise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts.queries import actor_for_user
from joinedup.actor import Actor
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import matching, queries, services
from joinedup.frontdoor.models import Contact, DomainEvent
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.schemas import ContactIn
from joinedup.people import queries as people
from tests.candidates import import_record
from tests.factories import create_agency, create_user

PRACTICE = Practice()
JADE = {
    "kind": "child",
    "given_name": "Jade",
    "family_name": "Smith",
    "date_of_birth": "2015-03-27",
}


def person(db: Session, name: str, *roles: Role, kind: AgencyKind = AgencyKind.POLICE) -> Actor:
    agency = create_agency(db, kind)
    return actor_for_user(create_user(db, name, roles=roles, agency=agency, password=None))


@pytest.fixture
def alice(db: Session) -> Actor:
    return person(db, "Alice", Role.REFERRER)


@pytest.fixture
def bob(db: Session) -> Actor:
    return person(db, "Bob", Role.MASH_MANAGER, kind=AgencyKind.CHILDRENS_SOCIAL_CARE)


def about(db: Session, referrer: Actor, *subjects: dict[str, Any]) -> Contact:
    data = {
        "subjects": list(subjects) or [JADE],
        "concern_categories": ["neglect"],
        "what_happened": "Seen hungry and unkempt.",
        "urgency": "routine",
        "consent": "given",
    }
    return services.receive_contact(db, referrer, ContactIn.model_validate(data), PRACTICE).contact


# --- Known people -------------------------------------------------------------------------


def test_a_person_never_seen_before_is_not_known(
    db: Session, frozen_clock: clock.Clock, alice: Actor
) -> None:
    (jade,) = queries.known_people(
        db, about(db, alice, {**JADE, "family_name": "Unique"}), PRACTICE
    )
    assert not jade.is_known and not jade.re_referral and not jade.escalating


def test_a_second_contact_within_12_months_is_a_re_referral(
    db: Session, frozen_clock: clock.Clock, alice: Actor
) -> None:
    first = about(db, alice, {**JADE, "nhs_number": "9434765919"})
    frozen_clock.advance(dt.timedelta(days=200))

    # Matched by NHS number alone: the second referrer spelt her name differently.
    second = about(db, alice, {"kind": "child", "given_name": "Jayde", "nhs_number": "9434765919"})

    (jade,) = queries.known_people(db, second, PRACTICE)
    assert jade.re_referral and not jade.escalating
    assert [c.reference for c in jade.earlier_contacts] == [first.reference]
    assert [c.reference for c in jade.open_contacts] == [first.reference]


def test_a_contact_more_than_12_months_after_the_last_is_not_a_re_referral(
    db: Session, frozen_clock: clock.Clock, alice: Actor
) -> None:
    about(db, alice, {**JADE, "upn": "H891234524001"})
    frozen_clock.advance(dt.timedelta(days=370))

    later = about(db, alice, {"kind": "child", "family_name": "Smith", "upn": "H891234524001"})

    (jade,) = queries.known_people(db, later, PRACTICE)
    assert jade.is_known and not jade.re_referral


def test_three_contacts_in_three_months_are_an_escalating_pattern_and_recorded_as_one(
    db: Session, frozen_clock: clock.Clock, alice: Actor
) -> None:
    # The same name and date of birth, written differently each time.
    about(db, alice, JADE)
    frozen_clock.advance(dt.timedelta(days=30))
    about(db, alice, {**JADE, "given_name": "JADE", "family_name": " smith "})
    frozen_clock.advance(dt.timedelta(days=30))

    third = about(db, alice, JADE)

    (jade,) = queries.known_people(db, third, PRACTICE)
    assert jade.escalating and jade.re_referral
    assert len(jade.earlier_contacts) == 2
    event = next(e for e in _events(db, third) if e.type == "contact.received")
    assert event.payload["escalating"] is True and event.payload["re_referral"] is True


def test_the_same_name_with_another_date_of_birth_is_not_the_same_person(
    db: Session, frozen_clock: clock.Clock, alice: Actor
) -> None:
    about(db, alice, JADE)
    frozen_clock.advance(dt.timedelta(days=1))
    other = about(db, alice, {**JADE, "date_of_birth": "2016-03-27"})

    (jade,) = queries.known_people(db, other, PRACTICE)
    assert not jade.is_known


def test_a_household_member_already_known_is_shown_but_not_counted_as_a_re_referral(
    db: Session, frozen_clock: clock.Clock, alice: Actor
) -> None:
    dean = {
        "kind": "adult",
        "given_name": "Dean",
        "family_name": "Walker",
        "nhs_number": "4010232137",
    }
    earlier = about(db, alice, dean)
    frozen_clock.advance(dt.timedelta(days=10))

    contact = about(db, alice, JADE, {**dean, "role": "household_member"})

    _jade, known_dean = queries.known_people(db, contact, PRACTICE)
    assert known_dean.is_known and not known_dean.re_referral
    assert [c.reference for c in known_dean.earlier_contacts] == [earlier.reference]
    assert known_dean.earlier_contacts[0].role == "subject"


def test_a_later_open_contact_shows_on_an_earlier_one(
    db: Session, frozen_clock: clock.Clock, alice: Actor
) -> None:
    first = about(db, alice, JADE)
    frozen_clock.advance(dt.timedelta(hours=1))
    later = about(db, alice, JADE)

    (jade,) = queries.known_people(db, first, PRACTICE)
    assert jade.earlier_contacts == []
    assert [c.reference for c in jade.open_contacts] == [later.reference]


# --- The MASH manager's list --------------------------------------------------------------


def test_contacts_to_rate_are_oldest_first_with_how_late_in_working_time(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor
) -> None:
    frozen_clock.set(dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC))  # Thursday 15:00
    oldest = about(db, alice)
    frozen_clock.set(dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC))  # Friday 09:00
    newer = about(db, alice)
    rated = about(db, alice)
    services.rate_contact(db, bob, rated.id, "blue", "No concern", rated.version, PRACTICE)
    # Monday 09:30: the oldest was due Friday 15:00, so 1.5 working hours on Friday (to the
    # 16:30 close) and an hour on Monday morning; the newer is due Monday 09:00.
    frozen_clock.set(dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC))

    listed = [
        row
        for row in queries.contacts_to_rate(db, bob, PRACTICE)
        if row.contact.id in {oldest.id, newer.id, rated.id}
    ]

    assert [row.contact.reference for row in listed] == [oldest.reference, newer.reference]
    assert listed[0].decision_due_at == dt.datetime(2026, 11, 27, 15, 0, tzinfo=dt.UTC)
    assert listed[0].late_by == dt.timedelta(hours=2, minutes=30)
    assert listed[1].late_by == dt.timedelta(minutes=30)
    assert all(row.is_overdue for row in listed)


def test_a_contact_not_yet_due_shows_the_working_time_left(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor
) -> None:
    contact = about(db, alice)  # Tuesday 10:00, due Wednesday 10:00
    (row,) = [r for r in queries.contacts_to_rate(db, bob, PRACTICE) if r.contact.id == contact.id]
    # Tuesday 10:00-17:00 and Wednesday's opening at 10:30 is after the due time: 7 hours.
    assert row.late_by == -dt.timedelta(hours=7) and not row.is_overdue


def test_only_a_mash_manager_has_a_list_of_contacts_to_rate(
    db: Session, frozen_clock: clock.Clock, alice: Actor
) -> None:
    about(db, alice)
    assert queries.contacts_to_rate(db, alice, PRACTICE) == []


# --- The referrer's view ------------------------------------------------------------------


def test_a_referrer_sees_their_own_contacts_newest_first_and_never_the_rating(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor
) -> None:
    first = about(db, alice)
    services.rate_contact(db, bob, first.id, "red", "Threat to kill", first.version, PRACTICE)
    frozen_clock.advance(dt.timedelta(minutes=5))
    second = about(db, alice)
    about(db, person(db, "Charlie", Role.REFERRER, kind=AgencyKind.SCHOOL))

    mine = queries.contacts_of_referrer(db, alice, PRACTICE)

    assert [c.reference for c in mine] == [second.reference, first.reference]
    assert mine[1].model_dump() == {
        "reference": first.reference,
        "received_at": first.received_at,
        "status": "rated",
        "status_description": "Screened: the MASH is looking into it",
        "outcome": None,
        "messages": [],
    }


def test_a_contact_is_visible_to_its_referrer_and_mash_managers_only(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor
) -> None:
    contact = about(db, alice)
    charlie = person(db, "Charlie", Role.REFERRER, kind=AgencyKind.SCHOOL)
    erin = person(db, "Erin", Role.MASH_PRACTITIONER, kind=AgencyKind.ACUTE_TRUST)

    assert queries.contact_for(db, alice, contact.reference) is contact
    assert queries.contact_for(db, alice, contact.reference.lower()) is contact
    assert queries.contact_for(db, bob, contact.reference) is contact
    assert queries.contact_for(db, charlie, contact.reference) is None
    assert queries.contact_for(db, erin, contact.reference) is None
    assert queries.contact_for(db, alice, "MASH-1999-000001") is None


def _events(db: Session, contact: Contact) -> list[DomainEvent]:
    return list(db.scalars(select(DomainEvent).where(DomainEvent.contact_id == contact.id)))


class _LinksEveryoneTo:
    """Stands in for the trained model when it is sure: everyone named is this person."""

    model_file = None

    def __init__(self, master_person_id: int) -> None:
        self.master_person_id = master_person_id

    def match(self, session: Session, subjects: Sequence[Any]) -> list[matching.SubjectMatch]:
        return [matching.SubjectMatch(self.master_person_id) for _ in subjects]


def test_a_person_the_people_index_knows_is_known_however_each_referrer_spelt_them(
    db: Session, frozen_clock: clock.Clock, alice: Actor
) -> None:
    council = create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE)
    import_record(db, council.code, "C1", "Jade", "Smith")
    record = people.agency_record(db, council.code, "C1")
    assert record is not None and record.master_person_id is not None
    model = _LinksEveryoneTo(record.master_person_id)

    def linked(given: str, family: str) -> Contact:
        data = {
            "subjects": [{"kind": "child", "given_name": given, "family_name": family}],
            "concern_categories": ["neglect"],
            "what_happened": "Seen hungry and unkempt.",
            "urgency": "routine",
            "consent": "given",
        }
        contact_in = ContactIn.model_validate(data)
        return services.receive_contact(db, alice, contact_in, PRACTICE, matcher=model).contact

    first = linked("Jade", "Smith")
    frozen_clock.advance(dt.timedelta(days=30))
    second = linked("Jayde", "Smyth")  # no identifier, no date of birth: only the index says

    (jade,) = queries.known_people(db, second, PRACTICE)
    assert [o.reference for o in jade.earlier_contacts] == [first.reference]
    assert jade.re_referral
