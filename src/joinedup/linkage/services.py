"""Every change linkage makes to the master person index: a batch run, and undoing a merge.

A run scores every agency record with the trained model, decides each pair by band with the
guard rails (rules.py), and writes the outcome in one transaction: records that move to
another master person (each move kept in record_person_changes), master persons merged into
others (kept in master_person_merges, and undoable), new master persons, review tasks for the
uncertain and for what a guard rail stopped, and one ledger entry. Nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert, or_, select, update
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.linkage import engine
from joinedup.linkage.batch import BatchResult, link_frame
from joinedup.linkage.models import (
    LinkageRun,
    MasterPersonMerge,
    RecordPersonChange,
    ReviewDecision,
    ReviewStatus,
    ReviewTask,
)
from joinedup.linkage.queries import records_to_link
from joinedup.linkage.rules import Assignment, Review, ReviewReason, assign_people
from joinedup.linkage.settings import LinkageSettings
from joinedup.linkage.spec import PERSON_SPEC, person_frame_row
from joinedup.linkage.training import LinkageModel
from joinedup.people.exact_linking import chunks
from joinedup.people.models import AgencyRecord, MasterPerson

_MASTER_PERSONS = cast(Table, MasterPerson.__table__)


class LinkageError(Exception):
    """A linkage change cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class RunReport:
    run_id: int
    records: int
    batch: BatchResult
    records_moved: int
    merges: int
    new_people: int
    open_review_tasks: int
    people: int


def run_linkage(
    session: Session, actor: Actor, model: LinkageModel, config: LinkageSettings
) -> RunReport:
    """Link every agency record into master persons with the model; commits once.

    Raises batch.BlockingRefused (before anything is written) if the model's blocking rules
    would make more pairs than config.max_comparisons, and LinkageError with no records.
    """
    started = clock.now()
    rows = records_to_link(session)
    if not rows:
        raise LinkageError(
            "There are no agency records to link: import the agencies' extracts first "
            "(`joinedup import people`)."
        )
    current = {row["id"]: row["master_person_id"] for row in rows}
    frame = engine.frame(PERSON_SPEC, (person_frame_row(row["id"], row) for row in rows))
    same, apart = _decided_pairs(session)
    batch = link_frame(frame, model, config, decided_same=same, decided_apart=apart)
    assignment = assign_people(batch.decisions.clusters, current)

    now = clock.now()
    run = LinkageRun(
        started_at=started,
        finished_at=now,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        model_file=model.path.name if model.path else "(not saved)",
        model_trained_at=model.trained_at,
        upper_threshold=config.upper_threshold,
        lower_threshold=config.lower_threshold,
        records=len(rows),
        pairs_scored=batch.pairs_scored,
        linked_pairs=batch.decisions.linked_pairs,
        review_tasks=0,
        records_moved=0,
        merges=len(assignment.merges),
        new_people=assignment.new_people,
        people=len(batch.decisions.clusters),
    )
    session.add(run)
    session.flush()
    moved = _write_people(session, run.id, assignment, current, now)
    run.records_moved = moved
    run.review_tasks = _write_reviews(session, run.id, batch.decisions.reviews, now)
    record(
        session,
        actor,
        "admin:linkage:run",
        "linkage_run",
        run.id,
        model_file=run.model_file,
        records=run.records,
        linked_pairs=run.linked_pairs,
        records_moved=moved,
        merges=run.merges,
        new_people=run.new_people,
        review_tasks=run.review_tasks,
    )
    session.commit()
    return RunReport(
        run_id=run.id,
        records=run.records,
        batch=batch,
        records_moved=moved,
        merges=run.merges,
        new_people=run.new_people,
        open_review_tasks=run.review_tasks,
        people=run.people,
    )


