"""The contacts CSV file: its columns, and reading a file of it into contacts to take in.

Pure: bytes in, rows out, with the practice and today's date passed in; nothing here touches
the database. Every row is read and checked by rules.check_contact, as the form and the API
are, and each problem is kept with its line and column, so that the import can refuse the
whole file with all of them listed. docs/front-door.md ("Contacts from a CSV file") is the
same schema for the people who write these files: keep the two in step.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import (
    Consent,
    ConsentNotSoughtReason,
    InvalidContact,
    PersonKind,
    SubjectRole,
    Urgency,
    check_contact,
)
from joinedup.frontdoor.schemas import ContactIn, SubjectIn

# With "csv:", the agency's code (40) and a colon, a key fits the contacts' 100 characters.
CONTACT_ID_LENGTH = 50
EMAIL_LENGTH = 254
HOUSEHOLD_MEMBERS = 3
PROBLEM_LIMIT = 200
PERSON_COLUMNS = (
    "kind",
    "given_name",
    "family_name",
    "date_of_birth",
    "due_date",
    "nhs_number",
    "upn",
    "address",
    "postcode",
)
HOUSEHOLD_PREFIXES = tuple(f"household_{n}_" for n in range(1, HOUSEHOLD_MEMBERS + 1))
COLUMNS = (
    "contact_id",
    "referrer_email",
    *(f"subject_{name}" for name in PERSON_COLUMNS),
    *(
        f"{prefix}{name}"
        for prefix in HOUSEHOLD_PREFIXES
        for name in (*PERSON_COLUMNS, "relationship")
    ),
    "concern_categories",
    "what_happened",
    "urgency",
    "consent",
    "consent_not_sought_reason",
)
REQUIRED = (
    "contact_id",
    "referrer_email",
    "subject_kind",
    "concern_categories",
    "what_happened",
    "urgency",
    "consent",
)
_Choice = TypeVar("_Choice", Urgency, Consent, ConsentNotSoughtReason, PersonKind)
_CONTACT_ID = re.compile(rf"[\x21-\x7e]{{1,{CONTACT_ID_LENGTH}}}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Something wrong in the file: where (line 1 is the header; None is the whole file)."""

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"line {self.line}" if self.line else "", self.column or ""]
        prefix = ": ".join(part for part in where if part)
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass
class Problems:
    """Problems found so far, keeping the first `limit` and counting the rest."""

    limit: int = PROBLEM_LIMIT
    listed: list[RowProblem] = field(default_factory=list)
    total: int = 0

    def add(self, line: int | None, column: str | None, message: str) -> None:
        self.total += 1
        if len(self.listed) < self.limit:
            self.listed.append(RowProblem(line, column, message))


class ContactsRejected(Exception):
    """The file cannot be imported, and nothing was. `problems` lists the first PROBLEM_LIMIT."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems.listed
        self.total = problems.total
        super().__init__(
            f"{self.total:,} problem{'s' if self.total != 1 else ''} in the file; "
            "nothing was imported"
        )

    @property
    def unlisted(self) -> int:
        return self.total - len(self.problems)


@dataclass(frozen=True)
class ContactRow:
    """One row: the sender's id for it, who raised it, and the contact (None if it has
    problems of its own, which are in the Problems)."""

    line: int
    contact_id: str
    referrer_email: str
    contact: ContactIn | None


def read_contacts(
    data: bytes, file_name: str, practice: Practice, today: date, problems: Problems
) -> list[ContactRow]:
    """Every row of the file, each contact checked by rules.check_contact; problems go into
    `problems` with their line and column. Rows come back even when they have problems, so
    that the caller can check their referrers too and list everything wrong at once."""
    rows = []
    seen: dict[str, int] = {}
    for line, row in read_rows(data, file_name, "contacts", COLUMNS, REQUIRED, problems):
        contact_id = _contact_id(row["contact_id"], line, seen, problems)
        email = row["referrer_email"].lower()
        if not email:
            problems.add(
                line, "referrer_email", "is empty: give the email address of who raised it"
            )
        elif len(email) > EMAIL_LENGTH:
            problems.add(line, "referrer_email", f"is longer than {EMAIL_LENGTH} characters")
        rows.append(
            ContactRow(line, contact_id, email, _contact(row, line, practice, today, problems))
        )
    return rows


def read_rows(
    data: bytes,
    file_name: str,
    kind: str,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    problems: Problems,
) -> list[tuple[int, dict[str, str]]]:
    """(line, every column's value, "" where not given) for each row of a `kind` file (the
    contacts or the cases file) whose header and shape are right; what is wrong with the
    encoding, the header or a row's number of values goes into `problems`."""
    text = decode_csv(data, file_name, problems)
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        problems.add(None, None, f"{file_name} is empty: it needs a header row and rows")
        return []
    names = _header(header, kind, columns, required, problems)
    if names is None:
        return []
    rows = []
    for line, cells in csv_records(reader, problems):
        values = [cell.strip() for cell in cells]
        if not any(values):
            continue  # a blank line, often at the end
        if len(values) != len(names):
            problems.add(
                line,
                None,
                f"has {len(values)} values but the header has {len(names)} columns: check for "
                "a missing or extra comma, or a value with a comma not in quotes",
            )
            continue
        rows.append((line, dict.fromkeys(columns, "") | dict(zip(names, values, strict=True))))
    if not rows and not problems.total:
        problems.add(None, None, f"{file_name} has a header but no rows")
    return rows


