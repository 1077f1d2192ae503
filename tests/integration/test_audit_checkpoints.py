"""Signed daily checkpoints of the ledger, and the fast walk that checks them, on both databases
(and `joinedup audit checkpoint` / `verify --checkpoint` on the embedded database)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.checkpoints import (
    Checkpoint,
    CheckpointError,
    daily_checkpoint,
    end_of_day,
    verify_ledger,
)
from joinedup.audit.models import AuditEntry
from joinedup.audit.rules import GENESIS_HASH, entry_hash
from joinedup.audit.services import record
from joinedup.cli import app
from joinedup.cli.common import Failure
from tests.conftest import TEST_NOW
from tests.factories import ADMIN

KEY = "the hub's secret key, for tests"
DAY = TEST_NOW.date()  # Tuesday 24 November 2026; London is on GMT
runner = CliRunner()


def _write(db: Session, n: int, actor: Actor = ADMIN, **detail: object) -> list[int]:
    ids = [record(db, actor, "test:thing:seen", "thing", i, n=i, **detail).id for i in range(n)]
    db.commit()
    return ids


def _without_guard(db: Session) -> None:
    """What an attacker with the database owner's rights could do."""
    if db.get_bind().dialect.name == "sqlite":
        db.execute(text("DROP TRIGGER audit_entries_no_update"))
        db.execute(text("DROP TRIGGER audit_entries_no_delete"))
    else:
        db.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))


def _rewrite_chain(db: Session) -> None:
    """Recompute every hash after an edit, so the chain is consistent again on its own."""
    prev = GENESIS_HASH
    for entry in db.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        entry.prev_hash = prev
        entry.entry_hash = entry_hash(
            prev_hash=prev,
            at_iso=entry.at.isoformat(),
            actor_user_id=entry.actor_user_id,
            actor_label=entry.actor_label,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            detail=entry.detail,
        )
        db.flush()
        prev = entry.entry_hash


@pytest.fixture
def two_days(db: Session) -> tuple[list[int], list[int]]:
    """Three entries on 24 November, then two on the 25th; now is the 26th."""
    with clock.frozen_at(TEST_NOW) as frozen:
        first = _write(db, 3)
        frozen.set(TEST_NOW + dt.timedelta(days=1))
        second = _write(db, 2)
    return first, second


@pytest.fixture
def day_after(two_days: tuple[list[int], list[int]]) -> object:
    with clock.frozen_at(TEST_NOW + dt.timedelta(days=2)):
        yield


def test_the_fast_walk_hashes_exactly_as_entries_were_written(db: Session) -> None:
    tricky = Actor(label='Zoë "Z" O\'Neill \\ \u2028 \x07 ☃', user_id=7)
    with clock.frozen_at(TEST_NOW):
        _write(db, 3, tricky, note="line\nbreak\ttab \u00e9 \U0001f600 </script>", none=None)
        _write(db, 2)
    # record() hashes through audit.rules; the walk re-derives the same bytes by hand.
    report = verify_ledger(db)
    assert report.intact and report.entries >= 5


@pytest.mark.usefixtures("day_after")
def test_a_checkpoint_signs_the_head_as_of_the_end_of_the_london_day(
    db: Session, two_days: tuple[list[int], list[int]]
) -> None:
    first, _ = two_days
    made = daily_checkpoint(db, DAY, KEY)
    head = db.get(AuditEntry, first[-1])
    assert head is not None
    assert made.head_id == head.id and made.head_hash == head.entry_hash
    assert made.as_of == dt.datetime(2026, 11, 25, 0, 0, tzinfo=dt.UTC)
    assert made.entries == verify_ledger(db).entries - 2
    assert made.signature_valid(KEY)
    assert not made.signature_valid("another hub's key")
    assert Checkpoint.from_json(made.to_json()) == made


def test_a_london_day_in_summer_ends_at_eleven_pm_utc() -> None:
    assert end_of_day(dt.date(2026, 7, 1)) == dt.datetime(2026, 7, 1, 23, 0, tzinfo=dt.UTC)


def test_a_day_not_yet_over_cannot_be_checkpointed(db: Session) -> None:
    with clock.frozen_at(TEST_NOW), pytest.raises(CheckpointError, match="is not over yet"):
        daily_checkpoint(db, DAY, KEY)


@pytest.mark.usefixtures("day_after")
def test_the_chain_passes_through_its_checkpoint_as_it_grows(
    db: Session, two_days: tuple[list[int], list[int]]
) -> None:
    made = daily_checkpoint(db, DAY, KEY)
    _write(db, 4)
    report = verify_ledger(db, through=made)
    assert report.intact
    assert report.entries == made.entries + 6


