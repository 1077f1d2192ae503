"""`joinedup import contacts`: what an operator sees when a partner's file of contacts goes in,
or does not."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.cli.common import Failure, session_on
from joinedup.config import load_settings
from joinedup.db import make_engine
from joinedup.frontdoor.models import Contact

runner = CliRunner()
HEADER = (
    "contact_id,referrer_email,subject_kind,subject_given_name,subject_nhs_number,"
    "concern_categories,what_happened,urgency,consent\n"
)


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A hub database under a temporary data directory, with Alice at the police."""
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JOINEDUP_DATABASE_URL", raising=False)
    monkeypatch.delenv("JOINEDUP_PRACTICE_FILE", raising=False)
    for step in (
        ["db", "upgrade"],
        ["agencies", "add", "NOTTS-POLICE", "Nottinghamshire Police", "--kind", "police"],
        [
            "professionals",
            "add",
            "alice@police.example",
            "--given-name",
            "Alice",
            "--family-name",
            "Archer",
            "--agency",
            "NOTTS-POLICE",
        ],
    ):
        result = runner.invoke(app, step)
        assert result.exit_code == 0, result.output
    return tmp_path


def _file(folder: Path, *rows: str) -> Path:
    path = folder / "ppn.csv"
    path.write_text(HEADER + "".join(rows))
    return path


def _contacts() -> int:
    with session_on(make_engine(load_settings().resolved_database_url)) as session:
        return session.scalar(select(func.count()).select_from(Contact)) or 0


GOOD = (
    "PPN-1,alice@police.example,child,Jade,943 476 5919,neglect,Jade had not eaten.,urgent,given\n"
)


def test_an_operator_imports_a_file_and_sees_each_contacts_reference(hub: Path) -> None:
    path = _file(hub, GOOD, GOOD.replace("PPN-1", "PPN-2"))

    result = runner.invoke(app, ["import", "contacts", "--agency", "NOTTS-POLICE", str(path)])

    assert result.exit_code == 0, result.output
    assert "Imported ppn.csv for NOTTS-POLICE: 2 rows" in result.output
    assert "2 new, each with its reference:" in result.output
    assert "PPN-1: MASH-" in result.output and "PPN-2: MASH-" in result.output
    assert _contacts() == 2


def test_importing_the_same_file_again_says_nothing_new_was_made(hub: Path) -> None:
    path = _file(hub, GOOD)
    runner.invoke(app, ["import", "contacts", "--agency", "NOTTS-POLICE", str(path)])

    result = runner.invoke(app, ["import", "contacts", "--agency", "NOTTS-POLICE", str(path)])

    assert result.exit_code == 0, result.output
    assert "0 new" in result.output
    assert "1 imported before, so nothing new was made: PPN-1 (MASH-" in result.output
    assert _contacts() == 1


def test_a_bad_file_is_refused_with_its_lines_and_every_problem_is_written_beside_it(
    hub: Path,
) -> None:
    path = _file(
        hub,
        GOOD,
        GOOD.replace("PPN-1", "PPN-2").replace("943 476 5919", "123 456 1234"),
        GOOD.replace("PPN-1", "PPN-3").replace("urgent", "soon"),
    )

    result = runner.invoke(app, ["import", "contacts", "--agency", "NOTTS-POLICE", str(path)])

    assert isinstance(result.exception, Failure)
    assert result.exception.exit_code == 1
    message = str(result.exception)
    assert message.startswith("ppn.csv was not imported: 2 problems in the file; nothing was")
    assert f"Every problem is listed in {hub / 'ppn.csv.errors.csv'}" in message
    assert (
        "line 3: subject_nhs_number: Enter a valid NHS number: 123 456 1234 fails its check digit"
        in result.output
    )
    with (hub / "ppn.csv.errors.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["line", "column", "problem"]
    assert [row[:2] for row in rows[1:]] == [["3", "subject_nhs_number"], ["4", "urgency"]]
    assert _contacts() == 0


def test_a_missing_file_or_agency_is_named(hub: Path) -> None:
    result = runner.invoke(app, ["import", "contacts", "--agency", "NOTTS-POLICE", "nowhere.csv"])
    assert isinstance(result.exception, Failure)
    assert str(result.exception) == "There is no file at nowhere.csv"

    result = runner.invoke(app, ["import", "contacts", "--agency", "NOPE", str(_file(hub, GOOD))])
    assert isinstance(result.exception, Failure)
    assert str(result.exception) == "There is no agency with the code NOPE"
