"""Batch runs over a small synthetic county: links by band into master persons, on both databases.

The county and its model are made once per process (tests/linkage_county.py), and its
extracts imported once per process into a database of each kind; each test runs the real
service inside a transaction rolled back afterwards, so every test starts from the freshly
imported county.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.audit.models import AuditEntry
from joinedup.linkage.batch import BlockingRefused, check_blocking
from joinedup.linkage.evaluation import evaluate
from joinedup.linkage.models import MasterPersonMerge, RecordPersonChange, ReviewTask
from joinedup.linkage.queries import linked_records
from joinedup.linkage.services import run_linkage, undo_merge
from joinedup.linkage.spec import PERSON_SPEC
from joinedup.linkage.training import LinkageModel
from joinedup.people.models import AgencyRecord, MasterPerson
from joinedup.synthetic import County
from tests.conftest import BACKENDS
from tests.factories import ADMIN
from tests.linkage_county import (
    CONFIG,
    LINKAGE_GROUP,
    TrainedCounty,
    import_county,
    loaded_database,
    rolled_back,
    trained_county,
)

pytestmark = LINKAGE_GROUP


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> TrainedCounty:
    return trained_county(tmp_path_factory)


@pytest.fixture(scope="module")
def model(trained: TrainedCounty) -> LinkageModel:
    return trained.model


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, trained: TrainedCounty) -> Iterator[Session]:
    """Each database in turn, holding the imported county; rolled back after each test."""
    database, _ = loaded_database(
        request, "linkage_runs", request.param, lambda session: import_county(session, trained)
    )
    yield from rolled_back(database)


@pytest.fixture
def county_db(trained: TrainedCounty) -> County:
    return trained.county


def test_a_run_links_the_countys_records_into_people_and_a_second_run_changes_nothing(
    db: Session, county_db: County, model: LinkageModel
) -> None:
    report = run_linkage(db, ADMIN, model, CONFIG)

    linked = linked_records(db)
    result = evaluate(linked, county_db.truth.record_to_person)
    assert result.precision >= 0.995, result
    assert result.recall >= 0.97, result
    assert report.records == sum(len(r) for r in county_db.extracts.values())
    # Every record still has a master person, and none points at one merged away.
    merged_away = select(MasterPerson.id).where(MasterPerson.merged_into_id.is_not(None))
    assert not db.scalar(
        select(func.count())
        .select_from(AgencyRecord)
        .where(
            AgencyRecord.master_person_id.is_(None) | AgencyRecord.master_person_id.in_(merged_away)
        )
    )
    # Each move is kept, and the run is on the ledger.
    changes = db.scalar(select(func.count()).select_from(RecordPersonChange))
    assert changes == report.records_moved > 0
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == "admin:linkage:run"

    again = run_linkage(db, ADMIN, model, CONFIG)

    assert linked_records(db) == linked
    assert (again.records_moved, again.merges, again.new_people) == (0, 0, 0)
    assert again.open_review_tasks == report.open_review_tasks


def test_undoing_a_merge_gives_the_records_back_and_later_runs_keep_them_apart(
    db: Session, county_db: County, model: LinkageModel
) -> None:
    run_linkage(db, ADMIN, model, CONFIG)
    merge = db.scalars(select(MasterPersonMerge).order_by(MasterPersonMerge.id)).first()
    assert merge is not None
    held_before = set(
        db.scalars(
            select(RecordPersonChange.agency_record_id).where(
                RecordPersonChange.merge_id == merge.id
            )
        )
    )

    moved = undo_merge(db, ADMIN, merge.id)
    again = run_linkage(db, ADMIN, model, CONFIG)

    assert moved == len(held_before) > 0
    back = set(
        db.scalars(
            select(AgencyRecord.id).where(AgencyRecord.master_person_id == merge.master_person_id)
        )
    )
    assert back == held_before
    assert db.get(MasterPerson, merge.master_person_id).merged_into_id is None  # type: ignore[union-attr]
    assert again.merges == 0
    apart = db.scalars(select(ReviewTask).where(ReviewTask.status == "apart")).one()
    assert apart.decided_by_label == ADMIN.label


def test_blocking_rules_that_would_explode_are_refused_naming_the_rule(
    trained: TrainedCounty,
) -> None:
    frame = trained.frame

    with pytest.raises(BlockingRefused, match="'outward_code' alone makes about"):
        check_blocking(frame, (("nhs_number",), ("outward_code",)), limit=5_000)
    assert sum(check_blocking(frame, PERSON_SPEC.blocking_rules, limit=5_000)) < 2_000
