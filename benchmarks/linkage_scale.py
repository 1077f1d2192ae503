"""Batch linkage at scale: two extracts of a million records each, and recordlinkage beside us.

Builds one synthetic county (--people; 920,000 by default) and pools its agencies' extracts
into two files, as two organisations would send them: A, the county's primary care and the
services beside it (its GP practices, the ambulance service and the mental health trust), and
B, every other agency (hospitals, community health, police, probation, fire, the council's
services, schools, housing, the voluntary sector). Split by agency, each row keeps its own
`source` and the county's noise, and the files overlap as real ones do: at 920,000 people,
607,415 people are in both, 282,312 only in A, 22,189 only in B, and many are in one file
more than once (known to two of its agencies), so linking them is linking within each file
as well as across. Each file holds just over a million records. A file's record ids must be
unique and two GP practices may use the same ones, so each becomes "<source>/<record_id>".

Then, in a fresh process (its memory is the linkage's own, not the county's), it links the
two files as `joinedup link files A.csv B.csv --train --out clusters.csv` does (files.py's
link_files, phase by phase): reads and checks them (in a process each, side by side, as
read_files does for big files), trains a model on a sample of their rows, counts the blocking
rules' pairs, scores them with Splink on DuckDB, decides them by band, numbers the people and
writes the clusters file. For each phase: wall-clock seconds, CPU seconds (every thread and
the reading processes), the process's peak resident set (VmHWM: DuckDB's database is in it)
and the peak of it and the reading processes together. Evaluated afterwards, untimed, against
the county's truth (pairwise precision, recall and F1). The load average is noted every 5 s.

On a sample: the records of --sample-people people drawn at random from the same county, in
the same two files, linked by us (the same steps, trained on the sample) and by the
recordlinkage toolkit, --sample-runs times each, each run in a fresh process. recordlinkage is
given the same records in the same normal forms (the reading is ours, timed apart), blocks on
the same seven rules (`Index` with a `Block` for each, their union), compares with the nearest
of its comparisons to our levels (exact names, nicknames resolved, Jaro-Winkler at least 0.88,
names swapped, a former family name, exact date of birth, its `Date` with day and month
swapped, exact postcode, sector and outward code, exact NHS number and UPN, every one 0 when a
value is missing) and classifies with its ECM classifier (unsupervised, as our training is:
neither is given the truth); records it matches are joined transitively into people, as ours
are. Prints JSON. --keep DIR keeps the files there, and a later run with it reuses them.

    .venv/bin/python benchmarks/linkage_scale.py [--people 920000] [--runs 1]
        [--sample-people 90000] [--sample-runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from support.measure import Meter, figures, in_fresh_process, read_truth  # noqa: E402
from support.recordlinkage_baseline import link_recordlinkage  # noqa: E402

from joinedup.linkage.batch import link_frame  # noqa: E402
from joinedup.linkage.evaluation import evaluate  # noqa: E402
from joinedup.linkage.files import (  # noqa: E402
    TRAINING_RECORDS,
    LinkedRow,
    read_files,
    training_sample,
    write_clusters,
)
from joinedup.linkage.settings import load_linkage_settings  # noqa: E402
from joinedup.linkage.training import train  # noqa: E402
from joinedup.synthetic import CountyOptions, build_county, write_county  # noqa: E402

Key = tuple[str, str]  # (source, record_id)
AS_OF = CountyOptions().as_of  # the day the extracts were taken: no one is born after it


def in_file_a(agency: str) -> bool:
    """File A: the GP practices, the ambulance service and the mental health trust."""
    return agency.startswith("GP-") or agency in {"EM-AMBULANCE", "NOTTS-MH"}


def pool(extracts: list[Path], out: Path) -> int:
    """Concatenate extract files into out, each row keeping its `source`.

    A file's record ids must be unique (the import's check), and two GP practices may use the
    same ones, so each becomes "<source>/<record_id>" (the truth's keys are changed to match).
    """
    rows = 0
    with out.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target)
        for n, path in enumerate(extracts):
            with path.open(encoding="utf-8", newline="") as source:
                reader = csv.reader(source)
                header = next(reader)
                at_source, at_id = header.index("source"), header.index("record_id")
                if n == 0:
                    writer.writerow(header)
                for row in reader:
                    row[at_id] = f"{row[at_source]}/{row[at_id]}"
                    writer.writerow(row)
                    rows += 1
    return rows


def prepare(people: int, folder: Path) -> dict[str, Any]:
    """Build the county, write the two files and their truth."""
    started = time.perf_counter()
    county = build_county(CountyOptions(people=people))
    built = time.perf_counter()
    write_county(county, folder / "county")
    del county
    extracts = sorted((folder / "county" / "extracts").glob("*.csv"))
    rows_a = pool([p for p in extracts if in_file_a(p.stem)], folder / "A.csv")
    rows_b = pool([p for p in extracts if not in_file_a(p.stem)], folder / "B.csv")
    written = time.perf_counter()
    truth = read_truth(folder / "county" / "truth" / "records.csv")
    with (folder / "truth.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(("source", "record_id", "person_id"))
        writer.writerows(
            (s, f"{s}/{record_id}", person) for (s, record_id), person in truth.items()
        )
    return {
        "county_seconds": round(built - started, 1),
        "write_seconds": round(written - built, 1),
        "rows_a": rows_a,
        "rows_b": rows_b,
        "people_with_records": len(set(truth.values())),
    }


def sample(folder: Path, people: int) -> tuple[list[Path], dict[str, int]]:
    """The two files' rows of `people` people drawn at random, as two files of their own."""
    paths = [folder / f"sample-{people}-{name}.csv" for name in ("A", "B")]
    truth = read_truth(folder / "truth.csv")
    rng = random.Random(20261129)  # noqa: S311 (choosing a sample, not security)
    chosen = set(rng.sample(sorted(set(truth.values())), people))
    rows = {}
    for name, path in zip(("A", "B"), paths, strict=True):
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as source:
            reader = csv.reader(source)
            header = next(reader)
            at_source, at_id = header.index("source"), header.index("record_id")
            kept = [r for r in reader if truth[(r[at_source], r[at_id])] in chosen]
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(kept)
        rows[f"sample_rows_{name.lower()}"] = len(kept)
    return paths, rows


def link_ours(paths: list[Path], truth_path: Path, out: Path) -> dict[str, Any]:
    """`joinedup link files --train`'s work (link_files, phase by phase), then evaluation."""
    config = load_linkage_settings()
    meter = Meter()
    frame, keys = read_files(paths, AS_OF)
    meter.done("reading")
    model = train(training_sample(frame, TRAINING_RECORDS, config.seed), config)
    meter.done("training")
    batch = link_frame(frame, model, config)
    meter.done("linking")
    person_of: dict[int, str] = {}
    for cluster in sorted(batch.decisions.clusters, key=min):  # as files.link_files numbers them
        person = f"P{len(person_of) + 1:06d}"
        for row in cluster:
            person_of[row] = person
    write_clusters([LinkedRow(s, r, person_of[n]) for n, (s, r) in enumerate(keys)], out)
    meter.done("writing")
    total = {
        "seconds": round(sum(p["seconds"] for p in meter.phases.values()), 1),
        "cpu_seconds": round(sum(p["cpu_seconds"] for p in meter.phases.values()), 1),
    }
    truth = read_truth(truth_path)
    predicted = {key: person_of[n] for n, key in enumerate(keys)}
    return {
        "records": frame.size,
        "phases": meter.phases,
        "linking_phases": {k: round(v, 1) for k, v in batch.phases.items()},
        "total": total,
        **meter.peaks(),
        "comparisons_estimated": sum(batch.comparisons),
        "pairs_scored": batch.pairs_scored,
        "pairs_linked": batch.decisions.linked_pairs,
        "pairs_left_for_review": len(batch.decisions.reviews),
        **figures(evaluate(predicted, {key: truth[key] for key in keys})),
    }


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def median_of(runs: list[dict[str, Any]], path: tuple[str, ...]) -> float:
    def at(run: dict[str, Any]) -> float:
        for key in path:
            run = run[key]
        return float(run)  # type: ignore[arg-type]

    return round(statistics.median(at(run) for run in runs), 4)


def summarise(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> dict[str, float]:
    """Medians of the sample runs, and recordlinkage's linking time over ours.

    Linking is everything after the reading (the same for both) up to people found: ours
    trains and links; recordlinkage makes its DataFrame, indexes, compares, classifies and
    joins the matches into people. Writing the clusters file (ours only) is left out.
    """
    ours_linking = [
        r["phases"]["training"]["seconds"] + r["phases"]["linking"]["seconds"] for r in ours
    ]
    summary = {
        "ours_seconds": median_of(ours, ("total", "seconds")),
        "ours_linking_seconds": round(statistics.median(ours_linking), 1),
        "ours_f1": median_of(ours, ("f1",)),
        "recordlinkage_seconds": median_of(theirs, ("total", "seconds")),
        "recordlinkage_linking_seconds": median_of(theirs, ("linking_seconds",)),
        "recordlinkage_f1": median_of(theirs, ("f1",)),
    }
    summary["recordlinkage_over_ours_linking"] = round(
        summary["recordlinkage_linking_seconds"] / summary["ours_linking_seconds"], 2
    )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=920_000)
    parser.add_argument("--runs", type=int, default=1, help="runs of the full-size linkage")
    parser.add_argument("--sample-people", type=int, default=90_000)
    parser.add_argument("--sample-runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="a folder to keep (and reuse) the files in")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="linkage-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    made = folder / "made.json"
    try:
        if made.exists():
            files = json.loads(made.read_text())
            say(f"reusing the files in {folder}")
        else:
            files = in_fresh_process(prepare, args.people, folder)
            made.write_text(json.dumps(files))
        say(f"files: {json.dumps(files)}")
        truth = folder / "truth.csv"
        full = [folder / "A.csv", folder / "B.csv"]
        runs = []
        for _ in range(args.runs):
            runs.append(in_fresh_process(link_ours, full, truth, folder / "clusters.csv"))
            say(f"full run: {json.dumps(runs[-1])}")
        ours, theirs = [], []
        sampled, sample_rows = sample(folder, args.sample_people) if args.sample_runs else ([], {})
        for _ in range(args.sample_runs):
            ours.append(in_fresh_process(link_ours, sampled, truth, folder / "sample-out.csv"))
            theirs.append(in_fresh_process(link_recordlinkage, sampled, truth))
            say(f"sample: ours {json.dumps(ours[-1])}\n  recordlinkage {json.dumps(theirs[-1])}")
    finally:
        if args.keep is None:
            shutil.rmtree(folder)
    print(
        json.dumps(
            {
                "people": args.people,
                "files": files,
                "full_runs": runs,
                "sample_people": args.sample_people,
                "sample_files": sample_rows,
                "sample_summary": summarise(ours, theirs) if ours else None,
                "sample_ours": ours,
                "sample_recordlinkage": theirs,
                "cores": os.cpu_count(),
                "machine": f"{platform.machine()}, {platform.python_version()}",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
