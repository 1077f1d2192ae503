"""Appending to the ledger, inside the caller's transaction.

The entry is written in the same transaction as the change or read it records, so a
change is never on file without its entry, nor an entry without its change.

Appends are serialised so the chain never forks: two transactions must not both chain onto
the same last entry. On PostgreSQL an advisory lock, held to the end of the transaction, is
taken before the last hash is read; on SQLite every transaction takes the write lock at BEGIN
(joinedup.db), which does the same. Either way the lock is held until the transaction ends, so
after its first append a transaction knows the chain's head without reading it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session, SessionTransaction

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.models import AuditEntry
from joinedup.audit.rules import GENESIS_HASH, canonical_json, entry_hash

# Any fixed number: it names the one advisory lock that serialises appends on PostgreSQL.
_CHAIN_LOCK = 0x4A55_4155
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_LAST_HASH = select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
# Run as Core on the session's connection: a page's entries go in one multi-row INSERT ...
# RETURNING. (Asking SQLAlchemy to sort the returned rows by parameter order makes it insert
# one row at a time on SQLite, so rows come back with their hashes, unique, and match on them.)
_INSERT = insert(AuditEntry).returning(AuditEntry.id, AuditEntry.entry_hash)
# In session.info: the hash this transaction last appended, while it holds the chain's lock.
_HEAD = "joinedup.audit.head"


@dataclass(frozen=True)
class NewEntry:
    """One entry to append with `record_many`: what was done to which object, and the detail."""

    action: str  # subject:object:action, e.g. user:agency_record:disclosed
    object_type: str
    object_id: object
    detail: Mapping[str, Any]


def record(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object,
    **detail: Any,
) -> AuditEntry:
    """Append one entry chained to the last; the caller commits. Returns the new entry."""
    (row,) = _chained(
        _last_hash(session),
        clock.now(),
        [(actor, NewEntry(action, object_type, object_id, detail))],
    )
    entry = AuditEntry(**row)
    session.add(entry)
    session.flush()
    session.info[_HEAD] = entry.entry_hash
    return entry


def record_many(session: Session, actor: Actor, entries: Sequence[NewEntry]) -> list[int]:
    """Append the entries in order, at one time, chained in memory onto the last entry, in one
    INSERT; the caller commits. Returns their ids, in the same order."""
    return record_each(session, [(actor, entry) for entry in entries])


def record_each(session: Session, entries: Sequence[tuple[Actor, NewEntry]]) -> list[int]:
    """record_many with each entry's own actor (intake takes in several referrers' contacts
    in one transaction)."""
    if not entries:
        return []
    rows = _chained(_last_hash(session), clock.now(), entries)
    returned = dict(
        (digest, entry_id) for entry_id, digest in session.connection().execute(_INSERT, rows)
    )
    ids = [returned[row["entry_hash"]] for row in rows]
    if ids != sorted(ids):
        # The walk follows ids; a database that numbered the rows out of order would break the
        # chain, so the whole transaction is refused rather than the ledger left unverifiable.
        raise RuntimeError(f"the database numbered ledger entries out of order: {ids}")
    session.info[_HEAD] = rows[-1]["entry_hash"]
    return ids


def _last_hash(session: Session) -> str:
    head: str | None = session.info.get(_HEAD)
    if head is not None:
        return head
    if session.get_bind().dialect.name == "postgresql":
        # Two appends must not both chain onto the same predecessor.
        session.execute(_LOCK, {"key": _CHAIN_LOCK})
    return session.scalar(_LAST_HASH) or GENESIS_HASH


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session: Session, _transaction: SessionTransaction) -> None:
    # At every end, a savepoint's included: a savepoint rolled back may have taken entries (and,
    # on PostgreSQL, the lock) with it, and after a commit another writer may append.
    session.info.pop(_HEAD, None)


def _chained(
    prev_hash: str, at: dt.datetime, entries: Sequence[tuple[Actor, NewEntry]]
) -> list[dict[str, Any]]:
    """The rows to insert, each hashed over the one before it (audit.rules.entry_hash)."""
    at_iso = at.isoformat()
    rows = []
    for actor, entry in entries:
        row: dict[str, Any] = {
            "at": at,
            "actor_user_id": actor.user_id,
            "actor_label": actor.label,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": str(entry.object_id),
            "detail": canonical_json(dict(entry.detail)),
            "prev_hash": prev_hash,
        }
        prev_hash = row["entry_hash"] = entry_hash(
            prev_hash=prev_hash,
            at_iso=at_iso,
            actor_user_id=actor.user_id,
            actor_label=actor.label,
            action=entry.action,
            object_type=entry.object_type,
            object_id=row["object_id"],
            detail=row["detail"],
        )
        rows.append(row)
    return rows