@pytest.mark.usefixtures("day_after")
def test_a_ledger_rewritten_before_the_checkpoint_is_caught_though_its_chain_is_consistent(
    db: Session, two_days: tuple[list[int], list[int]]
) -> None:
    first, _ = two_days
    made = daily_checkpoint(db, DAY, KEY)
    _without_guard(db)
    db.execute(text("UPDATE audit_entries SET detail = '{}' WHERE id = :id"), {"id": first[1]})
    _rewrite_chain(db)
    assert verify_ledger(db).intact  # the chain alone cannot tell
    report = verify_ledger(db, through=made)
    assert report.first_broken_id == first[-1]
    assert "the chain up to that day was rewritten" in (report.problem or "")


@pytest.mark.usefixtures("day_after")
def test_entries_removed_from_the_end_before_the_checkpoint_are_caught(
    db: Session, two_days: tuple[list[int], list[int]]
) -> None:
    first, _ = two_days
    made = daily_checkpoint(db, DAY, KEY)
    _without_guard(db)
    db.execute(text("DELETE FROM audit_entries WHERE id >= :id"), {"id": first[-1]})
    assert verify_ledger(db).intact
    report = verify_ledger(db, through=made)
    assert report.problem is not None and "entries were removed" in report.problem


@pytest.mark.usefixtures("day_after")
def test_no_checkpoint_vouches_for_a_broken_chain(
    db: Session, two_days: tuple[list[int], list[int]]
) -> None:
    first, _ = two_days
    _without_guard(db)
    db.execute(text("UPDATE audit_entries SET detail = '{}' WHERE id = :id"), {"id": first[0]})
    with pytest.raises(CheckpointError, match="does not verify"):
        daily_checkpoint(db, DAY, KEY)


def test_a_file_that_is_not_a_checkpoint_is_refused() -> None:
    with pytest.raises(CheckpointError, match="not a joinedup ledger checkpoint"):
        Checkpoint.from_json('{"entries": 3}')


# --- The command ---------------------------------------------------------------------------


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An embedded hub with three entries on 24 November; now is the 25th."""
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JOINEDUP_DATABASE_URL", raising=False)
    with clock.frozen_at(TEST_NOW):
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        for code in ("ASH", "BAS", "BRO"):
            assert runner.invoke(app, ["areas", "add", code, f"Area {code}"]).exit_code == 0
    return tmp_path


def _checkpoint(hub: Path) -> Path:
    out = hub / "checkpoint.json"
    with clock.frozen_at(TEST_NOW + dt.timedelta(days=1)):
        result = runner.invoke(app, ["audit", "checkpoint", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote the checkpoint of 2026-11-24 (3 entries)" in result.output
    return out


def test_the_command_writes_a_checkpoint_that_verify_then_checks(hub: Path) -> None:
    out = _checkpoint(hub)
    assert json.loads(out.read_text())["entries"] == 3
    runner.invoke(app, ["areas", "add", "GED", "Gedling"])
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(out)])
    assert result.exit_code == 0, result.output
    assert "The ledger is intact: 4 entries verified." in result.output
    assert "It passes through the checkpoint of 2026-11-24" in result.output


def test_a_tampered_checkpoint_file_fails_verify_with_a_clear_message(hub: Path) -> None:
    out = _checkpoint(hub)
    data = json.loads(out.read_text())
    data["entries"] = 2
    out.write_text(json.dumps(data))
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(out)])
    assert isinstance(result.exception, Failure)
    assert "does not carry this hub's signature" in str(result.exception)


def test_verify_names_a_missing_or_unreadable_checkpoint_file(hub: Path) -> None:
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(hub / "nope.json")])
    assert isinstance(result.exception, Failure)
    assert "Cannot read the checkpoint file" in str(result.exception)
    (hub / "junk.json").write_text("not json")
    result = runner.invoke(app, ["audit", "verify", "--checkpoint", str(hub / "junk.json")])
    assert isinstance(result.exception, Failure)
    assert "not a joinedup ledger checkpoint" in str(result.exception)


def test_a_bad_day_is_refused_with_the_format_to_use(hub: Path) -> None:
    result = runner.invoke(app, ["audit", "checkpoint", "--day", "24/11/2026"])
    assert isinstance(result.exception, Failure)
    assert "YYYY-MM-DD" in str(result.exception)
