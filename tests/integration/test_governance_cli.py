"""`joinedup sar export` and `joinedup retention run`, as an operator runs them, on a hub in a
file database holding Jade's case (tests/governance.py)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from joinedup import clock
from joinedup.audit.models import AuditEntry
from joinedup.cli import app, main
from joinedup.cli.common import Failure, session_on
from joinedup.config import load_settings
from joinedup.db import make_engine
from joinedup.sharing.inputs import today
from tests.governance import JadeCase

runner = CliRunner()


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, frozen_clock: clock.Clock) -> JadeCase:
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path / "hub"))
    monkeypatch.delenv("JOINEDUP_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    with session_on(make_engine(load_settings().resolved_database_url)) as db:
        case = JadeCase(db, today())
        db.commit()
    return case


def ledger(action: str) -> int:
    with session_on(make_engine(load_settings().resolved_database_url)) as db:
        return (
            db.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
            )
            or 0
        )


def test_an_export_writes_the_json_and_the_readable_document_for_the_operator_alone(
    hub: JadeCase, tmp_path: Path
) -> None:
    out = tmp_path / "sar-jade"

    result = runner.invoke(app, ["sar", "export", "943 476 5919", "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert f"Wrote everything held about NHS number 943 476 5919 to {out / 'sar.json'}" in " ".join(
        result.output.split()
    )
    document = json.loads((out / "sar.json").read_text(encoding="utf-8"))
    assert document["person"]["references"] == [hub.reference]
    assert [r["record_id"] for r in document["agency_records"]] == ["NP-JADE"]
    html = (out / "sar.html").read_text(encoding="utf-8")
    assert "Subject access export: NHS number 943 476 5919" in html
    for name in ("sar.json", "sar.html"):
        assert (out / name).stat().st_mode & 0o777 == 0o600
    assert ledger("system:subject_access:disclosed") == 1


def test_a_person_that_is_not_one_says_what_was_wrong_and_writes_nothing(
    hub: JadeCase, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    problems = {
        "Jade Smith": "Enter a master person reference like P00000042, or an NHS number",
        "P99999999": "There is no person P99999999 in the hub: check the reference",
        "943 476 5918": "NHS number 943 476 5918 fails its check digit",
    }
    for person, message in problems.items():
        result = runner.invoke(app, ["sar", "export", person, "--out", str(out)])

        assert isinstance(result.exception, Failure) and result.exception.exit_code == 1
        assert message in str(result.exception), person
    assert list(out.iterdir()) == []
    assert ledger("system:subject_access:disclosed") == 0


def test_a_folder_holding_an_earlier_export_is_refused_before_anything_is_read(
    hub: JadeCase, tmp_path: Path
) -> None:
    (tmp_path / "sar.json").write_text("{}", encoding="utf-8")

    result = runner.invoke(app, ["sar", "export", hub.reference, "--out", str(tmp_path)])

    assert isinstance(result.exception, Failure)
    assert str(result.exception) == (
        f"{tmp_path} already holds an export (sar.json): choose another folder, or move the "
        "earlier export away first"
    )
    assert ledger("system:subject_access:disclosed") == 0


def test_a_bad_person_exits_non_zero_with_the_message_and_no_traceback(
    hub: JadeCase,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(
        sys, "argv", ["joinedup", "sar", "export", "nobody", "--out", str(tmp_path)]
    )

    with pytest.raises(SystemExit) as exited:
        main()

    assert exited.value.code == 1
    said = capsys.readouterr()
    assert "'nobody' is neither" in said.err
    assert "Traceback" not in said.err + said.out


def test_retention_reports_a_dry_run_then_anonymises_once(
    hub: JadeCase, frozen_clock: clock.Clock
) -> None:
    frozen_clock.advance(dt.timedelta(days=2190, hours=1))

    dry = runner.invoke(app, ["retention", "run", "--dry-run"])
    done = runner.invoke(app, ["retention", "run"])
    again = runner.invoke(app, ["retention", "run"])

    assert dry.exit_code == done.exit_code == again.exit_code == 0, dry.output + done.output
    reference = hub.contact.reference
    assert "Dry run: nothing was changed." in dry.output
    assert f"Would anonymise 1 contact naming 2 people: {reference}." in dry.output
    assert "Safeguarding children: kept 2,190 days after the decision" in dry.output
    assert "Safeguarding adults at risk: no agreement for it has been in force" in " ".join(
        dry.output.split()
    )
    assert f"Anonymised 1 contact naming 2 people: {reference}." in done.output
    assert "On the ledger as entry" in done.output
    assert "Anonymised 0 contacts naming 0 people." in again.output
    assert ledger("system:retention:ran") == 2


def test_retention_refuses_to_clear_drafts_younger_than_a_day(hub: JadeCase) -> None:
    result = runner.invoke(app, ["retention", "run", "--drafts-after", "0"])

    assert isinstance(result.exception, Failure)
    assert str(result.exception) == (
        "--drafts-after 0: Keep abandoned drafts at least 1 day: their authors may come back "
        "to them"
    )
    assert ledger("system:retention:ran") == 0
