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
import gc
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from hashlib import sha256
from itertools import repeat
from operator import itemgetter
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.audit.models import AuditEntry
from joinedup.audit.rules import GENESIS_HASH, canonical_json, entry_hash

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


# The time in SQLite's stored form, 2026-11-24 10:00:00.000000 (UTC, as SQLAlchemy writes it),
# which PostgreSQL is asked to write too, so one cheap rewrite gives `isoformat()`'s text.
_AT = {"sqlite": "at", "postgresql": "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"}
_AT_LENGTH = 26


def _entries(dialect: str) -> tuple[Any, ...]:
    """id, the parts of the canonical body in its keys' order, then the entry's own hash."""
    return (
        AuditEntry.id,
        AuditEntry.action,
        AuditEntry.actor_label,
        literal_column("coalesce(cast(actor_user_id AS text), 'null')"),
        literal_column(_AT[dialect]),
        AuditEntry.detail,
        AuditEntry.object_id,
        AuditEntry.object_type,
        AuditEntry.prev_hash,
        AuditEntry.entry_hash,
    )


def _batches(session: Session, until_id: int | None) -> Iterator[Sequence[Any]]:
    """Every entry as a plain tuple of text (`_entries`), in id order, in large keyset batches.

    Read through the driver's own cursor: ORM objects, and even SQLAlchemy's result rows, cost
    more to build than the hashing does. The statement is still built by SQLAlchemy, for the
    dialect, with the ids (integers we produce) written in as literals.
    """
    connection = session.connection()
    columns = _entries(connection.dialect.name)
    cursor = connection.connection.cursor()
    try:
        last_id = 0
        while True:
            query = select(*columns).where(AuditEntry.id > last_id)
            if until_id is not None:
                query = query.where(AuditEntry.id <= until_id)
            query = query.order_by(AuditEntry.id).limit(BATCH)
            sql = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
            cursor.execute(str(sql))
            rows = cursor.fetchall()
            if not rows:
                return
            yield rows
            last_id = int(rows[-1][0])
    finally:
        cursor.close()


def _walk(
    session: Session, *, until_id: int | None = None, through: Checkpoint | None = None
) -> tuple[LedgerReport, str]:
    """Check every entry in chain order.

    A batch is checked whole, a column at a time with the loops in C (`_links_intact`,
    `_batch_intact`). Only a batch that fails is walked entry by entry, hashed exactly as
    `audit.services` wrote it (`audit.rules.entry_hash`), to name the first entry that is wrong
    and say how.
    """
    prev_hash = GENESIS_HASH
    count = 0
    if through is not None and through.entries == 0 and through.head_hash != GENESIS_HASH:
        return LedgerReport(0, None, "the checkpoint's head does not start a chain"), prev_hash
    collecting = gc.isenabled()
    gc.disable()  # each batch makes a million objects and frees them: nothing to collect
    try:
        for rows in _batches(session, until_id):
            if not (_links_intact(rows, prev_hash) and _batch_intact(rows)):
                broken = _first_break(rows, count, prev_hash, through)
                if broken is not None:
                    return broken, prev_hash
            if through is not None and count < through.entries <= count + len(rows):
                head = rows[through.entries - count - 1]
                if head[-1] != through.head_hash:
                    return _rewritten(through, head[0]), prev_hash
            prev_hash = rows[-1][-1]
            count += len(rows)
    finally:
        if collecting:
            gc.enable()
    if through is not None and count < through.entries:
        return LedgerReport(
            count,
            None,
            f"the checkpoint of {through.day.isoformat()} counts {through.entries} entries but "
            f"the ledger holds {count}: entries were removed",
        ), prev_hash
    return LedgerReport(count, None, None), prev_hash


def _links_intact(rows: Sequence[Any], prev_hash: str) -> bool:
    """Whether each entry (prev_hash, entry_hash last) follows the one before it."""
    prevs, stored = tuple(map(_PREV, rows)), tuple(map(_OWN, rows))
    return prevs[0] == prev_hash and prevs[1:] == stored[:-1]


_PREV, _OWN = itemgetter(-2), itemgetter(-1)


