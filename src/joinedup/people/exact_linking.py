"""The deterministic baseline linker: records join a master person on an exact identifier.

This is a stand-in until the probabilistic linker (people/linkage, a trained Splink model) lands
and replaces it. It joins a new record to the master person that already has a record with the
same NHS number; failing that, the same UPN, as long as that person has no different NHS
number; failing both, the record becomes a new master person. So two records with different
valid NHS numbers are never joined, and a record with neither identifier is never joined to
anyone (names and dates of birth are the probabilistic linker's job).

It assumes every record points at a master person that has not been merged away (the merge
step, when it comes, must repoint records and keep the old pointer in its history); records
that point at a merged one are ignored here, which errs towards a duplicate person, never
towards joining two people.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from joinedup.people.models import AgencyRecord, MasterPerson

_MASTER_PERSONS = cast(Table, MasterPerson.__table__)
# Bound parameters per IN list: well inside SQLite's and PostgreSQL's limits.
CHUNK = 1000
_T = TypeVar("_T")


@dataclass(frozen=True)
class ExactLinks:
    joined_known: int  # records joined to a master person the hub already knew
    new_people: int  # master persons created


def link_new_records(
    session: Session, rows: Sequence[dict[str, Any]], now: dt.datetime
) -> ExactLinks:
    """Set each row's "master_person_id", creating master persons as needed; the caller commits.

    Rows are AgencyRecord column dicts not yet written, with canonical nhs_number and upn.
    Rows in the same batch join each other by the same rules, in file order.
    """
    by_nhs = _owners(session, AgencyRecord.nhs_number, {r["nhs_number"] for r in rows})
    by_upn = _owners(session, AgencyRecord.upn, {r["upn"] for r in rows})
    nhs_of = _nhs_numbers_of(session, set(by_upn.values()))
    # New master persons get negative stand-in ids until they are written.
    stand_ins = itertools.count(-1, -1)
    joined_known = 0
    for row in rows:
        nhs, upn = row["nhs_number"], row["upn"]
        person = by_nhs.get(nhs) if nhs else None
        if person is None and upn and upn in by_upn:
            candidate = by_upn[upn]
            if nhs is None or nhs_of.get(candidate, set()) <= {nhs}:
                person = candidate
        if person is None:
            person = next(stand_ins)
        elif person > 0:
            joined_known += 1
        row["master_person_id"] = person
        if nhs:
            by_nhs.setdefault(nhs, person)
            nhs_of.setdefault(person, set()).add(nhs)
        if upn:
            by_upn.setdefault(upn, person)

    new_people = -next(stand_ins) - 1
    if new_people:
        # In any order: the new master persons are alike until records point at them, so any
        # id will do for any stand-in (and asking for parameter order would cost SQLite a
        # statement per row).
        ids = session.scalars(
            insert(_MASTER_PERSONS).returning(_MASTER_PERSONS.c.id),
            [{"created_at": now}] * new_people,
        ).all()
        for row in rows:
            if row["master_person_id"] < 0:
                row["master_person_id"] = ids[-row["master_person_id"] - 1]
    return ExactLinks(joined_known, new_people)


def _owners(
    session: Session, column: InstrumentedAttribute[str | None], values: set[str | None]
) -> dict[str, int]:
    """value -> the master person whose records carry it (the lowest id, should there be two)."""
    found: dict[str, int] = {}
    for chunk in chunks(sorted(v for v in values if v)):
        query = (
            select(column, MasterPerson.id)
            .join(MasterPerson, MasterPerson.id == AgencyRecord.master_person_id)
            .where(column.in_(chunk), MasterPerson.merged_into_id.is_(None))
        )
        for value, person in session.execute(query):
            if value is not None and (value not in found or person < found[value]):
                found[value] = person
    return found


def _nhs_numbers_of(session: Session, people: set[int]) -> dict[int, set[str]]:
    numbers: dict[int, set[str]] = {}
    for chunk in chunks(sorted(people)):
        query = (
            select(AgencyRecord.master_person_id, AgencyRecord.nhs_number)
            .where(AgencyRecord.master_person_id.in_(chunk), AgencyRecord.nhs_number.is_not(None))
            .distinct()
        )
        for person, nhs in session.execute(query):
            if person is not None and nhs is not None:  # always so: the query says; mypy cannot
                numbers.setdefault(person, set()).add(nhs)
    return numbers


def chunks(items: Iterable[_T]) -> Iterator[list[_T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        yield chunk
