"""The cases CSV file a social care service's case-management system exports: its columns, and
reading a file of it into rows to import.

Pure: bytes in, rows out, with today's date passed in; nothing here touches the database (who
each record and worker is, the import checks: frontdoor.cases). Problems are kept with their
line and column, as in the contacts file (contact_csv), so that the import can refuse the whole
file with all of them listed. docs/front-door.md ("Open cases from a CSV file") is the same
schema for the people who write these files: keep the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from joinedup.frontdoor.contact_csv import (
    EMAIL_LENGTH,
    ContactsRejected,
    Problems,
    read_rows,
)
from joinedup.frontdoor.rules import CASE_REFERENCE_LENGTH

RECORD_ID_LENGTH = 64  # as agency_records.record_id
COLUMNS = ("record_id", "case_reference", "allocated_worker_email", "opened_on", "closed_on")
REQUIRED = ("record_id", "case_reference", "allocated_worker_email", "opened_on")
_CASE_REFERENCE = re.compile(rf"[\x21-\x7e]{{1,{CASE_REFERENCE_LENGTH}}}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class CasesRejected(ContactsRejected):
    """The cases file cannot be imported, and nothing was; `problems` lists them."""


@dataclass(frozen=True)
class CaseRow:
    """One row: a case as the agency's system holds it (None where the row has a problem)."""

    line: int
    record_id: str
    case_reference: str
    worker_email: str
    opened_on: date | None
    closed_on: date | None


def read_cases(data: bytes, file_name: str, today: date, problems: Problems) -> list[CaseRow]:
    """Every row of the file, each checked on its own; problems go into `problems` with their
    line and column. Rows come back even with problems, so the caller can check their records
    and workers too and list everything wrong at once."""
    seen: dict[str, int] = {}
    return [
        _row(line, row, today, seen, problems)
        for line, row in read_rows(data, file_name, "cases", COLUMNS, REQUIRED, problems)
    ]


def _row(
    line: int, row: dict[str, str], today: date, seen: dict[str, int], problems: Problems
) -> CaseRow:
    record_id = row["record_id"]
    if not record_id:
        problems.add(
            line, "record_id", "is empty: give the person's record id, as in your person extract"
        )
    elif len(record_id) > RECORD_ID_LENGTH:
        problems.add(line, "record_id", f"is longer than {RECORD_ID_LENGTH} characters")
    reference = row["case_reference"]
    if not reference:
        problems.add(line, "case_reference", "is empty: every case needs its reference")
    elif not _CASE_REFERENCE.fullmatch(reference):
        problems.add(
            line,
            "case_reference",
            f"must be 1 to {CASE_REFERENCE_LENGTH} letters, digits or punctuation, without spaces",
        )
    elif reference in seen:
        problems.add(
            line,
            "case_reference",
            f"{reference} is also on line {seen[reference]}: each case is on one row",
        )
    else:
        seen[reference] = line
    email = row["allocated_worker_email"].lower()
    if not email:
        problems.add(
            line,
            "allocated_worker_email",
            "is empty: give the email address of the social worker holding the case",
        )
    elif len(email) > EMAIL_LENGTH:
        problems.add(line, "allocated_worker_email", f"is longer than {EMAIL_LENGTH} characters")
    opened = _date(row, "opened_on", line, today, problems)
    if opened is None and not row["opened_on"]:
        problems.add(line, "opened_on", "is empty: give the day the case opened, like 2026-03-27")
    closed = _date(row, "closed_on", line, today, problems)
    if opened is not None and closed is not None and closed < opened:
        problems.add(
            line,
            "closed_on",
            f"{closed.isoformat()} is before the case opened on {opened.isoformat()}",
        )
    return CaseRow(line, record_id, reference, email, opened, closed)


def _date(
    row: dict[str, str], column: str, line: int, today: date, problems: Problems
) -> date | None:
    value = row[column]
    if not value:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        problems.add(
            line, column, f"{value} is not a real date written YYYY-MM-DD, like 2026-03-27"
        )
        return None
    if day > today:
        problems.add(line, column, f"{value} is in the future: give the day it happened")
        return None
    return day
