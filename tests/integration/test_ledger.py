"""The ledger is hash-chained, append-only, and tampering is detected, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from joinedup.audit.checkpoints import verify_ledger
from joinedup.audit.services import record
from tests.factories import ADMIN


def _write(db: Session, n: int) -> list[int]:
    ids = [record(db, ADMIN, "test:thing:seen", "thing", i, note=f"entry {i}").id for i in range(n)]
    db.commit()
    return ids


def test_an_untouched_chain_verifies(db: Session) -> None:
    _write(db, 5)
    report = verify_ledger(db)
    assert report.intact and report.entries >= 5


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
