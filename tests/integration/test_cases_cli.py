"""`joinedup import cases`: what an operator sees when social care's file of open cases goes
in, or does not."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.cli.common import Failure

runner = CliRunner()
HEADER = "record_id,case_reference,allocated_worker_email,opened_on,closed_on\n"


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A hub with children's services, its social worker Sam, and its record of Jade."""
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JOINEDUP_DATABASE_URL", raising=False)
    people = tmp_path / "csc-people.csv"
    people.write_text(
        "record_id,given_name,family_name,date_of_birth,nhs_number\n"
        "C1,Jade,Smith,2015-03-27,943 476 5919\n"
    )
    for step in (
        ["db", "upgrade"],
        ["agencies", "add", "NCC-CSC", "Children's Services", "--kind", "childrens_social_care"],
        [
            "professionals",
            "add",
            "sam@council.example",
            "--given-name",
            "Sam",
            "--family-name",
            "Shah",
            "--agency",
            "NCC-CSC",
        ],
        ["import", "people", "--agency", "NCC-CSC", str(people)],
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


def test_an_operator_imports_the_cases_then_the_same_file_again(hub: Path) -> None:
    path = hub / "cases.csv"
    path.write_text(HEADER + "C1,CIN-100,sam@council.example,2026-09-01,\n")

    first = runner.invoke(app, ["import", "cases", "--agency", "NCC-CSC", str(path)])
    again = runner.invoke(app, ["import", "cases", "--agency", "NCC-CSC", str(path)])

    assert first.exit_code == 0, first.output
    assert "Imported cases.csv for NCC-CSC: 1 row" in first.output
    assert "CIN-100 (line 2): opened" in first.output
    assert again.exit_code == 0, again.output
    assert "0 new" in again.output and "1 as the hub already held them" in again.output


def test_a_bad_file_is_refused_and_every_problem_is_written_beside_it(hub: Path) -> None:
    path = hub / "cases.csv"
    path.write_text(HEADER + "C7,CIN-100,sam@council.example,2026-09-01,\n")

    result = runner.invoke(app, ["import", "cases", "--agency", "NCC-CSC", str(path)])

    assert isinstance(result.exception, Failure)
    assert str(result.exception).startswith("cases.csv was not imported: 1 problem in the file")
    assert "line 2: record_id: Children's Services has sent no person record C7" in result.output
    with (hub / "cases.csv.errors.csv").open(newline="") as handle:
        assert [row[:2] for row in csv.reader(handle)] == [["line", "column"], ["2", "record_id"]]


def test_closing_a_case_says_which_unaccepted_contacts_came_back_to_the_mash(hub: Path) -> None:
    cases = hub / "cases.csv"
    cases.write_text(HEADER + "C1,CIN-100,sam@council.example,2026-09-01,\n")
    assert runner.invoke(app, ["import", "cases", "--agency", "NCC-CSC", str(cases)]).exit_code == 0
    contacts = hub / "ppn.csv"
    contacts.write_text(
        "contact_id,referrer_email,subject_kind,subject_given_name,subject_nhs_number,"
        "concern_categories,what_happened,urgency,consent\n"
        "PPN-1,alice@police.example,child,Jade,943 476 5919,neglect,Not eaten.,urgent,given\n"
    )
    raised = runner.invoke(app, ["import", "contacts", "--agency", "NOTTS-POLICE", str(contacts)])
    assert raised.exit_code == 0, raised.output
    reference = raised.output.split("PPN-1: ")[1].split()[0]
    cases.write_text(HEADER + "C1,CIN-100,sam@council.example,2026-09-01,2026-11-20\n")

    closed = runner.invoke(app, ["import", "cases", "--agency", "NCC-CSC", str(cases)])

    assert closed.exit_code == 0, closed.output
    assert "CIN-100 (line 2): closed" in closed.output
    assert (
        "1 contact routed to a case that closed, not yet accepted, brought back into the MASH: "
        f"{reference}" in closed.output
    )