def undo_merge(session: Session, actor: Actor, merge_id: int) -> int:
    """Give a merged master person back the records the merge moved; returns how many.

    The two are then recorded as decided apart, so later runs do not merge them again.
    Raises LinkageError if there is no such merge or it was already undone.
    """
    merge = session.get(MasterPersonMerge, merge_id)
    if merge is None:
        raise LinkageError(f"There is no merge {merge_id}.")
    now = clock.now()
    back = unmerge(session, actor, merge, now)
    kept = session.scalar(
        select(AgencyRecord.id)
        .where(AgencyRecord.master_person_id == merge.into_master_person_id)
        .order_by(AgencyRecord.id)
        .limit(1)
    )
    if back and kept is not None:
        _decide_apart(session, actor, min(back), kept, merge, now)
    record(
        session,
        actor,
        "admin:linkage:merge_undone",
        "master_person_merge",
        merge.id,
        master_person_id=merge.master_person_id,
        into_master_person_id=merge.into_master_person_id,
        records=len(back),
    )
    session.commit()
    return len(back)


def unmerge(
    session: Session, actor: Actor, merge: MasterPersonMerge, now: dt.datetime
) -> list[int]:
    """Move the records the merge moved (and still there) back; returns them. Does not commit.

    Raises LinkageError if the merge was already undone.
    """
    if merge.undone_at is not None:
        raise LinkageError(f"Merge {merge.id} was already undone on {merge.undone_at:%d %B %Y}.")
    moved_by_merge = session.scalars(
        select(RecordPersonChange.agency_record_id).where(
            RecordPersonChange.merge_id == merge.id, RecordPersonChange.run_id == merge.run_id
        )
    ).all()
    back = list(
        session.scalars(
            select(AgencyRecord.id).where(
                AgencyRecord.id.in_(moved_by_merge),
                AgencyRecord.master_person_id == merge.into_master_person_id,
            )
        )
    )
    moves = [(record_id, merge.into_master_person_id, merge.master_person_id) for record_id in back]
    move_records(session, moves, None, now, {merge.into_master_person_id: merge.id})
    session.execute(
        update(MasterPerson)
        .where(MasterPerson.id == merge.master_person_id)
        .values(merged_into_id=None)
    )
    merge.undone_at = now
    merge.undone_by_label = actor.label
    return back


def _decided_pairs(session: Session) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    decided = session.execute(
        select(
            ReviewTask.agency_record_id, ReviewTask.other_agency_record_id, ReviewTask.status
        ).where(ReviewTask.status.in_([ReviewStatus.SAME, ReviewStatus.APART]))
    ).all()
    same = [(a, b) for a, b, status in decided if status == ReviewStatus.SAME]
    apart = [(a, b) for a, b, status in decided if status == ReviewStatus.APART]
    return same, apart


def _write_people(
    session: Session,
    run_id: int,
    assignment: Assignment,
    current: dict[int, int | None],
    now: dt.datetime,
) -> int:
    """Create the new master persons, record the merges and move the records; returns moves."""
    person_of = dict(assignment.person_of)
    if assignment.new_people:
        ids = session.scalars(
            insert(_MASTER_PERSONS).returning(_MASTER_PERSONS.c.id),
            [{"created_at": now}] * assignment.new_people,
        ).all()
        for record_id, person in person_of.items():
            if person < 0:
                person_of[record_id] = ids[-person - 1]
    merge_of: dict[int, int] = {}
    if assignment.merges:
        # In bulk: a run over a freshly imported county merges tens of thousands.
        session.execute(
            insert(MasterPersonMerge),
            [
                {"run_id": run_id, "master_person_id": m, "into_master_person_id": i}
                | {"merged_at": now}
                for m, i in assignment.merges
            ],
        )
        merge_of = {
            merged: merge_id
            for merged, merge_id in session.execute(
                select(MasterPersonMerge.master_person_id, MasterPersonMerge.id).where(
                    MasterPersonMerge.run_id == run_id
                )
            )
        }
        session.execute(
            update(MasterPerson),
            [{"id": merged, "merged_into_id": into} for merged, into in assignment.merges],
        )
    moves = [
        (record_id, current[record_id], person)
        for record_id, person in person_of.items()
        if current[record_id] != person
    ]
    move_records(session, moves, run_id, now, merge_of)
    return len(moves)