def decode_csv(data: bytes, file_name: str, problems: Problems) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.add(
            line,
            None,
            f"{file_name} is not UTF-8 text: save it as CSV UTF-8 and import it again",
        )
        return None


def _header(
    cells: list[str],
    kind: str,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    problems: Problems,
) -> list[str] | None:
    names = [cell.strip().lower() for cell in cells]
    for name in names:
        if name not in columns:
            problems.add(1, name, f"is not a column of a {kind} file: check its spelling")
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.add(1, name, "is in the header twice")
    for name in required:
        if name not in names:
            problems.add(1, name, f"is missing: every {kind} file has this column")
    return None if problems.total else names


def csv_records(
    reader: Any, problems: Problems
) -> Iterator[tuple[int, list[str]]]:  # reader: the csv module's reader has no public type
    """(first line, cells) for each record; a value in quotes may run over several lines."""
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.add(line, None, f"cannot be read as CSV ({error})")
            return
        yield line, cells
        line = reader.line_num + 1


def _contact_id(value: str, line: int, seen: dict[str, int], problems: Problems) -> str:
    if not value:
        problems.add(line, "contact_id", "is empty: every row needs the sender's id for it")
    elif not _CONTACT_ID.fullmatch(value):
        problems.add(
            line,
            "contact_id",
            f"must be 1 to {CONTACT_ID_LENGTH} letters, digits or punctuation, without spaces",
        )
    elif value in seen:
        problems.add(
            line,
            "contact_id",
            f"{value} is also on line {seen[value]}: each contact needs its own contact_id",
        )
    else:
        seen[value] = line
    return value


def _contact(
    row: dict[str, str], line: int, practice: Practice, today: date, problems: Problems
) -> ContactIn | None:
    """The row's contact, checked by rules.check_contact; None if anything is wrong with it."""
    before = problems.total
    # The columns of each person named, in the order check_contact numbers them.
    prefixes = ["subject_"] + [p for p in HOUSEHOLD_PREFIXES if _anything_in(row, p)]
    people = [_person(row, prefix, line, problems) for prefix in prefixes]
    urgency = _choice(row, "urgency", Urgency, line, problems, required=True)
    consent = _choice(row, "consent", Consent, line, problems, required=True)
    reason = _choice(row, "consent_not_sought_reason", ConsentNotSoughtReason, line, problems)
    if problems.total > before or urgency is None or consent is None:
        return None
    contact = ContactIn.model_construct(
        subjects=[person for person in people if person is not None],
        concern_categories=[c for c in row["concern_categories"].split(";") if c.strip()],
        what_happened=row["what_happened"],
        urgency=urgency,
        consent=consent,
        consent_not_sought_reason=reason,
    )
    try:
        check_contact(contact, practice, today)
    except InvalidContact as invalid:
        for problem in invalid.problems:
            problems.add(line, _column(problem.field, prefixes), problem.message)
        return None
    return contact


def _anything_in(row: dict[str, str], prefix: str) -> bool:
    return any(row[f"{prefix}{name}"] for name in (*PERSON_COLUMNS, "relationship"))


def _person(row: dict[str, str], prefix: str, line: int, problems: Problems) -> SubjectIn | None:
    household = prefix != "subject_"

    def cell(name: str) -> str | None:
        return row[f"{prefix}{name}"] or None

    kind = _choice(row, f"{prefix}kind", PersonKind, line, problems, required=True)
    date_of_birth = _date(row, f"{prefix}date_of_birth", line, problems)
    due_date = _date(row, f"{prefix}due_date", line, problems)
    if kind is None:
        return None
    return SubjectIn.model_construct(
        role=SubjectRole.HOUSEHOLD_MEMBER if household else SubjectRole.SUBJECT,
        kind=kind,
        given_name=cell("given_name"),
        family_name=cell("family_name"),
        date_of_birth=date_of_birth,
        due_date=due_date,
        nhs_number=cell("nhs_number"),
        upn=cell("upn"),
        address=cell("address"),
        postcode=cell("postcode"),
        relationship=cell("relationship") if household else None,
    )


def _choice(
    row: dict[str, str],
    column: str,
    choices: type[_Choice],
    line: int,
    problems: Problems,
    required: bool = False,
) -> _Choice | None:
    value = row[column].lower()
    if not value:
        if required:
            allowed = [choice.value for choice in choices]
            problems.add(line, column, f"is empty: give {', '.join(allowed[:-1])} or {allowed[-1]}")
        return None
    try:
        return choices(value)
    except ValueError:
        allowed = [choice.value for choice in choices]
        problems.add(
            line, column, f"{row[column]} is not one of {', '.join(allowed[:-1])} or {allowed[-1]}"
        )
        return None


def _date(row: dict[str, str], column: str, line: int, problems: Problems) -> date | None:
    value = row[column]
    if not value:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        problems.add(
            line, column, f"{value} is not a real date written YYYY-MM-DD, like 2015-03-27"
        )
        return None


def _column(field_name: str, prefixes: list[str]) -> str:
    """The column a check_contact field came from: `subjects[1].nhs_number` is the NHS number
    of the first household member the row names."""
    match = re.fullmatch(r"subjects\[(\d+)\]\.(\w+)", field_name)
    if match is not None:
        return f"{prefixes[int(match[1])]}{match[2]}"
    return "subject_kind" if field_name == "subjects" else field_name
