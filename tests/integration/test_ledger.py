"""The ledger is hash-chained, append-only, and tampering is detected, on both databases."""

from __future__ import annotations

from itertools import pairwise

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

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
