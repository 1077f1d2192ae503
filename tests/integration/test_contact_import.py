"""Contacts from a CSV file, on both databases: all of the file or none of it, every problem
listed with its line, and a file imported again making nothing new.

Alice is a police officer whose force sends its contacts as a file; Priya is a teacher, at
another agency; Len has left the police.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.models import AuditEntry
from joinedup.directory import services as directory
from joinedup.directory.models import Agency
from joinedup.directory.rules import AgencyKind
from joinedup.frontdoor.contact_csv import ContactsRejected
from joinedup.frontdoor.imports import ContactImportError, import_contacts
from joinedup.frontdoor.models import Contact, DomainEvent
from joinedup.frontdoor.practice import Practice
from tests.factories import ADMIN, create_agency, create_professional

PRACTICE = Practice()
OPERATOR = Actor.system("tests: joinedup import contacts")
HEADER = (
    "contact_id,referrer_email,subject_kind,subject_given_name,subject_family_name,"
    "subject_date_of_birth,subject_nhs_number,household_1_kind,household_1_given_name,"
    "household_1_relationship,concern_categories,what_happened,urgency,consent,"
    "consent_not_sought_reason"
)
ALICE = "alice@police.example"


@dataclass(frozen=True)
class Force:
    police: Agency
    school: Agency


@pytest.fixture
def force(db: Session, frozen_clock: clock.Clock) -> Force:
    police = create_agency(db, AgencyKind.POLICE, code="NOTTS-POLICE", name="Notts Police")
    school = create_agency(db, AgencyKind.SCHOOL, code="MRP-SCHOOL", name="Mansfield Primary")
    create_professional(db, "Alice", agency=police, email=ALICE)
    create_professional(db, "Priya", agency=school, email="priya@school.example")
    len_ = create_professional(db, "Len", agency=police, email="len@police.example")
    directory.mark_left(db, ADMIN, len_.id)
    return Force(police, school)


def row(contact_id: str = "PPN-1", **cells: str) -> str:
    values = {
        "referrer_email": ALICE,
        "subject_kind": "child",
        "subject_given_name": "Jade",
        "subject_family_name": "Smith",
        "subject_date_of_birth": "2015-03-27",
        "subject_nhs_number": "943 476 5919",
        "household_1_kind": "adult",
        "household_1_given_name": "Dean",
        "household_1_relationship": "mother's partner",
        "concern_categories": "neglect;domestic_abuse",
        "what_happened": "Called to a disturbance; Jade was in the house.",
        "urgency": "urgent",
        "consent": "not_sought",
        "consent_not_sought_reason": "c",
        **cells,
    }
    columns = HEADER.split(",")[1:]
    return ",".join([contact_id, *(f'"{values[c]}"' for c in columns)]) + "\n"


def write(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "ppn.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + "\n" + "".join(rows), encoding="utf-8")
    return path


def contacts(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Contact)) or 0


def ledger(db: Session, action: str) -> int:
    return (
        db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))
        or 0
    )


def test_a_good_file_takes_in_every_contact_each_with_its_reference(
    db: Session, force: Force, tmp_path: Path
) -> None:
    path = write(tmp_path, row("PPN-1"), row("PPN-2", subject_nhs_number="401 023 2137"))

    report = import_contacts(db, OPERATOR, "notts-police", path, PRACTICE)

    assert [(i.line, i.contact_id) for i in report.created] == [(2, "PPN-1"), (3, "PPN-2")]
    assert report.already_received == ()
    first = db.scalar(select(Contact).where(Contact.reference == report.created[0].reference))
    assert first is not None
    assert (first.channel, first.idempotency_key) == ("csv", "csv:NOTTS-POLICE:PPN-1")
    assert first.referrer.email == ALICE and first.referrer_agency_id == force.police.id
    assert [
        (s.role, s.given_name, s.nhs_number, s.relationship_to_subject) for s in first.subjects
    ] == [
        ("subject", "Jade", "9434765919", None),
        ("household_member", "Dean", None, "mother's partner"),
    ]
    assert first.concern_categories == ["neglect", "domestic_abuse"]
    assert (first.consent, first.consent_not_sought_reason) == ("not_sought", "c")
    assert contacts(db) == 2
    assert ledger(db, "referrer:contact:received") == 2
    assert ledger(db, "admin:contact_file:imported") == 1
    events = db.scalars(select(DomainEvent.payload).where(DomainEvent.type == "contact.received"))
    assert [event["channel"] for event in events] == ["csv", "csv"]


def test_importing_a_file_again_makes_nothing_new(
    db: Session, force: Force, tmp_path: Path
) -> None:
    path = write(tmp_path, row("PPN-1"), row("PPN-2"))
    first = import_contacts(db, OPERATOR, "NOTTS-POLICE", path, PRACTICE)

    again = import_contacts(db, OPERATOR, "NOTTS-POLICE", path, PRACTICE)

    assert again.created == ()
    assert [i.reference for i in again.already_received] == [i.reference for i in first.created]
    assert contacts(db) == 2
    assert ledger(db, "referrer:contact:received") == 2


def test_a_later_file_that_repeats_some_rows_takes_in_only_the_new_ones(
    db: Session, force: Force, tmp_path: Path
) -> None:
    import_contacts(db, OPERATOR, "NOTTS-POLICE", write(tmp_path, row("PPN-1")), PRACTICE)

    later = write(tmp_path, row("PPN-1"), row("PPN-2"), name="ppn-later.csv")
    report = import_contacts(db, OPERATOR, "NOTTS-POLICE", later, PRACTICE)

    assert [i.contact_id for i in report.created] == ["PPN-2"]
    assert [i.contact_id for i in report.already_received] == ["PPN-1"]
    assert contacts(db) == 2


def test_the_same_contact_id_from_another_agency_is_another_contact(
    db: Session, force: Force, tmp_path: Path
) -> None:
    import_contacts(db, OPERATOR, "NOTTS-POLICE", write(tmp_path, row("C-1")), PRACTICE)
    school_file = write(tmp_path, row("C-1", referrer_email="priya@school.example"), name="s.csv")

    report = import_contacts(db, OPERATOR, "MRP-SCHOOL", school_file, PRACTICE)

    assert [i.contact_id for i in report.created] == ["C-1"]
    assert contacts(db) == 2


def test_one_bad_row_stops_the_whole_file_and_only_it_is_listed(
    db: Session, force: Force, tmp_path: Path
) -> None:
    path = write(
        tmp_path, row("PPN-1"), row("PPN-2", subject_nhs_number="123 456 1234"), row("PPN-3")
    )

    with pytest.raises(ContactsRejected) as refused:
        import_contacts(db, OPERATOR, "NOTTS-POLICE", path, PRACTICE)

    assert [str(p) for p in refused.value.problems] == [
        "line 3: subject_nhs_number: Enter a valid NHS number: 123 456 1234 fails its check digit"
    ]
    assert str(refused.value) == "1 problem in the file; nothing was imported"
    assert contacts(db) == 0
    assert ledger(db, "referrer:contact:received") == 0
    assert ledger(db, "admin:contact_file:imported") == 0


@pytest.mark.parametrize(
    ("cells", "problem"),
    [
        (
            {"household_1_relationship": "x" * 101},
            "household_1_relationship: Relationship must be 100 characters or fewer",
        ),
        (
            {"subject_given_name": "", "subject_family_name": ""},
            "subject_given_name: Enter their first name or last name, or both",
        ),
        (
            {"subject_kind": "teenager"},
            "subject_kind: teenager is not one of child, adult or unborn",
        ),
        ({"subject_kind": ""}, "subject_kind: is empty: give child, adult or unborn"),
        (
            {"household_1_kind": ""},
            "household_1_kind: is empty: give child, adult or unborn",
        ),
        (
            {"subject_date_of_birth": "27/03/2015"},
            "subject_date_of_birth: 27/03/2015 is not a real date written YYYY-MM-DD, like "
            "2015-03-27",
        ),
        (
            {"subject_date_of_birth": "2027-01-01"},
            "subject_date_of_birth: Date of birth must be today or in the past",
        ),
        (
            {"concern_categories": "neglect;arson"},
            "concern_categories: 'arson' is not a concern category; use one of: "
            "child_criminal_exploitation, child_sexual_exploitation, domestic_abuse, "
            "emotional_abuse, financial_abuse, modern_slavery, neglect, other, physical_abuse, "
            "radicalisation, self_neglect, sexual_abuse",
        ),
        ({"what_happened": ""}, "what_happened: Enter what happened"),
        ({"urgency": "soon"}, "urgency: soon is not one of immediate, urgent or routine"),
        ({"consent": ""}, "consent: is empty: give given, refused or not_sought"),
        (
            {"consent_not_sought_reason": ""},
            "consent_not_sought_reason: Select why consent was not sought: (a) it cannot be "
            "given, (b) you cannot reasonably be expected to get it, or (c) seeking it would "
            "prejudice protection",
        ),
        (
            {"consent": "given"},
            "consent_not_sought_reason: Only give a reason for not seeking consent when "
            "consent was not sought",
        ),
        (
            {"referrer_email": "nobody@police.example"},
            "referrer_email: there is no professional with the email address "
            "nobody@police.example: check it, or ask an administrator to add them to the "
            "directory",
        ),
        (
            {"referrer_email": "PRIYA@school.example"},
            "referrer_email: priya@school.example works for Mansfield Primary, not Notts "
            "Police: a file imported for NOTTS-POLICE holds only contacts its own staff raised",
        ),
        (
            {"referrer_email": "len@police.example"},
            "referrer_email: len@police.example has left Notts Police: the MASH answers to "
            "whoever raised a concern, so give someone still in post",
        ),
        (
            {"referrer_email": ""},
            "referrer_email: is empty: give the email address of who raised it",
        ),
    ],
)
def test_each_kind_of_bad_row_is_named_with_its_line_and_column(
    db: Session, force: Force, tmp_path: Path, cells: dict[str, str], problem: str
) -> None:
    path = write(tmp_path, row("PPN-1"), row("PPN-2", **cells))

    with pytest.raises(ContactsRejected) as refused:
        import_contacts(db, OPERATOR, "NOTTS-POLICE", path, PRACTICE)

    assert [str(p) for p in refused.value.problems] == [f"line 3: {problem}"]
    assert contacts(db) == 0


@pytest.mark.parametrize(
    ("content", "problems"),
    [
        (
            HEADER + "\n" + row("A") + row("A"),
            ["line 3: contact_id: A is also on line 2: each contact needs its own contact_id"],
        ),
        (
            HEADER + "\n" + row(""),
            ["line 2: contact_id: is empty: every row needs the sender's id for it"],
        ),
        (
            HEADER + "\n" + row("PPN 1"),
            ["line 2: contact_id: must be 1 to 50 letters, digits or punctuation, without spaces"],
        ),
        (
            HEADER + "\n" + row("A").rstrip("\n") + ",extra\n",
            [
                "line 2: has 16 values but the header has 15 columns: check for a missing or "
                "extra comma, or a value with a comma not in quotes"
            ],
        ),
        (
            HEADER.replace("urgency", "urgncy") + "\n" + row("A"),
            [
                "line 1: urgncy: is not a column of a contacts file: check its spelling",
                "line 1: urgency: is missing: every contacts file has this column",
            ],
        ),
        ("", ["ppn.csv is empty: it needs a header row and rows"]),
        (HEADER + "\n", ["ppn.csv has a header but no rows"]),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused_saying_where(
    db: Session, force: Force, tmp_path: Path, content: str, problems: list[str]
) -> None:
    path = tmp_path / "ppn.csv"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(ContactsRejected) as refused:
        import_contacts(db, OPERATOR, "NOTTS-POLICE", path, PRACTICE)

    assert [str(p) for p in refused.value.problems] == problems
    assert contacts(db) == 0


def test_a_file_that_is_not_utf8_is_refused_with_the_line_of_the_first_bad_byte(
    db: Session, force: Force, tmp_path: Path
) -> None:
    path = tmp_path / "ppn.csv"
    path.write_bytes(
        (HEADER + "\n" + row("A")).encode() + row("B", subject_given_name="Zoë").encode("latin-1")
    )

    with pytest.raises(ContactsRejected) as refused:
        import_contacts(db, OPERATOR, "NOTTS-POLICE", path, PRACTICE)

    assert [str(p) for p in refused.value.problems] == [
        "line 3: ppn.csv is not UTF-8 text: save it as CSV UTF-8 and import it again"
    ]


def test_a_quoted_value_over_several_lines_keeps_the_line_its_row_starts_on(
    db: Session, force: Force, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        row("A", what_happened="Called at 10pm.\nJade was in the house."),
        row("B", urgency="later"),
    )

    with pytest.raises(ContactsRejected) as refused:
        import_contacts(db, OPERATOR, "NOTTS-POLICE", path, PRACTICE)

    assert [str(p) for p in refused.value.problems] == [
        "line 4: urgency: later is not one of immediate, urgent or routine"
    ]


def test_an_import_for_no_such_agency_or_file_does_not_start(
    db: Session, force: Force, tmp_path: Path
) -> None:
    with pytest.raises(ContactImportError, match="There is no agency with the code NOPE"):
        import_contacts(db, OPERATOR, "NOPE", write(tmp_path, row("A")), PRACTICE)
    with pytest.raises(ContactImportError, match="There is no file at"):
        import_contacts(db, OPERATOR, "NOTTS-POLICE", tmp_path / "missing.csv", PRACTICE)
