"""Signed daily checkpoints of the ledger, and a fast walk of the chain that checks them.

A checkpoint is the chain's head (its hash, the id of the entry, and how many entries lead to
it) as of the end of one London day, signed with HMAC-SHA256 under the hub's secret key. An
agency keeps the JSON outside the hub; later, `joinedup audit verify --checkpoint FILE` proves
the chain still passes through that head: nothing written up to that day was altered, removed
or reordered since, even by someone able to rewrite the whole chain after it (they would need
the old head to come out the same). Checking the signature needs the hub's key, so the agency
asks the hub to verify, or keeps the head hash, which alone pins the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.audit.models import AuditEntry
from joinedup.audit.rules import GENESIS_HASH, canonical_json

FORMAT = "joinedup ledger checkpoint 1"
ALGORITHM = "HMAC-SHA256"
BATCH = 50_000


class CheckpointError(Exception):
    """A checkpoint cannot be made or read; the message says why and what to do."""


@dataclass(frozen=True)
class Checkpoint:
    day: dt.date  # the London day it closes
    as_of: dt.datetime  # the end of that day, in UTC: entries written before it are counted
    entries: int  # entries in the chain up to and including the head
    head_id: int | None  # None when the ledger was empty
    head_hash: str
    signature: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "algorithm": ALGORITHM,
            "day": self.day.isoformat(),
            "as_of": self.as_of.isoformat(),
            "entries": self.entries,
            "head_id": self.head_id,
            "head_hash": self.head_hash,
        }

    def signed(self, key: str) -> Checkpoint:
        return Checkpoint(**{**self.__dict__, "signature": _sign(self.body(), key)})

    def signature_valid(self, key: str) -> bool:
        return hmac.compare_digest(self.signature, _sign(self.body(), key))

    def to_json(self) -> str:
        return json.dumps({**self.body(), "signature": self.signature}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """Read a checkpoint file; raises CheckpointError when it is not one."""
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise ValueError("format")
            return cls(
                day=dt.date.fromisoformat(data["day"]),
                as_of=clock.aware_utc(dt.datetime.fromisoformat(data["as_of"])),
                entries=int(data["entries"]),
                head_id=None if data["head_id"] is None else int(data["head_id"]),
                head_hash=str(data["head_hash"]),
                signature=str(data["signature"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise CheckpointError(
                "This is not a joinedup ledger checkpoint (or it is damaged): make one with "
                "`joinedup audit checkpoint`."
            ) from None


@dataclass(frozen=True)
class LedgerReport:
    entries: int  # verified, in chain order
    first_broken_id: int | None
    problem: str | None  # what is wrong, in words (the chain, or the checkpoint)

    @property
    def intact(self) -> bool:
        return self.problem is None


def end_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the end of a London day, in UTC (23:00 UTC in summer time)."""
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=clock.LONDON)
    return midnight.astimezone(dt.UTC)


def daily_checkpoint(session: Session, day: dt.date, key: str) -> Checkpoint:
    """The chain head as of the end of `day` (London), signed with `key` (the hub's secret).

    Raises CheckpointError when the day is not over yet, or when the chain up to the head does
    not verify (a checkpoint must never vouch for a broken chain).
    """
    as_of = end_of_day(day)
    if as_of > clock.now():
        raise CheckpointError(
            f"{day.isoformat()} is not over yet: checkpoint it from midnight, or choose an "
            "earlier day."
        )
    head_id = session.scalar(select(func.max(AuditEntry.id)).where(AuditEntry.at < as_of))
    if head_id is None:
        return Checkpoint(day, as_of, 0, None, GENESIS_HASH).signed(key)
    report, head_hash = _walk(session, until_id=head_id)
    if not report.intact:
        raise CheckpointError(
            f"The ledger does not verify: entry {report.first_broken_id} {report.problem}. "
            "No checkpoint was made; run `joinedup audit verify`."
        )
    return Checkpoint(day, as_of, report.entries, head_id, head_hash).signed(key)


def verify_ledger(session: Session, through: Checkpoint | None = None) -> LedgerReport:
    """Recompute every hash in chain order; report the first entry altered, removed or
    reordered, and, given a checkpoint (signature already checked), whether the chain still
    passes through its head: the same hash after the same number of entries."""
    report, _ = _walk(session, through=through)
    return report


# --- How ---------------------------------------------------------------------------------


def _sign(body: dict[str, Any], key: str) -> str:
    return hmac.new(key.encode(), canonical_json(body).encode(), hashlib.sha256).hexdigest()


