"""The open case check (domain.md step 2), on both databases: a contact about someone with an
open case goes to the allocated worker, not through the MASH, and a MASH manager can bring it
back.

Alice is a police referrer; Bob the MASH manager; Sam and Tess are children's services' social
workers: Sam holds Jade's case, Tess holds Dean's. Their mother, Kim, had a case, now closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.directory.models import Agency, Professional
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import queries, routing, services, worklists
from joinedup.frontdoor.bring_back import bring_back
from joinedup.frontdoor.case_models import ContactRouting, SocialCareCase
from joinedup.frontdoor.cases import import_cases
from joinedup.frontdoor.models import Contact, DomainEvent
from joinedup.frontdoor.rules import ContactStatus, FrontDoorError
from joinedup.people.imports import import_extract
from tests.factories import ADMIN, create_agency
from tests.frontdoor import PRACTICE, a_contact, person, rate
from tests.integration.test_case_import import extract

JADE, DEAN, KIM = "9434765919", "4010232137", "6541003238"
HEADER = "record_id,case_reference,allocated_worker_email,opened_on,closed_on\n"


@dataclass(frozen=True)
class County:
    alice: Actor
    bob: Actor
    sam: Actor
    tess: Actor
    council: Agency
    tmp_path: Path

    def cases(self, db: Session, *rows: str) -> None:
        path = self.tmp_path / "cases.csv"
        path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
        import_cases(db, ADMIN, self.council.code, path)


def child(nhs_number: str, name: str = "Jade") -> dict[str, Any]:
    return {"kind": "child", "given_name": name, "family_name": "Smith", "nhs_number": nhs_number}


@pytest.fixture
def county(db: Session, frozen_clock: clock.Clock, tmp_path: Path) -> County:
    council = create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE, code="NCC-CSC", name="CSC")
    police = create_agency(db, AgencyKind.POLICE)
    found = County(
        alice=person(db, "Alice", (Role.REFERRER,), police),
        bob=person(db, "Bob", (Role.MASH_MANAGER,), council),
        sam=person(db, "Sam", (Role.REFERRER,), council),
        tess=person(db, "Tess", (Role.REFERRER,), council),
        council=council,
        tmp_path=tmp_path,
    )
    import_extract(
        db,
        ADMIN,
        "NCC-CSC",
        extract(
            {"record_id": "C1", "given_name": "Jade", "nhs_number": JADE},
            {"record_id": "C2", "given_name": "Dean", "nhs_number": DEAN},
            {"record_id": "C3", "given_name": "Kim", "nhs_number": KIM},
        ),
        file_name="csc.csv",
    )
    sam, tess = (email_of(db, a) for a in (found.sam, found.tess))
    found.cases(
        db,
        f"C1,CIN-100,{sam},2026-09-01,",
        f"C2,CIN-101,{tess},2026-06-01,",
        f"C3,ASC-7,{sam},2025-01-01,2026-10-01",
    )
    return found


def email_of(db: Session, actor: Actor) -> str:
    professional = db.get(Professional, actor.professional_id)
    assert professional is not None
    return professional.email


def case(db: Session, reference: str) -> SocialCareCase:
    return db.scalars(
        select(SocialCareCase).where(SocialCareCase.case_reference == reference)
    ).one()


def events(db: Session, contact: Contact, type_: str) -> list[dict[str, Any]]:
    return [
        e.payload
        for e in db.scalars(
            select(DomainEvent).where(
                DomainEvent.contact_id == contact.id, DomainEvent.type == type_
            )
        )
    ]


def test_a_contact_about_a_child_with_an_open_case_goes_to_the_allocated_worker(
    db: Session, county: County
) -> None:
    contact = a_contact(db, county.alice, subjects=[child(JADE)])

    assert contact.status == ContactStatus.ROUTED
    assert contact.routing is not None
    assert contact.routing.case_id == case(db, "CIN-100").id
    assert contact.routing.worker_id == county.sam.professional_id
    (routed,) = events(db, contact, "contact.routed")
    assert routed == {
        "reference": contact.reference,
        "case_id": case(db, "CIN-100").id,
        "agency_id": county.council.id,
        "worker_id": county.sam.professional_id,
        "subject_position": 0,
        "other_open_cases": 0,
        "other_workers": 0,
    }
    # Not the MASH's to screen; but the referrer is still owed the acknowledgement.
    assert queries.contacts_to_rate(db, county.bob, PRACTICE) == []
    owed = worklists.feedback_due(db, county.bob, PRACTICE)
    assert [(f.task.contact_id, f.kind.value) for f in owed] == [(contact.id, "acknowledgement")]
    told = queries.referrer_view(contact, PRACTICE)
    assert told.status == "routed"
    assert told.status_description.startswith("Passed to the allocated social worker")
    assert [r.contact.reference for r in routing.routed_to_worker(db, county.sam)] == [
        contact.reference
    ]
    assert routing.routed_to_worker(db, county.tess) == []
    assert [r.contact.id for r in routing.routed_for_manager(db, county.bob)] == [contact.id]
    assert routing.routed_for_manager(db, county.sam) == [], "managers only"


def test_a_contact_about_a_child_with_no_case_goes_to_the_mash(db: Session, county: County) -> None:
    contact = a_contact(db, county.alice, subjects=[child("9876543210", "Ava")])

    assert contact.status == ContactStatus.RECEIVED
    assert contact.routing is None
    assert events(db, contact, "contact.routed") == []
    assert [c.contact.id for c in queries.contacts_to_rate(db, county.bob, PRACTICE)] == [
        contact.id
    ]


def test_a_household_members_open_case_does_not_take_the_contact_from_the_mash(
    db: Session, county: County
) -> None:
    contact = a_contact(
        db,
        county.alice,
        subjects=[
            child("9876543210", "Ava"),
            {**child(JADE), "role": "household_member", "relationship": "sister"},
        ],
    )

    assert contact.subjects[1].master_person_id == case(db, "CIN-100").master_person_id
    assert contact.status == ContactStatus.RECEIVED
    assert contact.routing is None


def test_a_closed_case_does_not_route(db: Session, county: County) -> None:
    county.cases(db, f"C1,CIN-100,{email_of(db, county.sam)},2026-09-01,2026-11-23")

    jade = a_contact(db, county.alice, subjects=[child(JADE)])
    kim = a_contact(db, county.alice, subjects=[{**child(KIM, "Kim"), "kind": "adult"}])

    assert (jade.status, kim.status) == (ContactStatus.RECEIVED, ContactStatus.RECEIVED)


def test_two_subjects_with_cases_go_to_the_first_subjects_worker_and_it_says_so(
    db: Session, county: County
) -> None:
    contact = a_contact(db, county.alice, subjects=[child(DEAN, "Dean"), child(JADE)])

    assert contact.routing is not None
    assert contact.routing.worker_id == county.tess.professional_id  # Dean's, named first
    (routed,) = events(db, contact, "contact.routed")
    assert (routed["other_open_cases"], routed["other_workers"]) == (1, 1)
    named = routing.open_cases_of(db, contact)
    assert {s.position: [c.case_reference for c in named[s.id]] for s in contact.subjects} == {
        0: ["CIN-101"],
        1: ["CIN-100"],
    }


def test_the_open_case_check_is_one_query_and_none_when_nobody_is_linked(
    db: Session, county: County
) -> None:
    with statements(db) as linked:
        a_contact(db, county.alice, subjects=[child(JADE), child(DEAN, "Dean")])
    with statements(db) as unlinked:
        a_contact(db, county.alice, subjects=[child("9876543210", "Ava")])

    assert sum("social_care_cases" in s for s in linked) == 1
    assert not any("social_care_cases" in s for s in unlinked)


@contextmanager
def statements(db: Session) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = db.get_bind()

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_manager_brings_a_routed_contact_back_into_the_mash_with_a_reason(
    db: Session, county: County, frozen_clock: clock.Clock
) -> None:
    contact = a_contact(db, county.alice, subjects=[child(JADE)])
    frozen_clock.advance(dt.timedelta(minutes=20))

    routed = bring_back(
        db, county.bob, contact.id, "Wrong match: a different Jade", contact.version, PRACTICE
    )

    assert contact.status == ContactStatus.RECEIVED
    assert routed.brought_back_reason == "Wrong match: a different Jade"
    assert routed.brought_back_by_professional_id == county.bob.professional_id
    assert routed.brought_back_at == clock.now()
    assert [c.contact.id for c in queries.contacts_to_rate(db, county.bob, PRACTICE)] == [
        contact.id
    ]
    assert routing.routed_to_worker(db, county.sam) == []
    (back,) = events(db, contact, "contact.brought_back")
    assert back["case_id"] == routed.case_id
    assert "Jade" not in str(back), "no personal data in events"
    rate(db, county.bob, contact, "amber", "Neglect")  # screened like any other now


def test_bringing_back_needs_a_reason_a_routed_contact_and_a_manager(
    db: Session, county: County
) -> None:
    contact = a_contact(db, county.alice, subjects=[child(JADE)])
    other = a_contact(db, county.alice, subjects=[child("9876543210", "Ava")])

    with pytest.raises(FrontDoorError, match="Enter why you are bringing it back"):
        bring_back(db, county.bob, contact.id, "  ", contact.version, PRACTICE)
    with pytest.raises(FrontDoorError, match="already with the MASH"):
        bring_back(db, county.bob, other.id, "Closed case", other.version, PRACTICE)
    with pytest.raises(services.ContactNotFound):
        bring_back(db, county.sam, contact.id, "Not mine", contact.version, PRACTICE)
    db.refresh(contact)
    assert contact.status == ContactStatus.ROUTED and contact.version == 1
    routed = db.scalars(select(ContactRouting)).one()
    assert routed.brought_back_at is None


def test_a_routed_contact_cannot_be_rated_until_it_is_brought_back(
    db: Session, county: County
) -> None:
    contact = a_contact(db, county.alice, subjects=[child(JADE)])

    with pytest.raises(FrontDoorError, match="bring it back into the MASH before rating it"):
        rate(db, county.bob, contact, "red")
    assert contact.ratings == []


def test_a_routed_contact_follows_its_case_to_a_new_worker(db: Session, county: County) -> None:
    contact = a_contact(db, county.alice, subjects=[child(JADE)])

    county.cases(db, f"C1,CIN-100,{email_of(db, county.tess)},2026-09-01,")

    assert routing.routed_to_worker(db, county.sam) == []
    assert [r.contact.id for r in routing.routed_to_worker(db, county.tess)] == [contact.id]
