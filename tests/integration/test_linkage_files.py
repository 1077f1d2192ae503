"""Linking extract files: big ones read side by side, a sample of their rows trains."""

from __future__ import annotations

from pathlib import Path

import pytest

from joinedup.linkage.evaluation import evaluate
from joinedup.linkage.files import FileRejected, link_files, read_files, training_sample
from joinedup.synthetic import CountyOptions
from tests.linkage_county import CONFIG, LINKAGE_GROUP, trained_county

pytestmark = LINKAGE_GROUP


def test_files_trained_on_a_sample_of_their_rows_still_link_every_row_well(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    trained = trained_county(tmp_path_factory)
    rows = trained.frame.size

    result = link_files(trained.files, None, CONFIG, CountyOptions().as_of, training_records=500)

    assert result.model.records == 500 < rows
    assert len(result.rows) == rows
    person_of = {(row.source, row.record_id): row.person_id for row in result.rows}
    measured = evaluate(person_of, trained.county.truth.record_to_person)
    assert measured.precision >= 0.99
    assert measured.recall >= 0.99
    phases = result.batch.phases
    assert set(phases) == {"counting", "scoring", "deciding"}
    assert sum(phases.values()) == pytest.approx(result.batch.seconds, abs=0.01)


def test_the_same_files_and_seed_train_on_the_same_sample(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    frame = trained_county(tmp_path_factory).frame

    first, again = training_sample(frame, 300, seed=1), training_sample(frame, 300, seed=1)
    other = training_sample(frame, 300, seed=2)

    assert first.size == 300
    assert first.table.equals(again.table)
    assert not first.table.equals(other.table)
    assert training_sample(frame, frame.size, seed=1) is frame


def test_big_files_are_read_side_by_side_into_the_same_frame(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    trained = trained_county(tmp_path_factory)
    as_of = CountyOptions().as_of

    frame, keys = read_files(trained.files, as_of, parallel_bytes=0)

    assert frame.table.equals(trained.frame.table)
    assert keys == read_files(trained.files, as_of)[1]
    assert frame.table.column("unique_id").to_pylist() == list(range(len(keys)))


def test_a_bad_file_read_in_a_process_of_its_own_is_named_with_its_problems(
    tmp_path: Path,
) -> None:
    good, bad = tmp_path / "police.csv", tmp_path / "school.csv"
    good.write_text("record_id,given_name,family_name\nR1,Ava,Smith\n")
    bad.write_text("record_id,given_name,family_name\nS1,Ava,Smith\nS1,Bill,Jones\n")

    with pytest.raises(FileRejected) as raised:
        read_files([good, bad], CountyOptions().as_of, parallel_bytes=0)

    assert raised.value.path == bad
    assert raised.value.rejected.total == 1
    assert "S1 is also on line 2" in str(raised.value.rejected.problems[0])
