"""A reviewer's decision on a review task, made true at once and kept.

- **The same person**: the two master persons become one now, not at the next run: the one
  with fewer records merges into the other (kept in master_person_merges, each record's move
  in record_person_changes, so it can be undone). Refused if it would join records a reviewer
  decided are two people.
- **Not the same person**: they stay apart, and every later run keeps them apart. If this
  task's own earlier decision linked them, that merge is undone (its records go back).
- **Not sure**: nothing changes; the task stays in the queue, with the answer on record.

Every answer is a row of linkage_review_decisions and an entry on the ledger; no agency
record is ever deleted or left without a master person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.linkage.models import MasterPersonMerge, ReviewDecision, ReviewStatus, ReviewTask
from joinedup.linkage.review.rules import Outcome, ReviewError, checked_answer, may_review
from joinedup.linkage.services import LinkageError, move_records, unmerge
from joinedup.people.models import AgencyRecord, MasterPerson


class ReviewNotFound(Exception):
    """No such task, or not one the actor may review: answered like a missing page."""


def decide_review(
    session: Session,
    actor: Actor,
    task_id: int,
    outcome: str,
    reason: str,
    seen: str,
) -> ReviewDecision:
    """Record the actor's answer to the task and make it true; commits once.

    `seen` is the task's `updated_at` (ISO 8601) on the page the reviewer decided from: if
    the task changed since (another reviewer, or a run re-scoring it), nothing is written.
    Raises ReviewNotFound, or ReviewError (with the form field at fault) saying what to do.
    """
    chosen, why = checked_answer(outcome, reason)
    task = session.scalar(select(ReviewTask).where(ReviewTask.id == task_id).with_for_update())
    if task is None:
        raise ReviewNotFound(task_id)
    pair = _records(session, task)
    if not may_review(actor, (r.agency_id for r in pair)):
        raise ReviewNotFound(task_id)
    _check_can_answer(task, chosen, seen)
    now = clock.now()
    merge: MasterPersonMerge | None = None
    if chosen is Outcome.SAME:
        merge = _link(session, actor, task, pair, now)
    elif chosen is Outcome.APART:
        merge = _part(session, actor, task, pair, now)
    task.status = chosen.value
    task.updated_at = now
    if chosen is not Outcome.UNSURE:
        task.decided_at = now
        task.decided_by_label = actor.label
        task.decision_reason = why
    decision = ReviewDecision(
        task=task,
        outcome=chosen.value,
        reason=why,
        match_probability=task.match_probability,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        decided_at=now,
        merge_id=merge.id if merge else None,
    )
    session.add(decision)
    session.flush()
    record(
        session,
        actor,
        "reviewer:review_task:decided",
        "linkage_review_task",
        task.id,
        outcome=chosen.value,
        decision_id=decision.id,
        merge_id=decision.merge_id,
        records=list(task.record_ids),
    )
    session.commit()
    return decision


def _records(session: Session, task: ReviewTask) -> list[AgencyRecord]:
    found = {
        r.id: r
        for r in session.scalars(select(AgencyRecord).where(AgencyRecord.id.in_(task.record_ids)))
    }
    return [found[record_id] for record_id in task.record_ids]


def _check_can_answer(task: ReviewTask, chosen: Outcome, seen: str) -> None:
    if task.updated_at.isoformat() != seen:
        raise ReviewError(
            "This task changed while you were looking at it: someone answered it, or a "
            "linkage run scored it again. Look at it as it is now, then decide."
        )
    if task.status == ReviewStatus.WITHDRAWN:
        raise ReviewError(
            "A later linkage run no longer finds this pair uncertain, so the task was "
            "withdrawn; there is nothing to decide."
        )
    decided = task.status in (ReviewStatus.SAME, ReviewStatus.APART)
    if decided and chosen is Outcome.UNSURE:
        raise ReviewError(
            "This pair is decided already. To change the decision, choose the other answer "
            "and say why."
        )
    if decided and chosen.value == task.status:
        raise ReviewError(f"This pair is already decided as “{chosen.label}”.")


def _link(
    session: Session,
    actor: Actor,
    task: ReviewTask,
    pair: Sequence[AgencyRecord],
    now: dt.datetime,
) -> MasterPersonMerge | None:
    """Join the two records' master persons; the merge, or None if already one person."""
    people = [r.master_person_id for r in pair if r.master_person_id is not None]
    if len(people) < 2:
        raise ReviewError(
            "One of the records has no master person yet. Run the linkage "
            "(`joinedup link run`), then decide."
        )
    if people[0] == people[1]:
        return None  # joined since the task was raised, through other links
    holdings = {
        person: list(
            session.scalars(select(AgencyRecord.id).where(AgencyRecord.master_person_id == person))
        )
        for person in people
    }
    _refuse_if_decided_apart(session, holdings[people[0]], holdings[people[1]])
    # The person with more records stays (the lower id on a tie), as a run would choose.
    keep, away = sorted(people, key=lambda p: (-len(holdings[p]), p))
    merge = MasterPersonMerge(
        run_id=task.run_id, master_person_id=away, into_master_person_id=keep, merged_at=now
    )
    session.add(merge)
    session.flush()
    moves = [(record_id, away, keep) for record_id in holdings[away]]
    # The moves name the run whose task this answers, as a run's own merges name it: that is
    # how undoing the merge finds them (services.unmerge).
    move_records(session, moves, task.run_id, now, {away: merge.id})
    session.execute(update(MasterPerson).where(MasterPerson.id == away).values(merged_into_id=keep))
    return merge


