"""Writing a county to CSV files: the extracts as agencies would send them, and the truth apart.

Layout under the chosen folder (UTF-8, a header row, ISO dates, an empty string for None,
"true"/"false" for booleans, several roles joined with ";"):

- ``extracts/<AGENCY-CODE>.csv``: one per agency, columns in model.EXTRACT_COLUMNS order
- ``truth/records.csv`` (source, record_id, person_id), ``truth/people.csv``,
  ``truth/households.csv``
- ``directory/districts.csv``, ``agencies.csv``, ``teams.csv``, ``professionals.csv``,
  ``demo_sign_ins.csv`` (the emails of the demo sign-ins, in order)
"""

from __future__ import annotations

import csv
import dataclasses
import enum
import operator
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from joinedup.synthetic.model import (
    Agency,
    County,
    District,
    ExtractRecord,
    Household,
    Person,
    Professional,
    Team,
)

# Millions of these are written, and their values are only str, None and date, which the csv
# module already writes as we want: None as an empty string, a date in ISO form.
_PLAIN = frozenset({ExtractRecord, Person, Household})


def write_county(county: County, directory: Path) -> None:
    """Write every file of the county under directory, creating folders; overwrites files."""
    for folder in ("extracts", "truth", "directory"):
        (directory / folder).mkdir(parents=True, exist_ok=True)
    for code, records in county.extracts.items():
        _write_dataclasses(directory / "extracts" / f"{code}.csv", ExtractRecord, records)
    _write(
        directory / "truth" / "records.csv",
        ("source", "record_id", "person_id"),
        (
            (source, record_id, person_id)
            for (source, record_id), person_id in county.truth.record_to_person.items()
        ),
    )
    _write_dataclasses(directory / "truth" / "people.csv", Person, county.people)
    _write_dataclasses(directory / "truth" / "households.csv", Household, county.households)
    _write_dataclasses(directory / "directory" / "districts.csv", District, county.districts)
    _write_dataclasses(directory / "directory" / "agencies.csv", Agency, county.agencies)
    _write_dataclasses(directory / "directory" / "teams.csv", Team, county.teams)
    _write_dataclasses(
        directory / "directory" / "professionals.csv", Professional, county.professionals
    )
    _write(
        directory / "directory" / "demo_sign_ins.csv",
        ("email",),
        ((p.email,) for p in county.demo_sign_ins),
    )


def _write_dataclasses(path: Path, cls: type, items: Sequence[object]) -> None:
    columns = tuple(f.name for f in dataclasses.fields(cls))
    # attrgetter reads a row in C; dataclasses.astuple would deep-copy every value.
    rows: Iterable[Sequence[object]] = map(operator.attrgetter(*columns), items)
    if cls not in _PLAIN:
        rows = ([_cell(value) for value in row] for row in rows)
    _write(path, columns, rows)


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, tuple):
        return ";".join(_cell(part) for part in value)
    return str(value)
