"""`joinedup import people`: what an operator sees when an extract goes in, or does not."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.cli.common import Failure, session_on
from joinedup.config import load_settings
from joinedup.db import make_engine
from joinedup.people import queries

runner = CliRunner()


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A hub database under a temporary data directory, with the police as an agency."""
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JOINEDUP_DATABASE_URL", raising=False)
    for step in (
        ["db", "upgrade"],
        ["agencies", "add", "NOTTS-POLICE", "Nottinghamshire Police", "--kind", "police"],
    ):
        result = runner.invoke(app, step)
        assert result.exit_code == 0, result.output
    return tmp_path


def _extract(folder: Path, *rows: str) -> Path:
    path = folder / "police.csv"
    path.write_text("record_id,given_name,family_name,nhs_number\n" + "".join(rows))
    return path


def test_an_operator_imports_an_extract_and_sees_what_it_changed(hub: Path) -> None:
    path = _extract(hub, "R1,Ava,Smith,943 476 5919\n", "R2,Bill,Jones,\n")

    result = runner.invoke(app, ["import", "people", "--agency", "NOTTS-POLICE", str(path)])

    assert result.exit_code == 0, result.output
    assert "Imported police.csv for NOTTS-POLICE: 2 rows" in result.output
    assert "2 new" in result.output
    assert "0 updated" in result.output
    with session_on(make_engine(load_settings().resolved_database_url)) as session:
        assert queries.index_size(session).records == 2


def test_a_newer_extract_reports_updates_and_records_no_longer_sent(hub: Path) -> None:
    path = _extract(hub, "R1,Ava,Smith,\n", "R2,Bill,Jones,\n")
    runner.invoke(app, ["import", "people", "--agency", "NOTTS-POLICE", str(path)])
    path = _extract(hub, "R1,Ava,Smith-Jones,\n")

    result = runner.invoke(app, ["import", "people", "--agency", "notts-police", str(path)])

    assert result.exit_code == 0, result.output
    assert "1 updated (their previous values are kept)" in result.output
    assert "1 no longer in the extract (kept): R2" in result.output


def test_importing_the_same_file_again_says_nothing_changed(hub: Path) -> None:
    path = _extract(hub, "R1,Ava,Smith,\n")
    runner.invoke(app, ["import", "people", "--agency", "NOTTS-POLICE", str(path)])

    result = runner.invoke(app, ["import", "people", "--agency", "NOTTS-POLICE", str(path)])

    assert result.exit_code == 0, result.output
    assert "police.csv was already imported for NOTTS-POLICE" in result.output
    assert "nothing has changed" in result.output


def test_a_bad_extract_is_refused_with_its_lines_and_every_problem_is_written_beside_it(
    hub: Path,
) -> None:
    path = _extract(hub, "R1,Ava,Smith,123 456 1234\n", "R1,Bill,Jones,\n")

    result = runner.invoke(app, ["import", "people", "--agency", "NOTTS-POLICE", str(path)])

    assert isinstance(result.exception, Failure)
    assert result.exception.exit_code == 1
    message = str(result.exception)
    assert message.startswith("police.csv was not imported: 2 problems in the extract")
    assert f"Every problem is listed in {hub / 'police.csv.errors.csv'}" in message
    assert "line 2: nhs_number: NHS number 123 456 1234 fails its check digit" in result.output
    with (hub / "police.csv.errors.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["line", "column", "problem"]
    assert [row[:2] for row in rows[1:]] == [["2", "nhs_number"], ["3", "record_id"]]
    with session_on(make_engine(load_settings().resolved_database_url)) as session:
        assert queries.index_size(session).records == 0


def test_the_report_goes_where_the_operator_asks(hub: Path) -> None:
    path = _extract(hub, "R1,Ava,Smith,123 456 1234\n")
    report = hub / "problems.csv"

    runner.invoke(
        app,
        ["import", "people", "--agency", "NOTTS-POLICE", str(path), "--report", str(report)],
    )

    assert report.exists()
    assert not (hub / "police.csv.errors.csv").exists()


def test_a_missing_file_or_agency_is_named(hub: Path) -> None:
    result = runner.invoke(app, ["import", "people", "--agency", "NOTTS-POLICE", "nowhere.csv"])
    assert isinstance(result.exception, Failure)
    assert str(result.exception) == "There is no file at nowhere.csv"

    path = _extract(hub, "R1,Ava,Smith,\n")
    result = runner.invoke(app, ["import", "people", "--agency", "NOPE", str(path)])
    assert isinstance(result.exception, Failure)
    assert str(result.exception) == "There is no agency with the code NOPE"


def test_a_postcode_that_is_not_one_is_a_warning_and_the_extract_goes_in(hub: Path) -> None:
    path = hub / "police.csv"
    path.write_text("record_id,postcode\nR1,not known\nR2,NG18 1AB\n")

    result = runner.invoke(app, ["import", "people", "--agency", "NOTTS-POLICE", str(path)])

    assert result.exit_code == 0, result.output
    assert "2 new" in result.output
    assert "1 postcode could not be read:" in result.output
    assert "line 2: postcode: 'not known' is not a UK postcode" in result.output
