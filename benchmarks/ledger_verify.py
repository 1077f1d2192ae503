"""How fast `verify_ledger` walks the chain, in entries a second (SQLite, and PostgreSQL).

Writes a ledger of 300,000 entries by default: the first 2,000 through audit.services.record,
the rest chained on by the same hashing rules (audit.rules.entry_hash) and inserted in batches,
with the kinds of entry the hub writes (disclosures with their categories and agreements,
contacts received, sign-ins; some labels with accents and quotes). Checks that the ledger
verifies whole, then times `verify_ledger`. The baselines, in the same run on the same table:
`SELECT count(*)`, and a plain scan reading every column of every row through the driver's
cursor in the same batches, without hashing (the floor for any walk that reads every entry).

Target: at least 100,000 entries a second. The verify rate is also given in this process's CPU
time, what the walk itself costs whatever else the machine is running (for PostgreSQL, without
the server's own work).

    .venv/bin/python benchmarks/ledger_verify.py [--runs 3] [--entries 300000]
        [--databases sqlite postgresql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from support.hub import migrated, scratch_database  # noqa: E402

from joinedup.actor import Actor  # noqa: E402
from joinedup.audit.checkpoints import BATCH, verify_ledger  # noqa: E402
from joinedup.audit.models import AuditEntry  # noqa: E402
from joinedup.audit.rules import canonical_json, entry_hash  # noqa: E402
from joinedup.audit.services import record  # noqa: E402

THROUGH_SERVICE = 2_000
INSERT_BATCH = 10_000
ACTORS = [
    Actor("Sam Singh (Nottinghamshire Children's Social Care)", user_id=12),
    Actor("Zoë O'Connor (Nottinghamshire Police)", user_id=57),
    Actor('Pat "PJ" Jones (Sherwood Forest Hospitals)', user_id=203),
    Actor.system("joinedup demo"),
]


def _entry(rng: random.Random, n: int) -> tuple[Actor, str, str, str, dict[str, Any]]:
    actor = rng.choice(ACTORS)
    kind = rng.random()
    if kind < 0.7:
        detail: dict[str, Any] = {
            "purpose": "safeguarding_children",
            "owner_agency_id": rng.randrange(1, 90),
            "master_person_id": rng.randrange(1, 50_000),
            "permitted": ["demographics", "social_care_history"],
            "denied": {"criminal_offence": "role_not_granted"} if rng.random() < 0.3 else {},
            "agreement_ids": [1],
            "break_glass": False,
        }
        return actor, "user:agency_record:disclosed", "agency_record", str(n), detail
    if kind < 0.9:
        detail = {"reference": f"MASH-2026-{n:06d}", "channel": "api"}
        return actor, "referrer:contact:received", "contact", str(n), detail
    return actor, "user:session:signed_in", "user", str(actor.user_id), {}


def write_ledger(engine: Engine, entries: int) -> float:
    """Write `entries` chained entries; seconds taken."""
    rng = random.Random(300)  # noqa: S311 (test data, not security)
    started = time.perf_counter()
    with Session(engine) as session:
        for n in range(min(entries, THROUGH_SERVICE)):
            actor, action, otype, oid, detail = _entry(rng, n)
            record(session, actor, action, otype, oid, **detail)
            if n % 500 == 499:
                session.commit()
        session.commit()
        prev = session.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()))
        assert prev is not None
        at = dt.datetime.now(dt.UTC)
        rows: list[dict[str, Any]] = []
        for n in range(THROUGH_SERVICE, entries):
            actor, action, otype, oid, detail = _entry(rng, n)
            # Some entries land on a whole second (isoformat then leaves the microseconds out).
            at += dt.timedelta(microseconds=rng.choice([0, 1, 137, 2_500]))
            if rng.random() < 0.01:
                at = at.replace(microsecond=0) + dt.timedelta(seconds=1)
            fields = {
                "at_iso": at.isoformat(),
                "actor_user_id": actor.user_id,
                "actor_label": actor.label,
                "action": action,
                "object_type": otype,
                "object_id": oid,
                "detail": canonical_json(detail),
            }
            digest = entry_hash(prev_hash=prev, **fields)
            rows.append(
                {
                    "at": at,
                    "actor_user_id": actor.user_id,
                    "actor_label": actor.label,
                    "action": action,
                    "object_type": otype,
                    "object_id": oid,
                    "detail": fields["detail"],
                    "prev_hash": prev,
                    "entry_hash": digest,
                }
            )
            prev = digest
            if len(rows) == INSERT_BATCH:
                session.execute(insert(AuditEntry), rows)
                session.commit()
                rows = []
        if rows:
            session.execute(insert(AuditEntry), rows)
        session.commit()
    return time.perf_counter() - started


def plain_scan(session: Session) -> int:
    """Every column of every row, in id order, in verify's batches, through the driver's cursor."""
    connection = session.connection()
    cursor = connection.connection.cursor()
    table = AuditEntry.__table__
    columns = ", ".join(c.name for c in table.columns)
    rows, last = 0, 0
    try:
        while True:
            cursor.execute(
                f"SELECT {columns} FROM {table.name} WHERE id > {last} "  # noqa: S608 (our ids)
                f"ORDER BY id LIMIT {BATCH}"
            )
            batch = cursor.fetchall()
            if not batch:
                return rows
            rows += len(batch)
            last = int(batch[-1][0])
    finally:
        cursor.close()


def measure(url: str, entries: int, runs: int) -> dict[str, Any]:
    engine = migrated(url)
    try:
        written = write_ledger(engine, entries)
        rounds = []
        for _ in range(runs):
            with Session(engine) as session:
                started = time.perf_counter()
                counted = session.scalar(select(func.count()).select_from(AuditEntry))
                count_s = time.perf_counter() - started
            with Session(engine) as session:
                started = time.perf_counter()
                scanned = plain_scan(session)
                scan_s = time.perf_counter() - started
            with Session(engine) as session:
                started, cpu = time.perf_counter(), time.process_time()
                report = verify_ledger(session)
                verify_s = time.perf_counter() - started
                verify_cpu_s = time.process_time() - cpu
            assert report.intact, report
            assert report.entries == counted == scanned, (report.entries, counted, scanned)
            rounds.append(
                {
                    "verify_entries_per_s": report.entries / verify_s,
                    "verify_s": verify_s,
                    # This process's CPU: for PostgreSQL, without the server's own work.
                    "verify_cpu_entries_per_s": report.entries / verify_cpu_s,
                    "plain_scan_entries_per_s": scanned / scan_s,
                    "count_star_s": count_s,
                    "verify_over_plain_scan": verify_s / scan_s,
                    "verify_over_count_star": verify_s / count_s,
                }
            )
        result: dict[str, Any] = {
            key: round(statistics.median(r[key] for r in rounds), 3) for key in rounds[0]
        }
        return {"entries": report.entries, "intact": report.intact, "write_s": written} | result
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--entries", type=int, default=300_000)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    results = {}
    for kind in args.databases:
        with scratch_database(kind) as url:
            results[kind] = measure(url, args.entries, args.runs)
    print(
        json.dumps(
            {
                "runs": args.runs,
                "target": {"verify_entries_per_s": 100_000},
                "medians": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
