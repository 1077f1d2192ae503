"""Reading the ledger: verification of the whole chain."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.audit.models import AuditEntry
from joinedup.audit.rules import GENESIS_HASH, entry_hash


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_broken_id: int | None
    problem: str | None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def verify_chain(session: Session, batch: int = 10_000) -> ChainReport:
    """Recompute every hash in order; report the first entry altered, removed or reordered."""
    prev_hash = GENESIS_HASH
    count = 0
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return ChainReport(count, None, None)
        for row in rows:
            if row.prev_hash != prev_hash:
                return ChainReport(count, row.id, "does not follow the entry before it")
            expected = entry_hash(
                prev_hash=row.prev_hash,
                at_iso=row.at.isoformat(),
                actor_user_id=row.actor_user_id,
                actor_label=row.actor_label,
                action=row.action,
                object_type=row.object_type,
                object_id=row.object_id,
                detail=row.detail,
            )
            if expected != row.entry_hash:
                return ChainReport(count, row.id, "its contents were changed after it was written")
            prev_hash = row.entry_hash
            count += 1
            last_id = row.id
        session.expunge_all()
