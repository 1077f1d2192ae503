"""Reviewers' decisions on both databases: made true at once, kept, honoured by every later run,
and given back as labels. Nothing is ever dropped.

One child's three records (tests/linkage_review_scenario.py) are imported once per process
into a database of each kind; each test decides inside a transaction rolled back afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from joinedup.accounts.queries import actor_for_user
from joinedup.actor import Actor
from joinedup.audit.models import AuditEntry
from joinedup.directory.models import Agency
from joinedup.directory.rules import AgencyKind, Role
from joinedup.linkage.models import (
    MasterPersonMerge,
    RecordPersonChange,
    ReviewDecision,
    ReviewStatus,
    ReviewTask,
)
from joinedup.linkage.review.queries import review_labels, review_queue
from joinedup.linkage.review.rules import ReviewError
from joinedup.linkage.review.services import ReviewNotFound, decide_review
from joinedup.linkage.services import run_linkage, undo_merge
from joinedup.linkage.training import LinkageModel
from joinedup.people.models import AgencyRecord
from tests.conftest import BACKENDS
from tests.factories import ADMIN, create_agency, create_user
from tests.linkage_county import LINKAGE_GROUP, loaded_database, rolled_back
from tests.linkage_review_scenario import (
    ASK_ABOUT_EVERY_PAIR,
    Scenario,
    load_scenario,
    saved_model,
)

pytestmark = [LINKAGE_GROUP, pytest.mark.usefixtures("frozen_clock")]
KINDS = {
    "NOTTS-POLICE": AgencyKind.POLICE,
    "NOTTS-COMMUNITY": AgencyKind.COMMUNITY_HEALTH,
    "ACUTE-TRENT": AgencyKind.ACUTE_TRUST,
    "NCC-CSC": AgencyKind.CHILDRENS_SOCIAL_CARE,
    "NOTTS-MH": AgencyKind.MENTAL_HEALTH,
}


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> LinkageModel:
    return saved_model(tmp_path_factory)


@pytest.fixture(params=BACKENDS)
def hub(request: pytest.FixtureRequest, model: LinkageModel) -> tuple[Engine, Scenario]:
    def load(session: Session) -> Scenario:
        for code, kind in KINDS.items():
            create_agency(session, kind, code=code)
        return load_scenario(session, model)

    return loaded_database(request, "linkage_review", request.param, load)


@pytest.fixture
def db(hub: tuple[Engine, Scenario]) -> Iterator[Session]:
    yield from rolled_back(hub[0])


@pytest.fixture
def scenario(hub: tuple[Engine, Scenario]) -> Scenario:
    return hub[1]


def person(db: Session, role: Role, code: str) -> Actor:
    agency = db.scalars(select(Agency).where(Agency.code == code)).one()
    return actor_for_user(create_user(db, code.title(), roles=(role,), agency=agency))


def answer(db: Session, actor: Actor, task_id: int, outcome: str, reason: str = "Compared") -> None:
    task = db.get(ReviewTask, task_id)
    assert task is not None
    decide_review(db, actor, task_id, outcome, reason, task.updated_at.isoformat())


def person_of(db: Session, record_id: int) -> int | None:
    return db.scalar(select(AgencyRecord.master_person_id).where(AgencyRecord.id == record_id))


def test_managers_review_every_pair_and_practitioners_only_their_agencys(
    db: Session, scenario: Scenario
) -> None:
    manager = person(db, Role.MASH_MANAGER, "NCC-CSC")
    health = person(db, Role.MASH_PRACTITIONER, "NOTTS-COMMUNITY")
    mental_health = person(db, Role.MASH_PRACTITIONER, "NOTTS-MH")
    ig_lead = person(db, Role.IG_LEAD, "NOTTS-POLICE")

    assert review_queue(db, manager).total == 3
    assert {t.id for t in review_queue(db, health).tasks} == {
        scenario.task("POL-1", "COM-1"),
        scenario.task("COM-1", "ACU-1"),
    }
    assert review_queue(db, mental_health).total == 0
    assert review_queue(db, ig_lead).total == 0
    with pytest.raises(ReviewNotFound):
        answer(db, mental_health, scenario.task("POL-1", "COM-1"), "same")


def test_linking_joins_the_two_people_at_once_and_keeps_every_move(
    db: Session, scenario: Scenario
) -> None:
    manager = person(db, Role.MASH_MANAGER, "NCC-CSC")
    police, health = scenario.records["POL-1"], scenario.records["COM-1"]
    before = {police: person_of(db, police), health: person_of(db, health)}

    answer(db, manager, scenario.task("POL-1", "COM-1"), "same", "Same name bar one letter")

    assert person_of(db, police) == person_of(db, health)
    merge = db.scalars(select(MasterPersonMerge)).one()
    assert {merge.master_person_id, merge.into_master_person_id} == set(before.values())
    moved = db.scalars(select(RecordPersonChange).where(RecordPersonChange.merge_id == merge.id))
    assert [(c.from_master_person_id, c.to_master_person_id) for c in moved] == [
        (merge.master_person_id, merge.into_master_person_id)
    ]
    decision = db.scalars(select(ReviewDecision)).one()
    assert (decision.outcome, decision.reason, decision.merge_id) == (
        "same",
        "Same name bar one letter",
        merge.id,
    )
    assert decision.actor_label == manager.label
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == "reviewer:review_task:decided"
    assert db.scalar(select(func.count()).select_from(AgencyRecord)) == 5  # none dropped


def test_not_sure_changes_nothing_and_leaves_the_task_waiting_on_record(
    db: Session, scenario: Scenario
) -> None:
    manager = person(db, Role.MASH_MANAGER, "NCC-CSC")
    task_id = scenario.task("POL-1", "ACU-1")

    answer(db, manager, task_id, "unsure", "Different surname spelling: ask the hospital")

    task = db.get(ReviewTask, task_id)
    assert task is not None and task.status == ReviewStatus.UNSURE
    assert task_id in {t.id for t in review_queue(db, manager).tasks}
    assert person_of(db, scenario.records["POL-1"]) != person_of(db, scenario.records["ACU-1"])
    assert [d.outcome for d in task.decisions] == ["unsure"]


def test_changing_a_link_to_not_the_same_person_gives_the_records_back(
    db: Session, scenario: Scenario
) -> None:
    manager = person(db, Role.MASH_MANAGER, "NCC-CSC")
    task_id = scenario.task("POL-1", "COM-1")
    police, health = scenario.records["POL-1"], scenario.records["COM-1"]
    before = (person_of(db, police), person_of(db, health))
    answer(db, manager, task_id, "same")

    answer(db, manager, task_id, "apart", "The hospital says the birth dates were mixed up")

    assert (person_of(db, police), person_of(db, health)) == before
    merge = db.scalars(select(MasterPersonMerge)).one()
    assert merge.undone_at is not None
    task = db.get(ReviewTask, task_id)
    assert task is not None
    assert [d.outcome for d in task.decisions] == ["same", "apart"]
    assert task.decisions[1].merge_id == merge.id


def test_linking_is_refused_when_it_would_join_records_decided_apart(
    db: Session, scenario: Scenario
) -> None:
    manager = person(db, Role.MASH_MANAGER, "NCC-CSC")
    answer(db, manager, scenario.task("POL-1", "COM-1"), "apart")
    answer(db, manager, scenario.task("COM-1", "ACU-1"), "same")
    merges = db.scalar(select(func.count()).select_from(MasterPersonMerge))

    with pytest.raises(ReviewError, match="decided are different people"):
        answer(db, manager, scenario.task("POL-1", "ACU-1"), "same")

    assert db.scalar(select(func.count()).select_from(MasterPersonMerge)) == merges


def test_a_decision_needs_an_answer_a_reason_and_the_task_as_it_is_now(
    db: Session, scenario: Scenario
) -> None:
    manager = person(db, Role.MASH_MANAGER, "NCC-CSC")
    task_id = scenario.task("POL-1", "COM-1")
    task = db.get(ReviewTask, task_id)
    assert task is not None
    seen = task.updated_at.isoformat()

    with pytest.raises(ReviewError, match="Select whether") as no_answer:
        decide_review(db, manager, task_id, "", "A reason", seen)
    with pytest.raises(ReviewError, match="Enter why") as no_reason:
        decide_review(db, manager, task_id, "same", "   ", seen)
    with pytest.raises(ReviewError, match="changed while you were looking"):
        decide_review(db, manager, task_id, "same", "A reason", "2026-01-01T00:00:00+00:00")

    assert (no_answer.value.field, no_reason.value.field) == ("outcome", "reason")
    assert db.scalar(select(func.count()).select_from(ReviewDecision)) == 0


def test_later_runs_honour_decisions_and_the_decided_pairs_are_labels(
    db: Session, scenario: Scenario, model: LinkageModel
) -> None:
    manager = person(db, Role.MASH_MANAGER, "NCC-CSC")
    answer(db, manager, scenario.task("POL-1", "COM-1"), "same")
    answer(db, manager, scenario.task("POL-1", "ACU-1"), "apart")
    linked = {r: person_of(db, r) for r in scenario.records.values()}

    again = run_linkage(db, ADMIN, model, ASK_ABOUT_EVERY_PAIR)

    assert {r: person_of(db, r) for r in scenario.records.values()} == linked
    assert (again.records_moved, again.merges) == (0, 0)
    labels = {(label.left[1], label.right[1], label.same) for label in review_labels(db)}
    assert labels == {("POL-1", "COM-1", True), ("POL-1", "ACU-1", False)}


def test_undoing_a_reviewers_merge_from_the_command_line_is_in_the_tasks_history(
    db: Session, scenario: Scenario
) -> None:
    manager = person(db, Role.MASH_MANAGER, "NCC-CSC")
    task_id = scenario.task("POL-1", "COM-1")
    answer(db, manager, task_id, "same")
    merge = db.scalars(select(MasterPersonMerge)).one()

    assert undo_merge(db, ADMIN, merge.id) == 1

    task = db.get(ReviewTask, task_id)
    assert task is not None and task.status == ReviewStatus.APART
    assert [(d.outcome, d.actor_label) for d in task.decisions] == [
        ("same", manager.label),
        ("apart", ADMIN.label),
    ]
    assert person_of(db, scenario.records["POL-1"]) != person_of(db, scenario.records["COM-1"])
