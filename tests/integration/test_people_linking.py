"""The exact baseline linker: records join on NHS number, else UPN; never across NHS numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from joinedup.directory.rules import AgencyKind
from joinedup.identifiers import nhs_number_check_digit
from joinedup.people import queries
from joinedup.people.imports import ImportReport, import_extract
from joinedup.people.schemas import COLUMN_NAMES
from tests.factories import ADMIN, create_agency

UPN = "H891234524001"


def nhs(serial: int) -> str:
    """A valid NHS number, different for each serial."""
    for n in range(serial * 10, serial * 10 + 10):
        first_nine = f"{n:09d}"
        check = nhs_number_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
    raise AssertionError("unreachable: some digit in ten always has a check digit")


def _send(
    db: Session, tmp_path: Path, agency: str, *rows: dict[str, str], name: str | None = None
) -> ImportReport:
    """Import rows as `agency`'s extract; each row's given name defaults to Ava."""
    path = tmp_path / (name or f"{agency}.csv")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMN_NAMES, restval="")
        writer.writeheader()
        writer.writerows({"given_name": "Ava", "family_name": "Smith"} | row for row in rows)
    return import_extract(db, ADMIN, agency, path)


def _person(db: Session, agency: str, record_id: str) -> int | None:
    record = queries.agency_record(db, agency, record_id)
    assert record is not None
    return record.master_person_id


@pytest.fixture
def agencies(db: Session) -> None:
    create_agency(db, AgencyKind.POLICE, code="POLICE")
    create_agency(db, AgencyKind.GP_PRACTICE, code="GP")
    create_agency(db, AgencyKind.SCHOOL, code="SCHOOL")
    create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE, code="CSC")


pytestmark = pytest.mark.usefixtures("frozen_clock", "agencies")


def test_every_imported_record_belongs_to_a_master_person(db: Session, tmp_path: Path) -> None:
    report = _send(db, tmp_path, "POLICE", {"record_id": "P1"}, {"record_id": "P2"})
    assert (report.new_people, report.joined_known) == (2, 0)
    assert _person(db, "POLICE", "P1") is not None
    assert _person(db, "POLICE", "P1") != _person(db, "POLICE", "P2")


def test_records_in_two_agencies_with_the_same_nhs_number_are_one_person(
    db: Session, tmp_path: Path
) -> None:
    _send(db, tmp_path, "POLICE", {"record_id": "P1", "nhs_number": nhs(1)})
    spaced = f"{nhs(1)[:3]} {nhs(1)[3:6]} {nhs(1)[6:]}"
    report = _send(
        db, tmp_path, "GP", {"record_id": "G1", "nhs_number": spaced, "given_name": "Eve"}
    )

    assert (report.joined_known, report.new_people) == (1, 0)
    assert _person(db, "GP", "G1") == _person(db, "POLICE", "P1")
    person = _person(db, "GP", "G1")
    assert person is not None
    assert {r.record_id for r in queries.records_of_master_person(db, person)} == {"P1", "G1"}


def test_records_with_different_nhs_numbers_are_never_one_person_even_with_one_upn(
    db: Session, tmp_path: Path
) -> None:
    _send(db, tmp_path, "SCHOOL", {"record_id": "S1", "upn": UPN, "nhs_number": nhs(1)})
    _send(db, tmp_path, "CSC", {"record_id": "C1", "upn": UPN, "nhs_number": nhs(2)})

    assert _person(db, "SCHOOL", "S1") != _person(db, "CSC", "C1")


def test_a_record_with_a_upn_and_no_nhs_number_joins_the_person_with_that_upn(
    db: Session, tmp_path: Path
) -> None:
    _send(db, tmp_path, "SCHOOL", {"record_id": "S1", "upn": UPN, "nhs_number": nhs(1)})
    report = _send(db, tmp_path, "CSC", {"record_id": "C1", "upn": UPN})

    assert report.joined_known == 1
    assert _person(db, "CSC", "C1") == _person(db, "SCHOOL", "S1")


def test_a_record_with_a_upn_and_an_nhs_number_joins_a_person_known_only_by_the_upn(
    db: Session, tmp_path: Path
) -> None:
    _send(db, tmp_path, "SCHOOL", {"record_id": "S1", "upn": UPN})
    _send(db, tmp_path, "CSC", {"record_id": "C1", "upn": UPN, "nhs_number": nhs(1)})
    # The person now has that NHS number, so a GP record with it joins them too.
    _send(db, tmp_path, "GP", {"record_id": "G1", "nhs_number": nhs(1)})

    assert _person(db, "SCHOOL", "S1") == _person(db, "CSC", "C1") == _person(db, "GP", "G1")


def test_the_nhs_number_wins_over_the_upn_when_they_point_at_different_people(
    db: Session, tmp_path: Path
) -> None:
    _send(db, tmp_path, "GP", {"record_id": "G1", "nhs_number": nhs(1)})
    _send(db, tmp_path, "SCHOOL", {"record_id": "S1", "upn": UPN})
    _send(db, tmp_path, "CSC", {"record_id": "C1", "upn": UPN, "nhs_number": nhs(1)})

    assert _person(db, "CSC", "C1") == _person(db, "GP", "G1")
    assert _person(db, "CSC", "C1") != _person(db, "SCHOOL", "S1")


def test_records_without_identifiers_are_never_joined_by_name_and_date_of_birth(
    db: Session, tmp_path: Path
) -> None:
    twin = {"date_of_birth": "2015-04-01", "postcode": "NG18 1AB"}
    _send(db, tmp_path, "POLICE", {"record_id": "P1"} | twin)
    _send(db, tmp_path, "GP", {"record_id": "G1"} | twin)

    assert _person(db, "POLICE", "P1") != _person(db, "GP", "G1")


def test_two_records_in_one_extract_with_the_same_nhs_number_are_one_new_person(
    db: Session, tmp_path: Path
) -> None:
    report = _send(
        db,
        tmp_path,
        "CSC",
        {"record_id": "C1", "nhs_number": nhs(3)},
        {"record_id": "C2", "nhs_number": nhs(3)},
        {"record_id": "C3", "upn": UPN},
        {"record_id": "C4", "upn": UPN},
    )

    assert (report.new_people, report.joined_known) == (2, 0)
    assert _person(db, "CSC", "C1") == _person(db, "CSC", "C2")
    assert _person(db, "CSC", "C3") == _person(db, "CSC", "C4")


def test_a_changed_record_keeps_its_master_person(db: Session, tmp_path: Path) -> None:
    _send(db, tmp_path, "GP", {"record_id": "G1", "nhs_number": nhs(1)})
    before = _person(db, "GP", "G1")
    report = _send(
        db, tmp_path, "GP", {"record_id": "G1", "nhs_number": nhs(1), "family_name": "Jones"}
    )

    assert report.updated == 1
    assert _person(db, "GP", "G1") == before
