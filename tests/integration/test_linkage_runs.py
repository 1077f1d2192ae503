"""Batch runs over a small synthetic county: links by band into master persons, on both databases.

The model is trained once for the module (training reads no database); each test imports the
county's extracts into its own rolled-back database and runs the real service.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.audit.models import AuditEntry
from joinedup.linkage.batch import BlockingRefused, check_blocking
from joinedup.linkage.evaluation import evaluate
from joinedup.linkage.files import read_files
from joinedup.linkage.models import MasterPersonMerge, RecordPersonChange, ReviewTask
from joinedup.linkage.queries import linked_records
from joinedup.linkage.services import run_linkage, undo_merge
from joinedup.linkage.settings import LinkageSettings
from joinedup.linkage.spec import PERSON_SPEC
from joinedup.linkage.training import LinkageModel, train
from joinedup.people.models import AgencyRecord, MasterPerson
from joinedup.synthetic import County, CountyOptions, build_county, write_county
from joinedup.synthetic.load import extract_files, import_extracts, load_county
from tests.factories import ADMIN, PASSWORD

CONFIG = LinkageSettings(u_sample_pairs=200_000)
# The day after the extracts were taken: a baby born that morning is not in the future.
AFTER_EXTRACTS = dt.datetime.combine(CountyOptions().as_of, dt.time(12), dt.UTC)


@pytest.fixture(scope="module")
def county_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[County, Path]:
    county = build_county(CountyOptions(people=400))
    folder = tmp_path_factory.mktemp("county")
    write_county(county, folder)
    return county, folder


@pytest.fixture(scope="module")
def model(county_files: tuple[County, Path]) -> LinkageModel:
    _, folder = county_files
    frame, _ = read_files(extract_files(folder / "extracts"), CountyOptions().as_of)
    return train(frame, CONFIG)


@pytest.fixture
def county_db(db: Session, county_files: tuple[County, Path]) -> County:
    county, folder = county_files
    load_county(db, county, PASSWORD, seed=1)
    with clock.frozen_at(AFTER_EXTRACTS):
        import_extracts(db, extract_files(folder / "extracts"), lambda: None)
    return county


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
    county_files: tuple[County, Path],
) -> None:
    _, folder = county_files
    frame, _ = read_files(extract_files(folder / "extracts"), CountyOptions().as_of)

    with pytest.raises(BlockingRefused, match="'outward_code' alone makes about"):
        check_blocking(frame, (("nhs_number",), ("outward_code",)), limit=5_000)
    assert sum(check_blocking(frame, PERSON_SPEC.blocking_rules, limit=5_000)) < 2_000