def _batch_intact(rows: Sequence[Any]) -> bool:
    """Whether every entry (`_entries`) hashes to its own hash.

    The canonical body is rebuilt by string replacement, which escapes as json.dumps does for
    any text without control characters; an entry with one fails here and is hashed exactly
    by `_first_break`, so this only ever decides quickly that a batch is whole. Each step maps
    over a whole column, so the loops run in C.
    """
    _, actions, labels, users, ats, details, oids, otypes, prevs, stored = zip(*rows, strict=True)
    if min(map(len, ats)) != _AT_LENGTH or max(map(len, ats)) != _AT_LENGTH:
        return False
    # isoformat(): a T between date and time, and no microseconds on a whole second.
    isos = _replaced(_replaced(ats, " ", "T"), ".000000", "")
    digests = map(
        _digest,
        _escaped_few(actions),
        _escaped_few(labels),
        users,
        isos,
        _escaped(details),
        _escaped(oids),
        _escaped_few(otypes),
        prevs,
    )
    try:
        return b"".join(digests) == bytes.fromhex("".join(stored))
    except ValueError:  # a stored hash that is not hex: _first_break names it
        return False


def _digest(
    action: str,
    label: str,
    user_id: str,
    at: str,
    detail: str,
    object_id: str,
    object_type: str,
    prev: str,
) -> bytes:
    """The sha256 of audit.rules.entry_hash's canonical JSON, written out: the keys in sorted
    order, compact separators, the strings escaped (`_escaped`), the user id as digits or null,
    the time without its zone. (An f-string: the fastest way Python has to join strings.)
    tests/integration/test_audit_checkpoints.py checks the two agree, tricky strings included.
    """
    return sha256(
        f'{{"action":"{action}","actor_label":"{label}","actor_user_id":{user_id},'
        f'"at":"{at}+00:00","detail":"{detail}","object_id":"{object_id}",'
        f'"object_type":"{object_type}","prev":"{prev}"}}'.encode()
    ).digest()


def _escaped(texts: Iterable[str]) -> Iterator[str]:
    """Each text as json.dumps escapes it (but for control characters), without its quotes."""
    return _replaced(_replaced(texts, "\\", "\\\\"), '"', '\\"')


def _escaped_few(texts: Sequence[str]) -> Iterator[str]:
    """`_escaped` for a column of few distinct values (actions, actors, object types)."""
    distinct = list(set(texts))
    escaped = dict(zip(distinct, _escaped(distinct), strict=True))
    return map(escaped.__getitem__, texts)


def _replaced(texts: Iterable[str], old: str, new: str) -> Iterator[str]:
    return map(str.replace, texts, repeat(old), repeat(new))


def _first_break(
    rows: Sequence[Any], count: int, prev_hash: str, through: Checkpoint | None
) -> LedgerReport | None:
    """The first entry of the batch that breaks the chain, and how; None when none does (an
    entry with a control character in its text, which only the exact hashing gets right)."""
    for id_, action, label, user, at, detail, oid, otype, prev, stored in rows:
        if prev != prev_hash:
            return LedgerReport(count, id_, "does not follow the entry before it")
        digest = entry_hash(
            prev_hash=prev,
            at_iso=_iso_from_text(at),
            actor_user_id=None if user == "null" else int(user),
            actor_label=label,
            action=action,
            object_type=otype,
            object_id=oid,
            detail=detail,
        )
        if digest != stored:
            return LedgerReport(count, id_, "its contents were changed after it was written")
        prev_hash = stored
        count += 1
        if through is not None and count == through.entries and stored != through.head_hash:
            return _rewritten(through, id_)
    return None


def _iso_from_text(stored: str) -> str:
    """`datetime.isoformat()` of a UTC time stored as text in any form fromisoformat reads."""
    parsed = dt.datetime.fromisoformat(stored)
    return parsed.replace(tzinfo=parsed.tzinfo or dt.UTC).astimezone(dt.UTC).isoformat()


def _rewritten(through: Checkpoint, id_: int) -> LedgerReport:
    return LedgerReport(
        through.entries,
        id_,
        f"is where the checkpoint of {through.day.isoformat()} ends, but its hash differs: "
        "the chain up to that day was rewritten",
    )
