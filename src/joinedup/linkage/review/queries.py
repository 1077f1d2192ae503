"""Reads for the review queue: the tasks a reviewer may decide, one task, why the model
scored it so, and the decided pairs as labels.

None of these reads a person's details for display: the queue shows tasks by number, when they
were raised and the answers so far, and a task's two records, and how much of its score a
reader may see, are for the sharing gate to decide (web.routes.identities).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from joinedup.actor import Actor
from joinedup.directory.models import Agency
from joinedup.directory.rules import Role
from joinedup.linkage import model_file
from joinedup.linkage.models import LinkageRun, ReviewStatus, ReviewTask
from joinedup.linkage.online import Candidate, PairScorer, TermFrequency
from joinedup.linkage.review.rules import may_review
from joinedup.linkage.spec import PERSON_SPEC, person_frame_row
from joinedup.people.models import AgencyRecord

WAITING = (ReviewStatus.OPEN, ReviewStatus.UNSURE)
DECIDED = (ReviewStatus.SAME, ReviewStatus.APART)


@dataclass(frozen=True)
class Queue:
    tasks: list[ReviewTask]  # oldest first, at most the limit asked for
    total: int  # every waiting task the reviewer may decide


def review_queue(session: Session, actor: Actor, limit: int = 50) -> Queue:
    """The waiting tasks (open, or not sure) the actor may decide, oldest first."""
    if not actor.has(Role.MASH_MANAGER) and not actor.has(Role.MASH_PRACTITIONER):
        return Queue([], 0)
    left, right = aliased(AgencyRecord), aliased(AgencyRecord)
    query = (
        select(ReviewTask)
        .join(left, left.id == ReviewTask.agency_record_id)
        .join(right, right.id == ReviewTask.other_agency_record_id)
        .where(ReviewTask.status.in_(WAITING))
    )
    if not actor.has(Role.MASH_MANAGER):
        query = query.where(
            or_(left.agency_id == actor.agency_id, right.agency_id == actor.agency_id)
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    tasks = session.scalars(
        query.options(selectinload(ReviewTask.decisions))
        .order_by(ReviewTask.created_at, ReviewTask.id)
        .limit(limit)
    ).all()
    return Queue(list(tasks), total)


def task_for(session: Session, actor: Actor, task_id: int) -> ReviewTask | None:
    """The task if the actor may review it, with its records and decisions; else None."""
    task = session.scalar(
        select(ReviewTask)
        .where(ReviewTask.id == task_id)
        .options(
            selectinload(ReviewTask.agency_record),
            selectinload(ReviewTask.other_agency_record),
            selectinload(ReviewTask.decisions),
        )
    )
    if task is None:
        return None
    agencies = (task.agency_record.agency_id, task.other_agency_record.agency_id)
    return task if may_review(actor, agencies) else None


# --- Why the model scored the pair so ------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    model_file: str  # the model the weights are from
    of_run: bool  # whether that is the model of the run that raised the task
    scored: Candidate  # every comparison's level and weight, the prior first


def explain(session: Session, data_dir: Path, task: ReviewTask) -> Explanation | None:
    """Each comparison's part in the pair's match weight, by the model of the run that raised
    the task (or the newest, if that file is gone); None when no model file is found.

    Term frequencies are the hub's records' now, so a weight can differ a little from the
    run's when extracts have changed since.
    """
    folder = model_file.model_folder(data_dir)
    named = session.scalar(select(LinkageRun.model_file).where(LinkageRun.id == task.run_id))
    of_run = bool(named) and (folder / str(named)).is_file()
    try:
        path = folder / str(named) if of_run else model_file.latest(folder, PERSON_SPEC)
        scorer = _scorer(path, path.stat().st_mtime_ns)
    except (model_file.ModelFileError, OSError):
        return None
    left, right = _frame_row(task.agency_record), _frame_row(task.other_agency_record)
    scored = scorer.score(left, right, _frequencies(session))
    return Explanation(path.name, of_run, scored)


@functools.lru_cache(maxsize=4)
def _scorer(path: Path, _mtime_ns: int) -> PairScorer:
    """A model file read once (per version of it on disk): reading one takes a while."""
    return PairScorer(model_file.load(path, PERSON_SPEC))


def _frame_row(record: AgencyRecord) -> dict[str, Any]:
    normal = {
        name: getattr(record, name)
        for name in (
            "given_name_norm",
            "given_name_canonical",
            "family_name_norm",
            "other_names_norm",
            "date_of_birth",
            "postcode_norm",
            "postcode_sector",
            "outward_code",
            "nhs_number",
            "upn",
        )
    }
    return person_frame_row(record.id, normal) | {"master_person_id": record.master_person_id}


def _frequencies(session: Session) -> TermFrequency:
    """How common a value is among every agency record, as Splink counts it for the frame."""
    columns = {
        "first_name": AgencyRecord.given_name_norm,
        "family_name": AgencyRecord.family_name_norm,
        "postcode": AgencyRecord.postcode_norm,
    }

    def frequency(column: str, value: Any) -> float:
        stored = columns[column]
        if column == "first_name":  # the first of the given names
            matching = or_(stored == value, stored.startswith(f"{value} ", autoescape=True))
        else:
            matching = stored == value
        counts = session.execute(
            select(func.count(stored), func.count().filter(matching)).where(stored.is_not(None))
        ).one()
        return counts[1] / counts[0] if counts[0] else 0.0

    return frequency


# --- Decided pairs as labels -----------------------------------------------------------------


@dataclass(frozen=True)
class ReviewLabel:
    """A pair a reviewer decided: the two records by (agency code, record_id), and the answer."""

    left: tuple[str, str]
    right: tuple[str, str]
    same: bool
    decided_by: str
    decided_at: str  # ISO 8601


def review_labels(session: Session) -> Sequence[ReviewLabel]:
    """Every pair decided the same person or not, by task number."""
    left, right = aliased(AgencyRecord), aliased(AgencyRecord)
    left_agency, right_agency = aliased(Agency), aliased(Agency)
    rows = session.execute(
        select(
            left_agency.code,
            left.record_id,
            right_agency.code,
            right.record_id,
            ReviewTask.status,
            ReviewTask.decided_by_label,
            ReviewTask.decided_at,
        )
        .join(left, left.id == ReviewTask.agency_record_id)
        .join(right, right.id == ReviewTask.other_agency_record_id)
        .join(left_agency, left_agency.id == left.agency_id)
        .join(right_agency, right_agency.id == right.agency_id)
        .where(ReviewTask.status.in_(DECIDED))
        .order_by(ReviewTask.id)
    )
    return [
        ReviewLabel(
            (left_code, left_record),
            (right_code, right_record),
            status == ReviewStatus.SAME,
            by or "",
            at.isoformat() if at else "",
        )
        for left_code, left_record, right_code, right_record, status, by, at in rows
    ]
