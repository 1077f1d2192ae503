"""The agency person extract: its CSV schema, and reading a file of it into checked rows.

Pure: bytes in, rows out, with today's date passed in; nothing here touches the database. Every
row is checked before any is returned, and any problem rejects the whole file (ExtractRejected
lists each, with its line), because an import is all or nothing. docs/people-import.md is the
same schema for the people who write extracts; keep the two in step.
"""

from __future__ import annotations

import csv
import hashlib
import io
import operator
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from joinedup.identifiers import InvalidIdentifier
from joinedup.people import normalise as norm
from joinedup.people.models import (
    ADDRESS_LENGTH,
    NAME_LENGTH,
    OTHER_NAMES_LENGTH,
    REFERENCE_LENGTH,
)


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    # None for a value that is parsed (a date, a code, an identifier): the parse checks it.
    max_length: int | None
    meaning: str
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("record_id", REFERENCE_LENGTH, "the agency's key for the record", required=True),
    Column("source", REFERENCE_LENGTH, "the system or file it came from"),
    Column("given_name", NAME_LENGTH, "given names"),
    Column("family_name", NAME_LENGTH, "family name"),
    Column("other_names", OTHER_NAMES_LENGTH, "former or alternative names"),
    Column("date_of_birth", None, "YYYY-MM-DD"),
    Column("sex", None, "F, M or U"),
    Column("address", ADDRESS_LENGTH, "the address, in one cell"),
    Column("postcode", 16, "a UK postcode"),
    Column("nhs_number", None, "10 digits"),
    Column("upn", None, "Unique Pupil Number"),
    Column("pnc_id", None, "Police National Computer ID, YYYY/NNNNNNNC"),
    Column("local_id", REFERENCE_LENGTH, "the agency's own person number"),
    Column("household_ref", REFERENCE_LENGTH, "the agency's household or family reference"),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
REQUIRED = tuple(column.name for column in COLUMNS if column.required)
# The person fields: what a re-import compares, and what a version keeps. Not source, which
# says where the values came from rather than what they are (a renamed file changes nothing).
PERSON_FIELDS = COLUMN_NAMES[2:]

# Accepted in any case; stored as the letter.
SEXES = {"F": "F", "FEMALE": "F", "M": "M", "MALE": "M", "U": "U", "UNKNOWN": "U"}
PROBLEM_LIMIT = 200
_LIMITS = {column.name: column.max_length for column in COLUMNS if column.max_length is not None}
_UNLIMITED = 1 << 30
_NO_VALUES: dict[str, Any] = dict.fromkeys(COLUMN_NAMES)
_person_fields = operator.itemgetter(*PERSON_FIELDS)
_IDENTIFIERS = (
    ("nhs_number", norm.canonical_nhs_number),
    ("upn", norm.canonical_upn),
    ("pnc_id", norm.canonical_pnc_id),
)


@dataclass(frozen=True, slots=True)
class ExtractProblem:
    """Something wrong in an extract: where (line 1 is the header; None is the whole file)."""

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"line {self.line}" if self.line else "", self.column or ""]
        prefix = ": ".join(part for part in where if part)
        return f"{prefix}: {self.message}" if prefix else self.message


class ExtractRejected(Exception):
    """The extract cannot be imported; nothing was. `problems` lists the first PROBLEM_LIMIT."""

    def __init__(self, problems: list[ExtractProblem], total: int | None = None) -> None:
        self.problems = problems
        self.total = len(problems) if total is None else total
        super().__init__(
            f"{self.total:,} problem{'s' if self.total != 1 else ''} in the extract; "
            "nothing was imported"
        )

    @property
    def unlisted(self) -> int:
        return self.total - len(self.problems)


@dataclass
class _Problems:
    """Problems found so far, keeping the first `limit` and counting the rest."""

    limit: int
    listed: list[ExtractProblem] = field(default_factory=list)
    total: int = 0

    def add(self, line: int | None, column: str | None, message: str) -> None:
        self.total += 1
        if len(self.listed) < self.limit:
            self.listed.append(ExtractProblem(line, column, message))


@dataclass(frozen=True)
class Extract:
    """A checked extract: one dict per row, keyed by AgencyRecord's column names."""

    rows: list[dict[str, Any]]
    # Not reasons to refuse the file: a postcode that is not one is kept as written, unmatched.
    warnings: list[ExtractProblem]
    warnings_total: int


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_extract(
    data: bytes, file_name: str, today: date, *, problem_limit: int = PROBLEM_LIMIT
) -> Extract:
    """Every row of the file, checked and normalised. Raises ExtractRejected listing problems.

    `source` defaults to the file name without its extension; `today` is the local date that
    dates of birth must not be after.
    """
    text = _decode(data, file_name)
    reader = csv.reader(io.StringIO(text, newline=""))
    header_cells = next(reader, None)
    if header_cells is None or not any(cell.strip() for cell in header_cells):
        raise ExtractRejected(
            [ExtractProblem(None, None, f"{file_name} is empty: it needs a header row and rows")]
        )
    names = _header(header_cells)
    width = len(names)
    limits = [_LIMITS.get(name, _UNLIMITED) for name in names]
    problems = _Problems(problem_limit)
    warnings = _Problems(problem_limit)
    default_source = _stem(file_name)
    rows: list[dict[str, Any]] = []
    first_line_of: dict[str, int] = {}
    for line, cells in _records(reader, problems):
        values = list(map(str.strip, cells))
        if not any(values):
            continue  # a blank line, often at the end
        if len(values) != width:
            problems.add(
                line,
                None,
                f"has {len(values)} values but the header has {width} columns: "
                "check for a missing or extra comma, or a value with a comma not in quotes",
            )
            continue
        if any(map(operator.gt, map(len, values), limits)):
            for name, value, limit in zip(names, values, limits, strict=True):
                if len(value) > limit:
                    problems.add(line, name, f"is longer than {limit} characters")
        # Every column, empty cells and absent columns as None.
        row = dict(_NO_VALUES)
        row.update((name, value) for name, value in zip(names, values, strict=True) if value)
        record_id = row["record_id"]
        if record_id is None:
            problems.add(line, "record_id", "is empty: every record needs its record_id")
        elif record_id in first_line_of:
            problems.add(
                line,
                "record_id",
                f"{record_id} is also on line {first_line_of[record_id]}: "
                "each record needs its own record_id",
            )
        else:
            first_line_of[record_id] = line
        if _checked(row, line, default_source, today, problems, warnings):
            rows.append(row)
    if not rows and not problems.total:
        problems.add(None, None, f"{file_name} has a header but no rows")
    if problems.total:
        raise ExtractRejected(problems.listed, problems.total)
    return Extract(rows, warnings.listed, warnings.total)


