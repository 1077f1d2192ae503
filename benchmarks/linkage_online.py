"""Online matching: ranked candidates for one person against many master persons, in milliseconds.

Builds the synthetic county (--people), writes its extracts and reads them back as
`joinedup link files` does (the import's checks and normal forms), and gives each record its
true person as its master person (a perfect linking). A model is trained once on a smaller county
(--train-people: the weights hardly depend on size). The records of all but one person in ten
go into an `OnlineMatcher`; the queries are records drawn at random, nine in ten of people in
the index, one in ten of people who are not, each with the kinds of slip a referrer makes
(a letter wrong in the first name, a nickname, no date of birth, no postcode) or none.

Each run times `candidates(query)` (best 10 master persons, every comparison's weight) for
--queries queries, in wall-clock time and in the thread's CPU time (on a shared machine a
call that is descheduled waits, and the wait lands in the wall-clock tail). The baseline, in
the same run on the same records and queries: Splink's own real-time calls over the same
records in DuckDB, `predict_between` the held records and one query with the model's
blocking rules (the same job as `candidates`), and `score_pair` for one pair, for
--splink-queries of them (each takes hundreds of milliseconds). Prints JSON: p50, p95, p99
and the slowest call of each run, the medians of the runs, and Splink's times over the
matcher's.

    .venv/bin/python benchmarks/linkage_online.py [--people 200000] [--runs 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]

import pyarrow as pa  # noqa: E402
from splink import DuckDBAPI, Linker, block_on  # noqa: E402

from joinedup.linkage import engine  # noqa: E402
from joinedup.linkage.files import read_files  # noqa: E402
from joinedup.linkage.online import OnlineMatcher  # noqa: E402
from joinedup.linkage.settings import load_linkage_settings  # noqa: E402
from joinedup.linkage.training import LinkageModel, train  # noqa: E402
from joinedup.synthetic import CountyOptions, build_county, write_county  # noqa: E402
from joinedup.synthetic.load import extract_files  # noqa: E402

Row = dict[str, Any]


def county_rows(people: int, folder: Path) -> tuple[list[Row], list[str]]:
    """Every extract row as the matcher reads it, and each row's true person."""
    county = build_county(CountyOptions(people=people))
    write_county(county, folder)
    frame, keys = read_files(extract_files(folder / "extracts"), CountyOptions().as_of)
    truth = county.truth.record_to_person
    return frame.table.to_pylist(), [truth[key] for key in keys]


def trained(people: int, folder: Path) -> LinkageModel:
    county = build_county(CountyOptions(people=people, seed=7))
    write_county(county, folder)
    frame, _ = read_files(extract_files(folder / "extracts"), CountyOptions().as_of)
    return train(frame, load_linkage_settings())


def with_slip(record: Row, rng: random.Random) -> Row:
    """The record as a referrer might give it: mostly right, sometimes with one slip."""
    query = dict(record, unique_id=-1, master_person_id=None)
    slip = rng.random()
    first = query["first_name"]
    if slip < 0.2 and first and len(first) > 3:
        at = rng.randrange(1, len(first))
        query["first_name"] = first[:at] + rng.choice("aeiouy") + first[at + 1 :]
    elif slip < 0.3:
        query["first_name"] = query["first_name_canonical"]  # the full name, not the nickname
    elif slip < 0.4:
        query["date_of_birth"] = None
    elif slip < 0.5:
        query["postcode"] = query["postcode_sector"] = query["outward_code"] = None
    if slip < 0.6:  # a referrer rarely knows the pupil number or NHS number
        query["upn"] = None
    return query