def move_records(
    session: Session,
    moves: Sequence[tuple[int, int | None, int]],
    run_id: int | None,
    now: dt.datetime,
    merge_of: dict[int, int],
) -> None:
    """Point each record (record, from, to) at its new master person, and keep the move."""
    if not moves:
        return
    session.execute(
        update(AgencyRecord),
        [{"id": record_id, "master_person_id": new} for record_id, _, new in moves],
    )
    history: list[dict[str, Any]] = [
        {
            "agency_record_id": record_id,
            "from_master_person_id": old,
            "to_master_person_id": new,
            "run_id": run_id,
            "merge_id": merge_of.get(old) if old is not None else None,
            "changed_at": now,
        }
        for record_id, old, new in moves
    ]
    session.execute(insert(RecordPersonChange), history)


def _write_reviews(session: Session, run_id: int, reviews: list[Review], now: dt.datetime) -> int:
    """Raise or refresh a task for each review; withdraw open ones no longer raised.

    Returns the open tasks after the run. Decided tasks are never touched: the decisions
    were honoured by the run, so their pairs are not among the reviews.
    """
    waiting = {
        (task.agency_record_id, task.other_agency_record_id): task
        for task in session.scalars(
            select(ReviewTask).where(
                or_(
                    ReviewTask.status == ReviewStatus.OPEN, ReviewTask.status == ReviewStatus.UNSURE
                )
            )
        )
    }
    wanted = {(review.pair.left, review.pair.right): review for review in reviews}
    known = _tasks_for(session, [key for key in wanted if key not in waiting])
    for key, review in wanted.items():
        task = waiting.pop(key, None) or known.get(key)
        values = {
            "run_id": run_id,
            "match_weight": review.pair.match_weight,
            "match_probability": review.pair.match_probability,
            "reason": str(review.reason),
            "updated_at": now,
        }
        if task is None:
            session.add(
                ReviewTask(
                    agency_record_id=key[0],
                    other_agency_record_id=key[1],
                    status=ReviewStatus.OPEN,
                    created_at=now,
                    **values,
                )
            )
            continue
        for name, value in values.items():
            setattr(task, name, value)
        if task.status == ReviewStatus.WITHDRAWN:
            task.status = ReviewStatus.OPEN
    for task in waiting.values():  # open before, and no longer uncertain
        task.status = ReviewStatus.WITHDRAWN
        task.run_id = run_id
        task.updated_at = now
    session.flush()
    return len(wanted)


def _tasks_for(session: Session, keys: list[tuple[int, int]]) -> dict[tuple[int, int], ReviewTask]:
    found: dict[tuple[int, int], ReviewTask] = {}
    for chunk in chunks(sorted({left for left, _ in keys})):
        for task in session.scalars(
            select(ReviewTask).where(ReviewTask.agency_record_id.in_(chunk))
        ):
            found[(task.agency_record_id, task.other_agency_record_id)] = task
    return found


def _decide_apart(
    session: Session, actor: Actor, a: int, b: int, merge: MasterPersonMerge, now: dt.datetime
) -> None:
    left, right = min(a, b), max(a, b)
    task = session.scalar(
        select(ReviewTask).where(
            ReviewTask.agency_record_id == left, ReviewTask.other_agency_record_id == right
        )
    )
    if task is None:
        task = ReviewTask(
            agency_record_id=left,
            other_agency_record_id=right,
            run_id=merge.run_id,
            match_weight=0.0,
            match_probability=0.0,
            reason=ReviewReason.MERGE_UNDONE,
            created_at=now,
        )
        session.add(task)
    reason = f"Merge {merge.id}, which joined them, was undone."
    task.status = ReviewStatus.APART
    task.updated_at = now
    task.decided_at = now
    task.decided_by_label = actor.label
    task.decision_reason = reason
    session.add(
        ReviewDecision(
            task=task,
            outcome=ReviewStatus.APART,
            reason=reason,
            match_probability=task.match_probability,
            actor_user_id=actor.user_id,
            actor_label=actor.label,
            decided_at=now,
            merge_id=merge.id,
        )
    )
