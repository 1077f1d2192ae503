"""`joinedup link`: what an operator sees when a model, a rule or a file is wrong, and files."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from joinedup.accounts.queries import actor_for_user
from joinedup.cli import app
from joinedup.cli.common import Failure
from joinedup.db import make_engine
from joinedup.directory.rules import AgencyKind, Role
from joinedup.linkage import model_file
from joinedup.linkage.models import ReviewTask
from joinedup.linkage.review.services import decide_review
from joinedup.people.models import AgencyRecord
from tests.factories import create_agency, create_user
from tests.linkage_county import LINKAGE_GROUP, trained_county
from tests.linkage_review_scenario import load_scenario, saved_model

pytestmark = LINKAGE_GROUP
runner = CliRunner()
DATABASE = "joinedup.sqlite3"
POLICE = (
    "record_id,given_name,family_name,date_of_birth,postcode,nhs_number\n"
    "R1,Ava,Smith,2014-03-27,NG18 1AB,943 476 5919\n"
    "R2,Ava,Smith,2014-03-27,NG18 1AB,\n"
    "R3,Bill,Jones,1980-01-02,NG18 2BD,\n"
    "R4,Carl,Brown,1975-05-06,NG18 3EF,\n"
    "R5,Dina,Green,1990-07-08,NG18 4GH,\n"
)


@pytest.fixture(scope="module")
def built_hub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hub's data directory with a few police records imported, built once for the module."""
    folder = tmp_path_factory.mktemp("hub")
    extract = folder / "police.csv"
    extract.write_text(POLICE)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("JOINEDUP_DATA_DIR", str(folder))
        monkeypatch.delenv("JOINEDUP_DATABASE_URL", raising=False)
        for step in (
            ["db", "upgrade"],
            ["agencies", "add", "NOTTS-POLICE", "Nottinghamshire Police", "--kind", "police"],
            ["import", "people", "--agency", "NOTTS-POLICE", str(extract)],
        ):
            result = runner.invoke(app, step)
            assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def hub(built_hub: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the built hub under the test's own data directory, to change as it likes."""
    (tmp_path / "police.csv").write_text(POLICE)
    # SQLite's backup copies a consistent database, whatever is still in the built one's WAL.
    source, copy = sqlite3.connect(built_hub / DATABASE), sqlite3.connect(tmp_path / DATABASE)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JOINEDUP_DATABASE_URL", raising=False)
    return tmp_path


def _failure(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert isinstance(result.exception, Failure), result.output
    return str(result.exception)


def test_running_before_any_model_is_trained_says_to_train_one(hub: Path) -> None:
    message = _failure(["link", "run"])
    assert "No linkage model has been trained yet" in message
    assert "joinedup link train" in message


def test_a_corrupt_model_file_is_refused_with_the_command_to_retrain(hub: Path) -> None:
    folder = model_file.model_folder(hub)
    folder.mkdir()
    (folder / "person-model-0001.json").write_text('{"format": "joinedup-linkage-mo')

    message = _failure(["link", "run"])

    assert "person-model-0001.json cannot be read" in message
    assert "Train a new one with `joinedup link train`" in message


def test_a_model_trained_for_another_spec_version_is_refused(hub: Path) -> None:
    folder = model_file.model_folder(hub)
    folder.mkdir()
    (folder / "person-model-0001.json").write_text(
        json.dumps(
            {"format": "joinedup-linkage-model", "format_version": 1, "spec": "person"}
            | {"spec_version": 0, "splink_settings": {"comparisons": []}}
        )
    )

    message = _failure(["link", "files", str(hub / "police.csv"), "--out", str(hub / "o.csv")])

    assert "trained for the person model version 0" in message
    assert "joinedup link train" in message


def test_a_blocking_rule_on_an_unknown_column_lists_the_columns(hub: Path) -> None:
    message = _failure(["link", "train", "--block-on", "surname + date_of_birth"])
    assert "unknown column 'surname'" in message
    assert "family_name" in message


def test_a_blocking_rule_making_too_many_pairs_is_refused_before_training(
    hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOINEDUP_LINKAGE_MAX_COMPARISONS", "5")

    message = _failure(["link", "train", "--block-on", "outward_code"])

    assert "would compare about 10 pairs" in message
    assert "'outward_code' alone" in message
    assert not model_file.model_folder(hub).exists()


def test_link_files_writes_a_person_for_every_row_of_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path))
    trained = trained_county(tmp_path_factory)
    county, files = trained.county, trained.files
    model_file.save(trained.model, model_file.model_folder(tmp_path))
    out = tmp_path / "clusters.csv"

    result = runner.invoke(app, ["link", "files", *map(str, files), "--out", str(out)])

    assert result.exit_code == 0, result.output
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["source"], r["record_id"]) for r in rows} == set(county.truth.record_to_person)
    person_of = {(r["source"], r["record_id"]): r["person_id"] for r in rows}
    truth = county.truth.record_to_person
    same = [(a, b) for a in truth for b in truth if a < b and truth[a] == truth[b]]
    joined = sum(person_of[a] == person_of[b] for a, b in same)
    assert joined >= 0.95 * len(same)
    assert f"Linked {len(rows):,} rows from {len(files)} files" in result.output


def test_reviewers_answers_are_written_as_labels_and_the_links_checked_against_them_then_housed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JOINEDUP_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    engine = make_engine(f"sqlite:///{tmp_path / DATABASE}")
    with Session(engine) as db:
        for code, kind in (
            ("NOTTS-POLICE", AgencyKind.POLICE),
            ("NOTTS-COMMUNITY", AgencyKind.COMMUNITY_HEALTH),
            ("ACUTE-TRENT", AgencyKind.ACUTE_TRUST),
        ):
            create_agency(db, kind, code=code)
        scenario = load_scenario(db, saved_model(tmp_path_factory))
        manager = actor_for_user(create_user(db, roles=(Role.MASH_MANAGER,)))
        for pair, outcome in ((("POL-1", "COM-1"), "same"), (("POL-1", "ACU-1"), "apart")):
            task = db.get(ReviewTask, scenario.task(*pair))
            assert task is not None
            decide_review(db, manager, task.id, outcome, "Compared", task.updated_at.isoformat())
        # Then the links go wrong (as an older model's run might): the police's and the
        # hospital's records, answered apart, end up joined.
        hospital = db.scalars(select(AgencyRecord).where(AgencyRecord.record_id == "ACU-1")).one()
        police = db.scalars(select(AgencyRecord).where(AgencyRecord.record_id == "POL-1")).one()
        hospital.master_person_id = police.master_person_id
        db.commit()
    engine.dispose()
    out = tmp_path / "labels.csv"

    written = runner.invoke(app, ["link", "labels", "--out", str(out)])
    evaluated = runner.invoke(app, ["link", "evaluate"])

    assert written.exit_code == 0, written.output
    with out.open() as handle:
        rows = [(r["record_id_l"], r["record_id_r"], r["same"]) for r in csv.DictReader(handle)]
    assert sorted(rows) == [("POL-1", "ACU-1", "0"), ("POL-1", "COM-1", "1")]
    assert evaluated.exit_code == 0, evaluated.output
    assert "comparing with reviewers' answers only" in evaluated.output
    assert (
        "Reviewers' answers: 2 pairs (1 the same person, 1 not); the links agree with 1."
        in evaluated.output
    )

    housed = runner.invoke(app, ["link", "households"])

    assert housed.exit_code == 0, housed.output
    assert "3 people in 3 households: 3 memberships started, 0 ended" in housed.output