class SplinkSearch:
    """Splink's own real-time calls over the same records, in DuckDB: `predict_between` the
    held records and one query (blocked with the model's rules, scored: the same job as
    `candidates`), and `score_pair` for one pair. Term-frequency tables are computed once,
    as Splink advises for real-time use."""

    def __init__(self, model: LinkageModel, held: list[Row]) -> None:
        self._columns = ("unique_id", *model.spec.columns)
        self._schema = engine.frame(model.spec, []).table.schema
        self._db = DuckDBAPI()
        self._held = self._db.register(self._table(held))
        settings = {**model.splink_settings, "blocking_rules_to_generate_predictions": []}
        self._linker = Linker(self._held, settings, log_level=None)
        for column in ("first_name", "family_name", "postcode"):
            self._linker.table_management.compute_tf_table(column)
        self._rules = [block_on(*rule) for rule in model.blocking_rules]

    def candidates(self, query: Row) -> int:
        asked = self._db.register(self._table([query]))
        found = self._linker.inference.predict_between(
            self._held,
            asked,
            blocking_rules_to_generate_predictions=self._rules,
            warning_mode="never",
        )
        count = len(found.as_record_list())
        found.drop_table_from_database_and_remove_from_cache()
        return count

    def score_pair(self, query: Row, record: Row) -> None:
        self._linker.inference.score_pair(
            {k: query[k] for k in self._columns}, {k: record[k] for k in self._columns}
        ).as_record_list()

    def _table(self, rows: list[Row]) -> pa.Table:
        return pa.Table.from_pylist(
            [{k: r[k] for k in self._columns} for r in rows], schema=self._schema
        )


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 3)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": at(1.0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--train-people", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=5_000)
    parser.add_argument("--splink-queries", type=int, default=30)
    args = parser.parse_args()
    rng = random.Random(20261128)  # noqa: S311 (choosing queries, not security)
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        model = trained(args.train_people, Path(folder) / "training")
        timings["train_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        rows, persons = county_rows(args.people, Path(folder) / "county")
        timings["county_seconds"] = time.perf_counter() - started
        say(f"county of {args.people:,} read: {len(rows):,} records")
    person_ids = {person: n for n, person in enumerate(sorted(set(persons)))}
    absent = {p for p in person_ids if rng.random() < 0.1}
    held, queries_from = [], {True: [], False: []}
    for row, person in zip(rows, persons, strict=True):
        row["master_person_id"] = person_ids[person]
        if person in absent:
            queries_from[False].append(row)
        else:
            held.append(row)
            queries_from[True].append(row)
    del rows
    started = time.perf_counter()
    matcher = OnlineMatcher(model, held)
    timings["index_seconds"] = time.perf_counter() - started
    say(f"{len(held):,} records held and indexed")
    gc.freeze()  # the held records live for the process: the collector need not walk them
    master_persons = len({row["master_person_id"] for row in held})

    def queries(count: int) -> list[tuple[Row, int | None]]:
        """Queries, each with the master person it should find first (None: not held)."""
        drawn = []
        for _ in range(count):
            known = rng.random() >= 0.1
            record = rng.choice(queries_from[known])
            drawn.append((with_slip(record, rng), record["master_person_id"] if known else None))
        return drawn

    splink = SplinkSearch(model, held)
    by_uid = {row["unique_id"]: row for row in held}
    splink.candidates(queries(1)[0][0])  # warm up: DuckDB plans, Splink's settings
    runs = []
    for _ in range(args.runs):
        asked = queries(args.queries)
        seconds, cpu_seconds, results = [], [], []
        for query, _ in asked:
            began, began_cpu = time.perf_counter(), time.thread_time()
            found = matcher.candidates(query)
            cpu_seconds.append(time.thread_time() - began_cpu)
            seconds.append(time.perf_counter() - began)
            results.append(found)
        splink_seconds, pair_seconds = [], []
        for (query, _), found in list(zip(asked, results, strict=True))[: args.splink_queries]:
            began = time.perf_counter()
            splink.candidates(query)
            splink_seconds.append(time.perf_counter() - began)
            if found:
                began = time.perf_counter()
                splink.score_pair(query, by_uid[found[0].record_id])
                pair_seconds.append(time.perf_counter() - began)
        ours, theirs = percentiles(seconds), percentiles(splink_seconds)
        say(f"run: matcher p50 {ours['p50_ms']} ms, p99 {ours['p99_ms']} ms")
        known = [
            (found, person)
            for found, (_, person) in zip(results, asked, strict=True)
            if person is not None
        ]
        runs.append(
            {
                **{f"matcher_{k}": v for k, v in ours.items()},
                **{f"matcher_cpu_{k}": v for k, v in percentiles(cpu_seconds).items()},
                **{f"splink_{k}": v for k, v in theirs.items()},
                "splink_over_matcher_p50": round(theirs["p50_ms"] / ours["p50_ms"], 1),
                "splink_over_matcher_p99": round(theirs["p99_ms"] / ours["p99_ms"], 1),
                "splink_score_pair_p50_ms": percentiles(pair_seconds)["p50_ms"],
                "candidates_mean": round(statistics.mean(len(f) for f in results), 2),
                "held_person_ranked_first": round(
                    sum(bool(f) and f[0].master_person_id == p for f, p in known) / len(known), 4
                ),
            }
        )
    gc.unfreeze()
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print(
        json.dumps(
            {
                "people": args.people,
                "records_held": len(held),
                "master_persons": master_persons,
                "queries_a_run": args.queries,
                "splink_queries_a_run": args.splink_queries,
                "runs": args.runs,
                "median": median,
                "every_run": runs,
                **{k: round(v, 1) for k, v in timings.items()},
                "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                "machine": f"{platform.machine()}, {platform.python_version()}",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
