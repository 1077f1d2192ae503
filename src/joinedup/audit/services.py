"""Appending to the ledger, inside the caller's transaction.

The entry is written in the same transaction as the change or read it records, so a
change is never on file without its entry, nor an entry without its change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.models import AuditEntry
from joinedup.audit.rules import GENESIS_HASH, canonical_json, entry_hash

# Any fixed number: it names the one advisory lock that serialises appends on PostgreSQL.
_CHAIN_LOCK = 0x4A55_4155


def record(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object,
    **detail: Any,
) -> AuditEntry:
    """Append one entry chained to the last; the caller commits. Returns the new entry."""
    if session.get_bind().dialect.name == "postgresql":
        # Two appends must not both chain onto the same predecessor.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    prev = session.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1))
    at = clock.now()
    fields = {
        "at_iso": at.isoformat(),
        "actor_user_id": actor.user_id,
        "actor_label": actor.label,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "detail": canonical_json(detail),
    }
    prev_hash = prev or GENESIS_HASH
    entry = AuditEntry(
        at=at,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=fields["detail"],
        prev_hash=prev_hash,
        entry_hash=entry_hash(prev_hash=prev_hash, **fields),  # type: ignore[arg-type]
    )
    session.add(entry)
    session.flush()
    return entry