_COLUMNS = (
    AuditEntry.id,
    AuditEntry.at,
    AuditEntry.actor_user_id,
    AuditEntry.actor_label,
    AuditEntry.action,
    AuditEntry.object_type,
    AuditEntry.object_id,
    AuditEntry.detail,
    AuditEntry.prev_hash,
    AuditEntry.entry_hash,
)


def _batches(
    session: Session, until_id: int | None
) -> Iterator[tuple[Callable[[Any], str], Sequence[Any]]]:
    """Every entry as a plain tuple, in id order, in large keyset batches, each with the
    function that turns the time (the second item) into `datetime.isoformat()`'s text.

    Read through the driver's own cursor: ORM objects, and even SQLAlchemy's result rows, cost
    more to build than the hashing does. The statement is still built by SQLAlchemy, for the
    dialect, with the ids (integers we produce) written in as literals.
    """
    connection = session.connection()
    on_sqlite = connection.dialect.name == "sqlite"
    # SQLite keeps the time as text; reading it as text spares parsing it into a datetime only
    # to print it again (_iso_from_sqlite). PostgreSQL hands back an aware datetime.
    to_iso: Callable[[Any], str] = _iso_from_sqlite if on_sqlite else _iso_from_datetime
    cursor = connection.connection.cursor()
    try:
        last_id = 0
        while True:
            query = select(*_COLUMNS).where(AuditEntry.id > last_id)
            if until_id is not None:
                query = query.where(AuditEntry.id <= until_id)
            query = query.order_by(AuditEntry.id).limit(BATCH)
            sql = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
            cursor.execute(str(sql))
            rows = cursor.fetchall()
            if not rows:
                return
            yield to_iso, rows
            last_id = int(rows[-1][0])
    finally:
        cursor.close()


def _iso_from_datetime(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat()


def _iso_from_sqlite(stored: str) -> str:
    """`datetime.isoformat()` of the UTC time SQLAlchemy stored as 2026-11-24 10:00:00.000000."""
    if len(stored) != 26 or stored[10] != " ":
        # Not the shape SQLAlchemy writes: parse it the slow, sure way.
        parsed = dt.datetime.fromisoformat(stored)
        return parsed.replace(tzinfo=parsed.tzinfo or dt.UTC).astimezone(dt.UTC).isoformat()
    micro = stored[20:]
    # isoformat() leaves out the microseconds when there are none.
    return stored[:10] + "T" + stored[11:19] + ("" if micro == "000000" else "." + micro) + "+00:00"


def _walk(
    session: Session, *, until_id: int | None = None, through: Checkpoint | None = None
) -> tuple[LedgerReport, str]:
    prev_hash = GENESIS_HASH
    count = 0
    sha256 = hashlib.sha256
    if through is not None and through.entries == 0 and through.head_hash != GENESIS_HASH:
        return LedgerReport(0, None, "the checkpoint's head does not start a chain"), prev_hash
    stop = through.entries if through is not None else -1
    encode = encode_basestring
    for to_iso, batch in _batches(session, until_id):
        for id_, at, user_id, label, action, otype, oid, detail, prev, stored in batch:
            if prev != prev_hash:
                return LedgerReport(count, id_, "does not follow the entry before it"), prev_hash
            # prev is a hash already checked (hex) and at is digits: neither needs escaping.
            body = _BODY % (
                encode(action),
                encode(label),
                "null" if user_id is None else int(user_id),
                to_iso(at),
                encode(detail),
                encode(oid),
                encode(otype),
                prev,
            )
            if sha256(body.encode()).hexdigest() != stored:
                return LedgerReport(
                    count, id_, "its contents were changed after it was written"
                ), prev_hash
            prev_hash = stored
            count += 1
            if count == stop and stored != through.head_hash:  # type: ignore[union-attr]
                return LedgerReport(
                    count,
                    id_,
                    f"is where the checkpoint of {through.day.isoformat()} ends, but its hash "  # type: ignore[union-attr]
                    "differs: the chain up to that day was rewritten",
                ), prev_hash
    if through is not None and count < through.entries:
        return LedgerReport(
            count,
            None,
            f"the checkpoint of {through.day.isoformat()} counts {through.entries} entries but "
            f"the ledger holds {count}: entries were removed",
        ), prev_hash
    return LedgerReport(count, None, None), prev_hash


# audit.rules.entry_hash's canonical JSON, written out: the keys in sorted order, compact
# separators, strings escaped exactly as json.dumps(ensure_ascii=False) escapes them.
# tests/integration/test_audit_checkpoints.py checks the two agree, tricky strings included.
_BODY = (
    '{"action":%s,"actor_label":%s,"actor_user_id":%s,"at":"%s","detail":%s,'
    '"object_id":%s,"object_type":%s,"prev":"%s"}'
)
