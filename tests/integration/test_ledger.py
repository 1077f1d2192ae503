"""The ledger is hash-chained, append-only, and tampering is detected, on both databases."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.audit.checkpoints import verify_ledger
from joinedup.audit.models import AuditEntry
from joinedup.audit.services import NewEntry, record, record_many
from tests.factories import ADMIN


def _write(db: Session, n: int) -> list[int]:
    ids = [record(db, ADMIN, "test:thing:seen", "thing", i, note=f"entry {i}").id for i in range(n)]
    db.commit()
    return ids


def test_an_untouched_chain_verifies(db: Session) -> None:
    _write(db, 5)
    report = verify_ledger(db)
    assert report.intact and report.entries >= 5


def test_a_page_of_entries_goes_in_chained_in_the_order_given(db: Session) -> None:
    _write(db, 2)
    ids = record_many(
        db, ADMIN, [NewEntry("test:thing:seen", "thing", i, {"n": i}) for i in range(50)]
    )
    db.commit()
    written = db.scalars(select(AuditEntry).where(AuditEntry.id.in_(ids))).all()
    in_chain = sorted(written, key=lambda e: e.id)
    assert [e.id for e in in_chain] == ids
    assert [e.object_id for e in in_chain] == [str(i) for i in range(50)]
    assert all(later.prev_hash == earlier.entry_hash for earlier, later in pairwise(in_chain))
    assert verify_ledger(db).intact


def test_entries_rolled_back_with_a_savepoint_leave_the_chain_whole(db: Session) -> None:
    _write(db, 2)
    record(db, ADMIN, "test:thing:seen", "thing", "kept")
    nested = db.begin_nested()
    record_many(db, ADMIN, [NewEntry("test:thing:seen", "thing", "undone", {})])
    nested.rollback()
    record(db, ADMIN, "test:thing:seen", "thing", "after")
    db.commit()
    assert verify_ledger(db).intact


def test_the_walk_reads_every_time_as_it_was_hashed(db: Session) -> None:
    # isoformat() leaves out microseconds on a whole second; the walk must write it the same.
    start = dt.datetime(2026, 7, 1, 23, 59, 59, tzinfo=dt.UTC)
    with clock.frozen_at(start) as frozen:
        for step in (0, 1, 999_999, 1_000_000, 137, 2_500_000):
            frozen.set(start + dt.timedelta(microseconds=step))
            record(db, ADMIN, "test:thing:seen", "thing", step)
    db.commit()
    assert verify_ledger(db).intact


def test_a_time_stored_in_another_form_or_read_in_another_zone_is_read_as_it_was_hashed(
    db: Session,
) -> None:
    (entry_id,) = _write(db, 1)
    _without_guard(db)
    if db.get_bind().dialect.name == "sqlite":  # SQLite keeps text: write it as ISO 8601
        db.execute(
            text("UPDATE audit_entries SET at = replace(at, ' ', 'T') || '+00:00' WHERE id = :id"),
            {"id": entry_id},
        )
    else:  # PostgreSQL keeps the instant, and shows it in the session's time zone
        db.execute(text("SET LOCAL TIME ZONE 'Asia/Kolkata'"))
    assert verify_ledger(db).intact


def test_the_database_refuses_to_change_or_delete_a_ledger_entry(db: Session) -> None:
    (entry_id,) = _write(db, 1)
    for statement in (
        "UPDATE audit_entries SET detail = '{}' WHERE id = :id",
        "DELETE FROM audit_entries WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
            db.execute(text(statement), {"id": entry_id})


def _without_guard(db: Session) -> None:
    """What an attacker with the database owner's rights could do."""
    if db.get_bind().dialect.name == "sqlite":
        db.execute(text("DROP TRIGGER audit_entries_no_update"))
        db.execute(text("DROP TRIGGER audit_entries_no_delete"))
    else:
        db.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))


def test_an_altered_entry_is_reported(db: Session) -> None:
    ids = _write(db, 4)
    _without_guard(db)
    db.execute(text("UPDATE audit_entries SET detail = '{}' WHERE id = :id"), {"id": ids[2]})
    report = verify_ledger(db)
    assert report.first_broken_id == ids[2]
    assert report.problem == "its contents were changed after it was written"


def test_a_removed_entry_is_reported(db: Session) -> None:
    ids = _write(db, 4)
    _without_guard(db)
    db.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": ids[1]})
    report = verify_ledger(db)
    assert report.first_broken_id == ids[2]
    assert report.problem == "does not follow the entry before it"


def test_a_hash_overwritten_with_something_else_is_reported(db: Session) -> None:
    ids = _write(db, 3)
    _without_guard(db)
    db.execute(
        text("UPDATE audit_entries SET entry_hash = 'not a hash' WHERE id = :id"), {"id": ids[1]}
    )
    report = verify_ledger(db)
    assert report.first_broken_id == ids[1]
    assert report.problem == "its contents were changed after it was written"