def _decode(data: bytes, file_name: str) -> str:
    if not data or data.isspace():
        raise ExtractRejected(
            [ExtractProblem(None, None, f"{file_name} is empty: it needs a header row and rows")]
        )
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts the file with a byte order mark.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ExtractRejected(
            [
                ExtractProblem(
                    line,
                    None,
                    f"{file_name} is not UTF-8 (byte 0x{data[error.start]:02X} cannot be read): "
                    "save it as UTF-8 (in Excel, 'CSV UTF-8') and import it again",
                )
            ]
        ) from None


def _header(cells: list[str]) -> list[str]:
    """The column names in file order. Raises ExtractRejected for missing or unknown columns."""
    names = [cell.strip().lower() for cell in cells]
    problems: list[ExtractProblem] = []
    unknown = [name for name in names if name not in COLUMN_NAMES]
    if unknown:
        problems.append(
            ExtractProblem(
                1,
                None,
                f"unknown column{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(repr(n) for n in unknown)}: the columns are "
                f"{', '.join(COLUMN_NAMES)}",
            )
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        problems.append(ExtractProblem(1, None, f"column {', '.join(repeated)} appears twice"))
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        problems.append(
            ExtractProblem(1, None, f"the {', '.join(missing)} column is missing: add it")
        )
    if problems:
        raise ExtractRejected(problems)
    return names


def _records(
    reader: Any, problems: _Problems
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


def _stem(file_name: str) -> str:
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    return (name.rsplit(".", 1)[0] if "." in name else name)[:REFERENCE_LENGTH]


def _checked(
    row: dict[str, Any],
    line: int,
    default_source: str,
    today: date,
    problems: _Problems,
    warnings: _Problems,
) -> bool:
    """Put the row's values in canonical form and add its normal forms, in place.

    False after adding the row's problems (and there may be some from before the call).
    """
    before = problems.total
    row["source"] = row["source"] or default_source
    if row["sex"]:
        sex = SEXES.get(row["sex"].upper())
        if sex is None:
            problems.add(line, "sex", f"{row['sex']!r} is not one of F, M or U (not known)")
        row["sex"] = sex
    for name, parse in _IDENTIFIERS:
        if row[name]:
            try:
                row[name] = parse(row[name])
            except InvalidIdentifier as error:
                problems.add(line, name, str(error))
    born = None
    if row["date_of_birth"]:
        try:
            born = norm.parse_iso_date(row["date_of_birth"])
        except ValueError as error:
            problems.add(line, "date_of_birth", str(error))
        else:
            if born > today:
                problems.add(line, "date_of_birth", f"{born.isoformat()} is in the future")
    if problems.total > before:
        return False

    # Before the date becomes a date: the digest is over text.
    row["fields_sha256"] = fields_sha256(row)
    row["date_of_birth"] = born
    postcode = None
    if row["postcode"]:
        try:
            postcode = norm.parse_postcode(row["postcode"])
        except norm.InvalidPostcode as error:
            warnings.add(line, "postcode", f"{error}; kept as written, not used for matching")
    given = norm.normalise_name(row["given_name"])
    # Folding can lengthen a name (ß is ss); the column is only so long.
    row["given_name_norm"] = _cut(given, NAME_LENGTH)
    row["given_name_canonical"] = _cut(norm.canonical_given_name(given, row["sex"]), NAME_LENGTH)
    row["family_name_norm"] = _cut(norm.normalise_name(row["family_name"]), NAME_LENGTH)
    row["other_names_norm"] = _cut(norm.normalise_name(row["other_names"]), OTHER_NAMES_LENGTH)
    row["postcode_norm"] = postcode.unit if postcode else None
    row["postcode_sector"] = postcode.sector if postcode else None
    row["outward_code"] = postcode.outward if postcode else None
    return True


def _cut(text: str | None, length: int) -> str | None:
    return text[:length] if text else None


def fields_sha256(row: dict[str, Any]) -> str:
    """A digest of the person fields (text or None), to tell a changed record from the same."""
    joined = "\x1f".join([value or "" for value in _person_fields(row)])
    return hashlib.sha256(joined.encode()).hexdigest()