def _refuse_if_decided_apart(session: Session, ours: list[int], theirs: list[int]) -> None:
    across = or_(
        and_(ReviewTask.agency_record_id.in_(ours), ReviewTask.other_agency_record_id.in_(theirs)),
        and_(ReviewTask.agency_record_id.in_(theirs), ReviewTask.other_agency_record_id.in_(ours)),
    )
    conflict = session.scalar(
        select(ReviewTask)
        .where(ReviewTask.status == ReviewStatus.APART, across)
        .order_by(ReviewTask.id)
        .limit(1)
    )
    if conflict is not None:
        raise ReviewError(
            f"Linking them would join records that {conflict.decided_by_label} decided are "
            f"different people (task {conflict.id}). Look at that task first: if it was "
            "wrong, change it there."
        )


def _part(
    session: Session,
    actor: Actor,
    task: ReviewTask,
    pair: Sequence[AgencyRecord],
    now: dt.datetime,
) -> MasterPersonMerge | None:
    """Keep the records apart; undo this task's own link if that is what joined them."""
    people = [r.master_person_id for r in pair]
    if people[0] is None or people[0] != people[1]:
        return None  # apart already: the decision keeps them so
    linked = next(
        (
            d
            for d in reversed(task.decisions)
            if d.outcome == Outcome.SAME and d.merge_id is not None
        ),
        None,
    )
    merge = session.get(MasterPersonMerge, linked.merge_id) if linked and linked.merge_id else None
    if merge is None or merge.undone_at is not None:
        raise _joined_elsewhere()
    try:
        unmerge(session, actor, merge, now)
    except LinkageError as error:
        raise ReviewError(str(error)) from None
    session.flush()
    still = session.scalar(
        select(func.count(func.distinct(AgencyRecord.master_person_id))).where(
            AgencyRecord.id.in_(task.record_ids)
        )
    )
    if still == 1:  # a later run joined them another way too
        session.rollback()
        raise _joined_elsewhere()
    return merge


def _joined_elsewhere() -> ReviewError:
    return ReviewError(
        "These records are one person through other links, not only this task's, so "
        "deciding here cannot part them. Ask your administrator to undo the merge that joined "
        "them (`joinedup link undo-merge`); later runs then keep them apart."
    )
