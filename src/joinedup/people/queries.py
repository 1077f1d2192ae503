"""Reads of the master person index, for the hub's own work: imports, linkage, checks.

None of these is for showing a person to anyone: every read of person-level data for display,
export or the API must go through the sharing gate, which decides and audits it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.directory.models import Agency
from joinedup.people.models import AgencyRecord, AgencyRecordVersion, MasterPerson, PersonImport


@dataclass(frozen=True)
class IndexSize:
    records: int
    master_persons: int  # not merged into another


def index_size(session: Session) -> IndexSize:
    """How many agency records and (unmerged) master persons the hub holds."""
    records = session.scalar(select(func.count()).select_from(AgencyRecord)) or 0
    people = (
        session.scalar(
            select(func.count())
            .select_from(MasterPerson)
            .where(MasterPerson.merged_into_id.is_(None))
        )
        or 0
    )
    return IndexSize(records, people)


def agency_record(session: Session, agency_code: str, record_id: str) -> AgencyRecord | None:
    """One agency's record by the agency's own key, or None."""
    return session.scalar(
        select(AgencyRecord)
        .join(Agency, Agency.id == AgencyRecord.agency_id)
        .where(Agency.code == agency_code.strip().upper(), AgencyRecord.record_id == record_id)
    )


def records_of_master_person(session: Session, master_person_id: int) -> list[AgencyRecord]:
    """Every agency record linked to a master person, oldest first."""
    return list(
        session.scalars(
            select(AgencyRecord)
            .where(AgencyRecord.master_person_id == master_person_id)
            .order_by(AgencyRecord.id)
        )
    )


def record_versions(session: Session, agency_record_id: int) -> list[AgencyRecordVersion]:
    """The values a record held before each re-import changed them, oldest first."""
    return list(
        session.scalars(
            select(AgencyRecordVersion)
            .where(AgencyRecordVersion.agency_record_id == agency_record_id)
            .order_by(AgencyRecordVersion.id)
        )
    )


def imports_of(session: Session, agency_code: str) -> list[PersonImport]:
    """An agency's person imports, newest first."""
    return list(
        session.scalars(
            select(PersonImport)
            .join(Agency, Agency.id == PersonImport.agency_id)
            .where(Agency.code == agency_code.strip().upper())
            .order_by(PersonImport.id.desc())
        )
    )


def master_person_by_identifier(
    session: Session, nhs_number: str | None, upn: str | None
) -> int | None:
    """The master person whose records carry this canonical NHS number, else this UPN.

    The exact baseline until the trained matcher lands: None when nothing matches, or when
    the identifier points at more than one person (a conflict for a person to resolve, not
    a guess for the hub to make).
    """
    for column, value in ((AgencyRecord.nhs_number, nhs_number), (AgencyRecord.upn, upn)):
        if not value:
            continue
        found = session.scalars(
            select(AgencyRecord.master_person_id)
            .where(column == value, AgencyRecord.master_person_id.is_not(None))
            .distinct()
            .limit(2)
        ).all()
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None
