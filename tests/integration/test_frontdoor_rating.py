"""Rating contacts: only MASH managers, a reason every time, history kept, nothing overwritten.

Alice is a police referrer; Bob and Dana are MASH managers; Charlie, a teacher, must see nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.models import AuditEntry
from joinedup.directory.models import Agency
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import services
from joinedup.frontdoor.models import Contact, DomainEvent, Rating
from joinedup.frontdoor.rules import FrontDoorError
from tests.factories import create_agency
from tests.frontdoor import PRACTICE, TUESDAY_10AM, a_contact, person, rate


@pytest.fixture
def alice(db: Session) -> Actor:
    return person(db, "Alice", (Role.REFERRER,), create_agency(db, AgencyKind.POLICE))


@pytest.fixture
def council(db: Session) -> Agency:
    return create_agency(
        db, AgencyKind.CHILDRENS_SOCIAL_CARE, name="Nottinghamshire County Council"
    )


@pytest.fixture
def bob(db: Session, council: Agency) -> Actor:
    return person(db, "Bob", (Role.MASH_MANAGER,), council)


@pytest.fixture
def dana(db: Session, council: Agency) -> Actor:
    return person(db, "Dana", (Role.MASH_MANAGER,), council)


def test_a_manager_rates_a_contact_and_its_research_clock_starts(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor
) -> None:
    contact = a_contact(db, alice)

    rating = rate(db, bob, contact, "amber", "Repeated neglect, no immediate danger")

    assert (rating.rating, rating.reason) == ("amber", "Repeated neglect, no immediate danger")
    assert rating.rated_at == TUESDAY_10AM
    assert rating.rated_by.name == "Bob Archer"
    # 24 working hours from Tuesday 10:00: Tue 7, Wed 6.5, Thu 8.5 = 22, Fri 08:30 + 2 = 10:30.
    assert rating.research_due_at == dt.datetime(2026, 11, 27, 10, 30, tzinfo=dt.UTC)
    assert (contact.status, contact.version) == ("rated", 2)
    assert contact.current_rating is rating


def test_red_research_is_due_four_hours_later_even_after_the_hub_closes(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor
) -> None:
    frozen_clock.set(dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC))  # Friday, 16:00
    rating = rate(db, bob, a_contact(db, alice), "red", "Threat to kill")
    assert rating.research_due_at == dt.datetime(2026, 11, 27, 20, 0, tzinfo=dt.UTC)


def test_blue_asks_no_research_so_starts_no_clock(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor
) -> None:
    rating = rate(db, bob, a_contact(db, alice), "blue", "No safeguarding concern")
    assert rating.research_due_at is None


def test_a_re_rating_needs_its_own_reason_and_keeps_the_history(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor
) -> None:
    contact = a_contact(db, alice)
    green = rate(db, bob, contact, "green", "Low-level concern")
    frozen_clock.advance(dt.timedelta(hours=2))

    with pytest.raises(FrontDoorError) as raised:
        rate(db, bob, contact, "red", "   ")
    assert str(raised.value) == "Enter why you are changing the rating from Green to Red"
    assert raised.value.field == "reason"

    red = rate(db, bob, contact, "red", "Police now report a threat to kill")

    assert [r.rating for r in contact.ratings] == ["green", "red"]
    assert green.replaced_by_id == red.id and red.replaced_by_id is None
    assert contact.current_rating is red
    assert red.research_due_at == frozen_clock.now() + dt.timedelta(hours=4)
    events = db.scalars(
        select(DomainEvent.type)
        .where(DomainEvent.contact_id == contact.id)
        .order_by(DomainEvent.id)
    )
    assert list(events) == ["contact.received", "contact.rated", "contact.re_rated"]
    actions = db.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_type == "contact", AuditEntry.object_id == str(contact.id))
        .order_by(AuditEntry.id)
    )
    assert list(actions) == [
        "referrer:contact:received",
        "manager:contact:rated",
        "manager:contact:re_rated",
    ]


def test_the_first_rating_needs_a_reason_too(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor
) -> None:
    contact = a_contact(db, alice)
    with pytest.raises(FrontDoorError, match=r"^Enter why you are rating it Amber$"):
        rate(db, bob, contact, "amber", "")
    assert contact.ratings == [] and contact.version == 1


def test_re_rating_to_the_rating_it_has_is_refused(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor
) -> None:
    contact = a_contact(db, alice)
    rate(db, bob, contact, "amber")
    with pytest.raises(FrontDoorError, match="already rated Amber"):
        rate(db, bob, contact, "amber", "Still amber")


def test_an_unknown_rating_is_refused_with_the_ratings_that_exist(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor
) -> None:
    with pytest.raises(FrontDoorError, match=r"^Select a rating: Red, Amber, Green, Blue$"):
        rate(db, bob, a_contact(db, alice), "purple")


def test_a_stale_version_is_refused_saying_who_rated_it_what_and_when(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor, dana: Actor
) -> None:
    contact = a_contact(db, alice)
    both_read = contact.version
    rate(db, bob, contact, "red", "Threat to kill", version=both_read)

    with pytest.raises(services.ConcurrentChange) as raised:
        rate(db, dana, contact, "green", "Seems minor", version=both_read)

    assert str(raised.value) == (
        "Bob Archer (Nottinghamshire County Council) rated this contact Red at 10am on "
        "24 November 2026, after you opened it. Nothing you sent was saved: read the contact "
        "again, then make your change if it is still needed"
    )
    assert [r.rating for r in contact.ratings] == ["red"]
    assert contact.version == 2


def test_a_change_made_behind_the_sessions_back_is_still_caught(
    db: Session, frozen_clock: clock.Clock, alice: Actor, bob: Actor
) -> None:
    # Another transaction moves the version on after this session read the contact.
    contact = a_contact(db, alice)
    db.execute(
        update(Contact)
        .where(Contact.id == contact.id)
        .values(version=Contact.version + 1)
        .execution_options(synchronize_session=False)
    )
    assert contact.version == 1  # what this session still believes

    with pytest.raises(services.ConcurrentChange, match="Someone else changed this contact"):
        rate(db, bob, contact, "amber")
    assert db.scalars(select(Rating).where(Rating.contact_id == contact.id)).all() == []


@pytest.mark.parametrize("roles", [(Role.REFERRER,), (Role.MASH_PRACTITIONER,), ()])
def test_anyone_but_a_mash_manager_is_told_the_contact_does_not_exist(
    db: Session, frozen_clock: clock.Clock, alice: Actor, roles: tuple[Role, ...]
) -> None:
    charlie = person(db, "Charlie", roles, create_agency(db, AgencyKind.SCHOOL))
    contact = a_contact(db, alice)

    with pytest.raises(services.ContactNotFound):
        rate(db, charlie, contact, "red")
    assert contact.ratings == []


def test_rating_a_contact_that_does_not_exist_is_not_found(
    db: Session, frozen_clock: clock.Clock, bob: Actor
) -> None:
    with pytest.raises(services.ContactNotFound, match="There is no contact 999999"):
        services.rate_contact(db, bob, 999_999, "red", "Why", 1, PRACTICE)
