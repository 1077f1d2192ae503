"""Importing an agency's person extract: all or nothing, and nothing ever lost."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.audit.models import AuditEntry
from joinedup.directory.models import Agency
from joinedup.directory.rules import AgencyKind
from joinedup.people import queries
from joinedup.people.imports import ImportReport, PersonImportError, import_extract
from joinedup.people.models import AgencyRecord, MasterPerson, PersonImport
from joinedup.people.schemas import COLUMN_NAMES, ExtractRejected
from tests.factories import ADMIN, create_agency

pytestmark = pytest.mark.usefixtures("frozen_clock")


def person(record_id: str, **fields: str) -> dict[str, str]:
    """A row of an extract: Ava Smith of Mansfield unless told otherwise."""
    row = {
        "record_id": record_id,
        "given_name": "Ava",
        "family_name": "Smith",
        "date_of_birth": "2015-04-01",
        "sex": "F",
        "address": "1 High Street, Mansfield",
        "postcode": "NG18 1AB",
    }
    return row | fields


def write_extract(folder: Path, rows: list[dict[str, str]], name: str = "NOTTS-POLICE.csv") -> Path:
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMN_NAMES, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def police(db: Session) -> Agency:
    return create_agency(db, AgencyKind.POLICE, code="NOTTS-POLICE")


def _import(db: Session, path: Path, agency: str = "NOTTS-POLICE") -> ImportReport:
    return import_extract(db, ADMIN, agency, path)


def _records(db: Session) -> dict[str, AgencyRecord]:
    return {r.record_id: r for r in db.scalars(select(AgencyRecord))}


def _ledger(db: Session) -> list[AuditEntry]:
    return list(
        db.scalars(select(AuditEntry).where(AuditEntry.action == "admin:person_extract:imported"))
    )


# --- A clean import ---------------------------------------------------------------------


def test_a_clean_extract_is_imported_whole_as_the_agency_sent_it(
    db: Session, police: Agency, tmp_path: Path
) -> None:
    path = write_extract(
        tmp_path,
        [
            person("R1", nhs_number="943 476 5919", household_ref="FAM1"),
            person("R2", given_name="Bill", family_name="Jones", sex="M", postcode="ng181ab"),
            person("R3", given_name="Unborn", date_of_birth="", sex="U", address="", postcode=""),
        ],
    )
    report = _import(db, path)

    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert not report.already_imported
    records = _records(db)
    assert sorted(records) == ["R1", "R2", "R3"]
    ava = records["R1"]
    assert (ava.given_name, ava.family_name, ava.date_of_birth) == (
        "Ava",
        "Smith",
        dt.date(2015, 4, 1),
    )
    assert (ava.nhs_number, ava.household_ref, ava.source) == ("9434765919", "FAM1", "NOTTS-POLICE")
    assert ava.imported_at == clock.now()
    assert records["R2"].given_name_canonical == "william"
    assert records["R2"].postcode_norm == "NG18 1AB"
    assert records["R3"].date_of_birth is None and records["R3"].address is None
    run = db.get(PersonImport, report.import_id)
    assert run is not None
    assert (run.file_name, run.rows, run.created, run.actor_label) == (
        "NOTTS-POLICE.csv",
        3,
        3,
        ADMIN.label,
    )


def test_an_import_is_one_entry_on_the_ledger_with_its_counts_and_file_hash(
    db: Session, police: Agency, tmp_path: Path
) -> None:
    report = _import(db, write_extract(tmp_path, [person("R1"), person("R2")]))

    (entry,) = _ledger(db)
    detail = json.loads(entry.detail)
    assert entry.object_id == str(report.import_id)
    assert detail["file_sha256"] == report.file_sha256
    assert (detail["agency"], detail["rows"], detail["created"]) == ("NOTTS-POLICE", 2, 2)


# --- Bad input: nothing is imported -----------------------------------------------------

GOOD = "record_id,given_name,nhs_number\nR1,Ava,943 476 5919\n"

BAD_EXTRACTS = {
    "a missing column": (
        b"given_name,family_name\nAva,Smith\n",
        "line 1: the record_id column is missing: add it",
    ),
    "an unknown column": (
        b"record_id,given_name,nhs_no\nR1,Ava,9434765919\n",
        "line 1: unknown column 'nhs_no': the columns are record_id, source,",
    ),
    "a malformed nhs number": (
        (GOOD + "R2,Bob,123 456 1234\n").encode(),
        "line 3: nhs_number: NHS number 123 456 1234 fails its check digit",
    ),
    "a malformed upn": (
        b"record_id,upn\nR1,H891234524002\n",
        "line 2: upn: UPN H891234524002 fails its check letter",
    ),
    "a malformed pnc id": (
        b"record_id,pnc_id\nR1,1999/0123456A\n",
        "line 2: pnc_id: PNC ID 1999/0123456A fails its check letter",
    ),
    "a duplicate record id": (
        (GOOD + "R1,Bob,\n").encode(),
        "line 3: record_id: R1 is also on line 2: each record needs its own record_id",
    ),
    "an empty record id": (
        (GOOD + ",Bob,\n").encode(),
        "line 3: record_id: is empty: every record needs its record_id",
    ),
    "an empty file": (b"", "NOTTS-POLICE.csv is empty: it needs a header row and rows"),
    "a header and no rows": (
        b"record_id,given_name\n",
        "NOTTS-POLICE.csv has a header but no rows",
    ),
    "the wrong encoding": (
        (GOOD + "R2,Zoë,\n").encode("latin-1"),
        "line 3: NOTTS-POLICE.csv is not UTF-8 (byte 0xEB cannot be read): save it as UTF-8",
    ),
    "a date of birth in the future": (
        b"record_id,date_of_birth\nR1,2026-11-25\n",
        "line 2: date_of_birth: 2026-11-25 is in the future",
    ),
    "a date of birth that is not iso": (
        b"record_id,date_of_birth\nR1,01/04/2015\n",
        "line 2: date_of_birth: '01/04/2015' is not a date in the form YYYY-MM-DD",
    ),
    "an unknown sex": (
        b"record_id,sex\nR1,X\n",
        "line 2: sex: 'X' is not one of F, M or U (not known)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_EXTRACTS))
def test_a_bad_extract_is_refused_with_the_line_and_the_problem_and_nothing_is_imported(
    db: Session, police: Agency, tmp_path: Path, case: str
) -> None:
    data, expected = BAD_EXTRACTS[case]
    path = tmp_path / "NOTTS-POLICE.csv"
    path.write_bytes(data)

    with pytest.raises(ExtractRejected) as rejected:
        _import(db, path)

    assert str(rejected.value.problems[0]).startswith(expected)
    for table in (AgencyRecord, PersonImport, MasterPerson):
        assert db.scalar(select(func.count()).select_from(table)) == 0
    assert _ledger(db) == []


def test_one_bad_row_among_good_ones_stops_the_good_ones_too(
    db: Session, police: Agency, tmp_path: Path
) -> None:
    rows = [person(f"R{n}") for n in range(50)]
    rows[37]["nhs_number"] = "123 456 1234"
    with pytest.raises(ExtractRejected) as rejected:
        _import(db, write_extract(tmp_path, rows))
    assert [p.line for p in rejected.value.problems] == [39]
    assert _records(db) == {}


def test_an_extract_can_be_read_from_a_stream_named_by_its_file_name(
    db: Session, police: Agency
) -> None:
    stream = io.BytesIO(b"record_id,given_name\nR1,Ava\n")
    report = import_extract(db, ADMIN, "NOTTS-POLICE", stream, "police-november.csv")

    assert (report.file_name, report.created) == ("police-november.csv", 1)
    assert _records(db)["R1"].source == "police-november"


def test_an_unknown_agency_is_refused(db: Session, tmp_path: Path) -> None:
    with pytest.raises(PersonImportError, match="There is no agency with the code NOPE"):
        _import(db, write_extract(tmp_path, [person("R1")]), agency="NOPE")


def test_a_file_that_is_not_there_is_named(db: Session, police: Agency, tmp_path: Path) -> None:
    with pytest.raises(PersonImportError, match=r"There is no file at .*missing\.csv"):
        _import(db, tmp_path / "missing.csv")


# --- Re-imports: history kept, nothing lost ---------------------------------------------


def test_reimporting_a_changed_extract_updates_what_changed_and_keeps_the_old_values(
    db: Session, police: Agency, tmp_path: Path, frozen_clock: clock.Clock
) -> None:
    first = _import(db, write_extract(tmp_path, [person("R1"), person("R2"), person("R3")]))
    frozen_clock.advance(dt.timedelta(days=30))
    second = _import(
        db,
        write_extract(
            tmp_path,
            [person("R1"), person("R2", family_name="Smith-Jones"), person("R4")],
            name="NOTTS-POLICE-december.csv",
        ),
    )

    assert (second.created, second.updated, second.unchanged) == (1, 1, 1)
    assert (second.absent, second.absent_record_ids) == (1, ("R3",))
    records = _records(db)
    assert sorted(records) == ["R1", "R2", "R3", "R4"]  # R3 is kept
    changed = records["R2"]
    assert changed.family_name == "Smith-Jones"
    assert changed.family_name_norm == "smith-jones"
    assert changed.updated_at == clock.now()
    assert changed.imported_at == clock.now() - dt.timedelta(days=30)
    (version,) = queries.record_versions(db, changed.id)
    assert json.loads(version.fields)["family_name"] == "Smith"
    assert json.loads(version.fields)["source"] == "NOTTS-POLICE"
    assert (version.from_import_id, version.replaced_by_import_id) == (
        first.import_id,
        second.import_id,
    )
    # An unchanged record is left as it was, even though the file's name (its source) changed.
    assert records["R1"].import_id == first.import_id
    assert records["R1"].source == "NOTTS-POLICE"
    assert queries.record_versions(db, records["R1"].id) == []
    assert records["R3"].absent_since_import_id == second.import_id


def test_a_record_that_comes_back_is_no_longer_marked_absent(
    db: Session, police: Agency, tmp_path: Path
) -> None:
    _import(db, write_extract(tmp_path, [person("R1"), person("R2")]))
    gone = _import(db, write_extract(tmp_path, [person("R1")]))
    back = _import(db, write_extract(tmp_path, [person("R1"), person("R2")], name="again.csv"))

    assert (gone.absent, back.absent, back.returned) == (1, 0, 1)
    assert _records(db)["R2"].absent_since_import_id is None


def test_a_record_already_absent_keeps_the_import_it_first_went_missing_from(
    db: Session, police: Agency, tmp_path: Path
) -> None:
    _import(db, write_extract(tmp_path, [person("R1"), person("R2")]))
    first_missing = _import(db, write_extract(tmp_path, [person("R1")]))
    still_missing = _import(db, write_extract(tmp_path, [person("R1", given_name="Eve")]))

    assert still_missing.absent == 1
    assert _records(db)["R2"].absent_since_import_id == first_missing.import_id


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    db: Session, police: Agency, tmp_path: Path
) -> None:
    path = write_extract(tmp_path, [person("R1"), person("R2")])
    first = _import(db, path)
    again = _import(db, path)

    assert again.already_imported
    assert (again.import_id, again.file_sha256) == (first.import_id, first.file_sha256)
    assert db.scalar(select(func.count()).select_from(PersonImport)) == 1
    assert db.scalar(select(func.count()).select_from(AgencyRecord)) == 2
    assert len(_ledger(db)) == 1


def test_an_older_extract_sent_again_after_a_newer_one_is_imported_as_a_change(
    db: Session, police: Agency, tmp_path: Path
) -> None:
    old = write_extract(tmp_path, [person("R1")], name="old.csv")
    _import(db, old)
    _import(db, write_extract(tmp_path, [person("R1", given_name="Eve")], name="new.csv"))
    back = _import(db, old)

    assert not back.already_imported
    assert back.updated == 1
    assert _records(db)["R1"].given_name == "Ava"


def test_one_agencys_file_is_refused_for_another_agency(
    db: Session, police: Agency, tmp_path: Path
) -> None:
    create_agency(db, AgencyKind.GP_PRACTICE, code="GP-ASH-01", name="Ashfield Surgery")
    path = write_extract(tmp_path, [person("R1")])
    _import(db, path)

    with pytest.raises(PersonImportError, match=r"was imported for Test Police \(NOTTS-POLICE\)"):
        _import(db, path, agency="GP-ASH-01")
