"""Intake through the API, sustained, on loopback: contacts a second and latency (issue 4).

Builds a small hub (the migrations, one police referrer with a sign-in and an API token) on
SQLite and on a throwaway PostgreSQL, serves it with uvicorn in a subprocess on 127.0.0.1 in
--workers processes (as `joinedup serve --workers N` runs it), and drives it from this process
with a lean keep-alive HTTP client (support/load.py): a bounded number of concurrent clients,
each posting valid contacts with a unique Idempotency-Key, for a fixed time. Measures
throughput, p50/p99 latency and the CPU the server and the clients spend per request, and
afterwards checks that every contact acknowledged with 201 is in the database (the references
match exactly). The baseline, on the same server in the same run: GET /healthz, driven the
same way.

With --county N, the hub also holds a synthetic county of N people (every agency's records
imported, as the demo does) and a linkage model trained on them, and the contacts are about
its children (some first names misspelt, some with an NHS number, half with a parent): intake
is measured first matching by NHS number and UPN alone, then, on a fresh server, with the
model's online matcher resident in every worker.

Targets: at least 200 contacts a second with p99 under 150 ms.

    .venv/bin/python benchmarks/intake_api.py [--runs 3] [--seconds 8] [--clients 8 16 32]
        [--workers 2] [--databases sqlite postgresql] [--county 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from support.county import county_hub  # noqa: E402
from support.hub import Server, intake_hub, scratch_database  # noqa: E402
from support.load import (  # noqa: E402
    Answer,
    Connection,
    Request,
    cpu_seconds,
    database_cpu_seconds,
    drive,
)

from joinedup.db import make_engine  # noqa: E402
from joinedup.frontdoor.models import Contact, ContactSubject, SubjectCandidate  # noqa: E402
from joinedup.linkage import model_file  # noqa: E402
from joinedup.linkage.training import LinkageModel  # noqa: E402

GIVEN = ["Jade", "Liam", "Ava", "Noah", "Mia", "Leo", "Isla", "Oscar", "Ruby", "Alfie"]
FAMILY = ["Smith", "Jones", "Walker", "Patel", "Khan", "Brown", "Taylor", "Wilson", "Evans"]
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit)\b.*")
CONCERNS = ["neglect", "domestic_abuse", "physical_abuse", "emotional_abuse", "other"]


def _children(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """A pool of children, so some are referred more than once (known people finds them)."""
    start = dt.date(2009, 1, 1)
    return [
        (
            rng.choice(GIVEN),
            rng.choice(FAMILY),
            (start + dt.timedelta(days=rng.randrange(0, 16 * 365))).isoformat(),
        )
        for _ in range(count)
    ]


def contact_bodies(seed: int) -> Callable[[], dict[str, Any]]:
    rng = random.Random(seed)  # noqa: S311 (test data, not security)
    pool = _children(rng, 5_000)

    def body() -> dict[str, Any]:
        given, family, born = rng.choice(pool)
        subjects: list[dict[str, Any]] = [
            {
                "kind": "child",
                "given_name": given,
                "family_name": family,
                "date_of_birth": born,
                "postcode": "NG18 1AB",
            }
        ]
        if rng.random() < 0.5:
            subjects.append(
                {
                    "role": "household_member",
                    "kind": "adult",
                    "given_name": rng.choice(GIVEN),
                    "family_name": family,
                    "relationship": "mother's partner",
                }
            )
        return {
            "subjects": subjects,
            "concern_categories": rng.sample(CONCERNS, rng.randint(1, 2)),
            "what_happened": "Called to a disturbance at the address; the child was in the house.",
            "urgency": rng.choice(["immediate", "urgent", "routine"]),
            "consent": "not_sought",
            "consent_not_sought_reason": "c",
        }

    return body


def timed(port: int, server_pid: int, clients: int, seconds: float, request: Request) -> Any:
    """drive(), with the CPU the server (all its workers), PostgreSQL's processes (none on
    SQLite: it runs in the server) and these clients spent a request."""
    server_before, clients_before = cpu_seconds(server_pid), time.process_time()
    database_before = database_cpu_seconds()
    result = asyncio.run(drive(port, clients, seconds, request))
    server_cpu = cpu_seconds(server_pid) - server_before
    database_cpu = database_cpu_seconds() - database_before
    client_cpu = time.process_time() - clients_before
    result["server_cpu_ms"] = 1000 * server_cpu / result["requests"]
    result["database_cpu_ms"] = 1000 * database_cpu / result["requests"]
    result["client_cpu_ms"] = 1000 * client_cpu / result["requests"]
    return result


def measure(
    url: str,
    token: str,
    body: Callable[[], dict[str, Any]],
    args: argparse.Namespace,
    model: LinkageModel | None = None,
) -> dict[str, Any]:
    """Serve the hub at url (with the model under its data directory, if given) and drive it."""
    runs, seconds, concurrency, workers = args.runs, args.seconds, args.clients, args.workers
    work = Path(tempfile.mkdtemp(prefix="joinedup-bench-intake-"))
    try:
        headers = {"Authorization": f"Bearer {token}"}
        if model is not None:
            model_file.save(model, model_file.model_folder(work))

        async def post_contact(connection: Connection) -> Answer:
            key = {"Idempotency-Key": str(uuid.uuid4())}
            return await connection.post_json("/api/v1/contacts", body(), headers | key)

        async def healthz(connection: Connection) -> Answer:
            return await connection.get("/healthz")

        starting = time.perf_counter()
        server = Server(url, work, work / "uvicorn.log", workers=workers)
        started_in = time.perf_counter() - starting
        pid = server.process.pid
        acknowledged: list[str] = []
        other: Counter[str] = Counter()
        rounds: dict[int, list[dict[str, Any]]] = {n: [] for n in concurrency}
        try:
            asyncio.run(drive(server.port, 4, 2, post_contact))  # warm up (not counted)
            warm = [r.reference for r in _contacts(url)]
            first_subject = _people_found(url, 0)["last_subject_id"]
            for _ in range(runs):
                for clients in concurrency:
                    base = timed(server.port, pid, clients, seconds / 2, healthz)
                    intake = timed(server.port, pid, clients, seconds, post_contact)
                    acknowledged += [
                        a.json()["reference"] for a in intake["answers"] if a.status == 201
                    ]
                    for status, n in intake["statuses"].items():
                        if status != "201":
                            other[status] += n
                    rounds[clients].append(
                        {
                            "contacts_per_s": intake["per_s"],
                            "p50_ms": intake["p50_ms"],
                            "p99_ms": intake["p99_ms"],
                            "server_cpu_ms_per_contact": intake["server_cpu_ms"],
                            "database_cpu_ms_per_contact": intake["database_cpu_ms"],
                            "client_cpu_ms_per_contact": intake["client_cpu_ms"],
                            "healthz_per_s": base["per_s"],
                            "healthz_p99_ms": base["p99_ms"],
                            "server_cpu_ms_per_healthz": base["server_cpu_ms"],
                            "intake_over_healthz": intake["per_s"] / base["per_s"],
                        }
                    )
        finally:
            alive = server.process.poll() is None
            server.stop()
        stored = {r.reference for r in _contacts(url)} - set(warm)
        result: dict[str, Any] = {
            str(clients): {
                key: round(statistics.median(r[key] for r in rows), 3) for key in rows[0]
            }
            for clients, rows in rounds.items()
        }
        # Each run's throughput: how two workers share a few keep-alive connections varies.
        for clients, rows in rounds.items():
            result[str(clients)]["contacts_per_s_each_run"] = [
                round(r["contacts_per_s"], 1) for r in rows
            ]
        result["server_start_s"] = round(started_in, 1)
        result["people_named"] = _people_found(url, first_subject)
        result["acknowledged_201"] = len(acknowledged)
        result["in_database"] = len(stored)
        result["every_acknowledged_contact_stored"] = set(acknowledged) == stored
        result["other_answers"] = dict(other)
        log = (work / "uvicorn.log").read_text()
        result["server_alive_at_end"] = alive
        result["server_errors_logged"] = log.count("Traceback")
        # The last line of each traceback: the exception and its message.
        raised = Counter(line[:160] for line in log.splitlines() if _EXCEPTION.match(line))
        result["server_exceptions"] = dict(raised)
        if log.strip():
            print(f"uvicorn's log ({url.split(':')[0]}):\n{log[-5000:]}", file=sys.stderr)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _people_found(url: str, after_subject_id: int) -> dict[str, int]:
    """How many people named since after_subject_id were linked, or left with candidates for a
    manager to review."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            subjects = connection.execute(
                select(ContactSubject.id, ContactSubject.master_person_id).where(
                    ContactSubject.id > after_subject_id
                )
            ).all()
            with_candidates = set(
                connection.scalars(
                    select(SubjectCandidate.contact_subject_id).where(
                        SubjectCandidate.contact_subject_id > after_subject_id
                    )
                )
            )
    finally:
        engine.dispose()
    return {
        "last_subject_id": max((s.id for s in subjects), default=after_subject_id),
        "named": len(subjects),
        "linked_to_the_people_index": sum(1 for s in subjects if s.master_person_id),
        "not_linked_with_candidates_to_review": sum(
            1 for s in subjects if not s.master_person_id and s.id in with_candidates
        ),
    }


def _contacts(url: str) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(select(Contact.reference)))
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0, help="per intake measurement")
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 16, 32])
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--county", type=int, default=0, help="people in a synthetic county")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    load_before = os.getloadavg()
    for kind in args.databases:
        with scratch_database(kind) as url, tempfile.TemporaryDirectory() as folder:
            token = intake_hub(url)
            if not args.county:
                results[kind] = measure(url, token, contact_bodies(seed=4), args)
                continue
            started = time.perf_counter()
            model, records, body = county_hub(url, args.county, Path(folder))
            results[f"{kind}: county of {args.county:,} people, {records:,} records"] = {
                "setup_s": round(time.perf_counter() - started, 1)
            }
            results[f"{kind}: matching by identifiers"] = measure(url, token, body, args)
            results[f"{kind}: matching with the trained model"] = measure(
                url, token, body, args, model
            )
    print(
        json.dumps(
            {
                "runs": args.runs,
                "seconds": args.seconds,
                "workers": args.workers,
                "cores": os.cpu_count(),
                "load_average_before_and_after": [
                    round(load_before[0], 2),
                    round(os.getloadavg()[0], 2),
                ],
                "targets": {"contacts_per_s": 200, "p99_ms": 150},
                "medians_by_concurrent_clients": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
