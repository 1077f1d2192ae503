"""Reads for linkage: agency records as the model compares them, and who is linked to whom."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import RowMapping, func, select
from sqlalchemy.orm import Session

from joinedup.directory.models import Agency
from joinedup.linkage.models import ReviewStatus, ReviewTask
from joinedup.people.models import AgencyRecord

_NORMAL_FORMS = (
    AgencyRecord.id,
    AgencyRecord.master_person_id,
    AgencyRecord.given_name_norm,
    AgencyRecord.given_name_canonical,
    AgencyRecord.family_name_norm,
    AgencyRecord.other_names_norm,
    AgencyRecord.date_of_birth,
    AgencyRecord.postcode_norm,
    AgencyRecord.postcode_sector,
    AgencyRecord.outward_code,
    AgencyRecord.nhs_number,
    AgencyRecord.upn,
)


def records_to_link(session: Session) -> Sequence[RowMapping]:
    """Every agency record's id, master person and normal forms, in id order.

    Records an agency no longer sends are included: they are still about someone.
    """
    return session.execute(select(*_NORMAL_FORMS).order_by(AgencyRecord.id)).mappings().all()


def linked_records(session: Session) -> dict[tuple[str, str], int | None]:
    """(agency code, record_id) -> the master person each agency record is linked to."""
    query = select(Agency.code, AgencyRecord.record_id, AgencyRecord.master_person_id).join(
        Agency, Agency.id == AgencyRecord.agency_id
    )
    return {(code, record_id): person for code, record_id, person in session.execute(query)}


def open_review_tasks(session: Session) -> int:
    """Review tasks waiting for a person: open, or looked at and not yet sure."""
    waiting = [ReviewStatus.OPEN, ReviewStatus.UNSURE]
    query = select(func.count()).select_from(ReviewTask).where(ReviewTask.status.in_(waiting))
    return session.scalar(query) or 0
