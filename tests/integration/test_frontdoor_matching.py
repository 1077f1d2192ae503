"""A contact's people are matched to the master person index as the contact arrives."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.directory.rules import AgencyKind
from joinedup.frontdoor.models import DomainEvent
from joinedup.people import queries
from joinedup.people.imports import import_extract
from joinedup.people.schemas import COLUMN_NAMES
from tests.factories import ADMIN, create_agency
from tests.integration.test_frontdoor_intake import professional, receive

JADE_NHS = "9434765919"  # 943 476 5919, as the referrer types it in contact_in()


def _extract(db: Session, tmp_path: Path, agency: str, *rows: dict[str, str]) -> None:
    path = tmp_path / f"{agency}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMN_NAMES, restval="")
        writer.writeheader()
        writer.writerows(rows)
    import_extract(db, ADMIN, agency, path)


@pytest.fixture
def gp_knows_jade(db: Session, tmp_path: Path) -> int:
    create_agency(db, AgencyKind.GP_PRACTICE, code="GP-1")
    _extract(
        db,
        tmp_path,
        "GP-1",
        {
            "record_id": "G1",
            "given_name": "Jade",
            "family_name": "Smith",
            "date_of_birth": "2015-03-27",
            "nhs_number": JADE_NHS,
        },
    )
    record = queries.agency_record(db, "GP-1", "G1")
    assert record is not None and record.master_person_id is not None
    return record.master_person_id


def test_a_subject_with_a_known_nhs_number_is_linked_to_their_master_person(
    db: Session, frozen_clock: clock.Clock, gp_knows_jade: int
) -> None:
    contact = receive(db, professional(db, "Alice"))

    jade, dean = contact.subjects
    assert jade.master_person_id == gp_knows_jade
    assert dean.master_person_id is None, "no identifier given, so no match is guessed"
    received = db.query(DomainEvent).filter_by(contact_id=contact.id, type="contact.received")
    assert received.one().payload["matched_to_people_index"] == 1
    matched = db.query(DomainEvent).filter_by(contact_id=contact.id, type="contact.matched")
    assert matched.one().payload == {
        "reference": contact.reference,
        "people_index": 1,
        "known_from_contacts": 0,
        "open_contacts": 0,
    }


def test_a_subject_nobody_holds_stays_unlinked(db: Session, frozen_clock: clock.Clock) -> None:
    contact = receive(db, professional(db, "Alice"))
    assert [s.master_person_id for s in contact.subjects] == [None, None]
    assert not db.query(DomainEvent).filter_by(type="contact.matched").all()
