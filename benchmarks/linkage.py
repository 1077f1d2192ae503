"""Batch linkage of the demo county: train and link times, and accuracy against its truth.

Builds the synthetic county (50,000 people by default, the demo's; about 110,000 agency
records), loads it into a scratch SQLite hub and imports every extract, as `joinedup demo`
does. Then, each run: reads the records' normal forms from the database, trains the model
(`joinedup link train`'s work), and scores and decides every pair (the work of
`joinedup link run` before it writes), and evaluates the decisions against the county's
truth. Once, at the end: the whole `run_linkage` service including its writes to the
database, evaluated again from the database. Prints the median of the runs as JSON, with
peak memory (the process's maximum resident set).

    .venv/bin/python benchmarks/linkage.py [--runs 3] [--people 50000]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from support.hub import ADMIN, migrated, scratch_database  # noqa: E402

from joinedup import clock  # noqa: E402
from joinedup.directory.models import Agency  # noqa: E402
from joinedup.linkage import engine  # noqa: E402
from joinedup.linkage.batch import link_frame  # noqa: E402
from joinedup.linkage.evaluation import Evaluation, evaluate  # noqa: E402
from joinedup.linkage.queries import linked_records, records_to_link  # noqa: E402
from joinedup.linkage.services import run_linkage  # noqa: E402
from joinedup.linkage.settings import load_linkage_settings  # noqa: E402
from joinedup.linkage.spec import PERSON_SPEC, person_frame_row  # noqa: E402
from joinedup.linkage.training import train  # noqa: E402
from joinedup.people.models import AgencyRecord  # noqa: E402
from joinedup.synthetic import CountyOptions, build_county, write_county  # noqa: E402
from joinedup.synthetic.load import extract_files, import_extracts, load_county  # noqa: E402


def figures(result: Evaluation) -> dict[str, Any]:
    return {
        "precision": round(result.precision, 4),
        "recall": round(result.recall, 4),
        "f1": round(result.f1, 4),
        "true_people": result.true_people,
        "master_persons": result.predicted_people,
        "people_exactly_right": result.people_exactly_right,
        "people_split": result.people_split,
        "master_persons_mixed": result.predicted_people_mixed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--people", type=int, default=50_000)
    args = parser.parse_args()
    config = load_linkage_settings()
    county = build_county(CountyOptions(people=args.people))
    truth = county.truth.record_to_person
    with tempfile.TemporaryDirectory() as folder, scratch_database("sqlite") as url:
        write_county(county, Path(folder))
        hub = migrated(url)
        with Session(hub) as session:
            load_county(session, county, "benchmark password", seed=1)
            started = time.perf_counter()
            with clock.frozen_at(clock.now()):
                records = import_extracts(
                    session, extract_files(Path(folder) / "extracts"), lambda: None
                )
            imported = time.perf_counter() - started
            key_of = {
                pk: (code, record_id)
                for pk, code, record_id in session.execute(
                    select(AgencyRecord.id, Agency.code, AgencyRecord.record_id).join(Agency)
                )
            }
        runs = []
        for _ in range(args.runs):
            with Session(hub) as session:
                started = time.perf_counter()
                rows = records_to_link(session)
                frame = engine.frame(PERSON_SPEC, (person_frame_row(r["id"], r) for r in rows))
                read = time.perf_counter() - started
            model = train(frame, config)
            batch = link_frame(frame, model, config)
            predicted = {
                key_of[record_id]: n
                for n, cluster in enumerate(batch.decisions.clusters)
                for record_id in cluster
            }
            runs.append(
                {
                    "read_seconds": read,
                    "train_seconds": model.seconds,
                    "link_seconds": batch.seconds,
                    "comparisons": sum(batch.comparisons),
                    "pairs_scored": batch.pairs_scored,
                    "reviews": len(batch.decisions.reviews),
                    **figures(evaluate(predicted, truth)),
                }
            )
        with Session(hub) as session:
            started = time.perf_counter()
            report = run_linkage(session, ADMIN, model, config)
            written = time.perf_counter() - started
            from_database = figures(evaluate(linked_records(session), truth))
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print(
        json.dumps(
            {
                "people": args.people,
                "records": records,
                "import_seconds": round(imported, 1),
                "runs": args.runs,
                "median": {
                    k: round(v, 4) if isinstance(v, float) else v for k, v in median.items()
                },
                "every_run": runs,
                "run_linkage_with_writes_seconds": round(written, 1),
                "run_linkage": {
                    "records_moved": report.records_moved,
                    "merges": report.merges,
                    "new_people": report.new_people,
                    "review_tasks": report.open_review_tasks,
                    **from_database,
                },
                "thresholds": [config.lower_threshold, config.upper_threshold],
                "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                "machine": f"{platform.machine()}, {platform.python_version()}",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
