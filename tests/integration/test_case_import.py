"""Open cases from children's social care's case-management system, on both databases: all of
the file or none of it, every problem listed with its line, the same file again changing
nothing, and a later export closing and reallocating cases with their history kept.

Sam and Tess are the council's social workers; Len has left; Priya is a police officer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.models import AuditEntry
from joinedup.directory import services as directory
from joinedup.directory.models import Agency, Professional
from joinedup.directory.rules import AgencyKind
from joinedup.frontdoor.case_csv import CasesRejected
from joinedup.frontdoor.case_models import SocialCareCase
from joinedup.frontdoor.cases import CaseImportError, import_cases
from joinedup.frontdoor.models import DomainEvent
from joinedup.people import queries as people
from joinedup.people.imports import import_extract
from joinedup.people.schemas import COLUMN_NAMES
from tests.factories import ADMIN, create_agency, create_professional

OPERATOR = Actor.system("tests: joinedup import cases")
HEADER = "record_id,case_reference,allocated_worker_email,opened_on,closed_on\n"
SAM, TESS = "sam@council.example", "tess@council.example"


@dataclass(frozen=True)
class Council:
    agency: Agency
    sam: Professional
    tess: Professional
    jade: int  # master person of the council's record C1
    dean: int  # of C2


def extract(*rows: dict[str, str]) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMN_NAMES, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode())


@pytest.fixture
def council(db: Session, frozen_clock: clock.Clock) -> Council:
    agency = create_agency(
        db, AgencyKind.CHILDRENS_SOCIAL_CARE, code="NCC-CSC", name="Children's Services"
    )
    police = create_agency(db, AgencyKind.POLICE, code="NOTTS-POLICE")
    sam = create_professional(db, "Sam", agency=agency, email=SAM)
    tess = create_professional(db, "Tess", agency=agency, email=TESS)
    len_ = create_professional(db, "Len", agency=agency, email="len@council.example")
    directory.mark_left(db, ADMIN, len_.id)
    create_professional(db, "Priya", agency=police, email="priya@police.example")
    import_extract(
        db,
        ADMIN,
        "NCC-CSC",
        extract(
            {
                "record_id": "C1",
                "given_name": "Jade",
                "family_name": "Smith",
                "date_of_birth": "2015-03-27",
                "nhs_number": "9434765919",
            },
            {
                "record_id": "C2",
                "given_name": "Dean",
                "family_name": "Smith",
                "date_of_birth": "2012-01-02",
                "nhs_number": "4010232137",
            },
        ),
        file_name="csc.csv",
    )
    jade, dean = (people.agency_record(db, "NCC-CSC", r) for r in ("C1", "C2"))
    assert jade is not None and jade.master_person_id is not None
    assert dean is not None and dean.master_person_id is not None
    return Council(agency, sam, tess, jade.master_person_id, dean.master_person_id)


def cases_file(tmp_path: Path, *rows: str, name: str = "cases.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
    return path


def held(db: Session) -> dict[str, SocialCareCase]:
    return {c.case_reference: c for c in db.scalars(select(SocialCareCase))}


def events(db: Session) -> list[tuple[str, str]]:
    return [
        (e.type, e.payload["case_id"])
        for e in db.scalars(
            select(DomainEvent).where(DomainEvent.type.like("case.%")).order_by(DomainEvent.id)
        )
    ]


def test_each_case_is_held_for_the_person_its_record_is_with_its_worker(
    db: Session, council: Council, tmp_path: Path
) -> None:
    path = cases_file(tmp_path, f"C1,CIN-100,{SAM},2026-09-01,", f"C2,CIN-101,{TESS},2026-01-05,")

    report = import_cases(db, OPERATOR, "ncc-csc", path)

    assert [c.case_reference for c in report.opened] == ["CIN-100", "CIN-101"]
    cases = held(db)
    assert cases["CIN-100"].master_person_id == council.jade
    assert cases["CIN-100"].allocated_worker_id == council.sam.id
    assert cases["CIN-100"].is_open
    assert cases["CIN-101"].master_person_id == council.dean
    assert [t for t, _ in events(db)] == ["case.opened", "case.opened"]
    opened = db.scalars(select(DomainEvent).where(DomainEvent.type == "case.opened")).first()
    assert opened is not None and opened.contact_id is None
    assert set(opened.payload) == {
        "case_id",
        "agency_id",
        "agency_kind",
        "master_person_id",
        "worker_id",
    }, "ids and codes only"
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "admin:case_file:imported")
    ).one()
    detail = json.loads(entry.detail)
    assert detail["opened"] == 2 and detail["agency"] == "NCC-CSC"


def test_the_same_file_again_changes_nothing(db: Session, council: Council, tmp_path: Path) -> None:
    path = cases_file(tmp_path, f"C1,CIN-100,{SAM},2026-09-01,", f"C2,CIN-101,{TESS},2026-01-05,")
    import_cases(db, OPERATOR, "NCC-CSC", path)

    again = import_cases(db, OPERATOR, "NCC-CSC", path)

    assert (again.opened, again.changed, again.unchanged) == ((), (), 2)
    assert len(held(db)) == 2
    assert len(events(db)) == 2


def test_a_later_export_closes_and_reallocates_and_keeps_the_history(
    db: Session, council: Council, tmp_path: Path
) -> None:
    import_cases(
        db,
        OPERATOR,
        "NCC-CSC",
        cases_file(tmp_path, f"C1,CIN-100,{SAM},2026-09-01,", f"C2,CIN-101,{TESS},2026-01-05,"),
    )
    later = cases_file(
        tmp_path,
        f"C1,CIN-100,{TESS},2026-09-01,",
        f"C2,CIN-101,{TESS},2026-01-05,2026-11-20",
        name="later.csv",
    )

    report = import_cases(db, OPERATOR, "NCC-CSC", later)

    assert {c.case_reference: c.changes for c in report.changed} == {
        "CIN-100": ("reallocated",),
        "CIN-101": ("closed",),
    }
    cases = held(db)
    assert cases["CIN-100"].allocated_worker_id == council.tess.id
    assert not cases["CIN-101"].is_open
    assert cases["CIN-101"].closed_at == dt.datetime(2026, 11, 20, tzinfo=clock.LONDON)
    reallocated = db.scalars(
        select(DomainEvent).where(DomainEvent.type == "case.reallocated")
    ).one()
    assert reallocated.payload["previous_worker_id"] == council.sam.id
    assert reallocated.payload["worker_id"] == council.tess.id
    assert [t for t, _ in events(db)] == [
        "case.opened",
        "case.opened",
        "case.reallocated",
        "case.closed",
    ]


def test_a_file_with_bad_rows_imports_nothing_and_says_what_is_wrong_on_each_line(
    db: Session, council: Council, tmp_path: Path
) -> None:
    path = cases_file(
        tmp_path,
        f"C1,CIN-100,{SAM},2026-09-01,",  # good, but the file goes in whole or not at all
        f"C9,CIN-101,{SAM},2026-09-01,",
        "C2,CIN-102,priya@police.example,2026-09-01,",
        "C2,CIN-103,len@council.example,2026-09-01,",
        f"C2,CIN-104,{SAM},2026-13-01,",
        f"C2,CIN-105,{SAM},2026-09-01,2026-08-01",
        f"C2,CIN-100,{SAM},2026-09-01,",
        f"C2,CIN-106,{SAM},2030-01-01,",
        f"C2,,{SAM},2026-09-01,",
    )

    with pytest.raises(CasesRejected) as rejected:
        import_cases(db, OPERATOR, "NCC-CSC", path)

    said = {(p.line, p.column): p.message for p in rejected.value.problems}
    assert "has sent no person record C9" in said[(3, "record_id")]
    assert "does not work for Children's Services" in said[(4, "allocated_worker_email")]
    assert "has left Children's Services" in said[(5, "allocated_worker_email")]
    assert "2026-13-01 is not a real date" in said[(6, "opened_on")]
    assert "is before the case opened on 2026-09-01" in said[(7, "closed_on")]
    assert "CIN-100 is also on line 2" in said[(8, "case_reference")]
    assert "is in the future" in said[(9, "opened_on")]
    assert "is empty" in said[(10, "case_reference")]
    assert rejected.value.total == 8
    assert held(db) == {}
    assert events(db) == []


def test_a_header_without_a_required_column_is_refused(
    db: Session, council: Council, tmp_path: Path
) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("record_id,case_reference,worker\nC1,CIN-100,sam\n")

    with pytest.raises(CasesRejected) as rejected:
        import_cases(db, OPERATOR, "NCC-CSC", path)

    said = {(p.line, p.column): p.message for p in rejected.value.problems}
    assert "is not a column of a cases file" in said[(1, "worker")]
    assert "is missing" in said[(1, "allocated_worker_email")]
    assert "is missing" in said[(1, "opened_on")]


def test_cases_come_only_from_social_care(db: Session, council: Council, tmp_path: Path) -> None:
    path = cases_file(tmp_path, f"C1,CIN-100,{SAM},2026-09-01,")

    with pytest.raises(CaseImportError, match="cases come from children's or adults' social"):
        import_cases(db, OPERATOR, "NOTTS-POLICE", path)
    with pytest.raises(CaseImportError, match="There is no agency with the code NOPE"):
        import_cases(db, OPERATOR, "NOPE", path)
    assert db.scalar(select(func.count()).select_from(SocialCareCase)) == 0
