"""Linking extract files without the hub's database: `joinedup link files A.csv B.csv`.

Each file is in the agency person extract schema (docs/people-import.md) and is checked the
same way as an import: one bad row anywhere and nothing is linked. Every input row comes out
with a person id; rows of one person share it. Ids are numbered in input order (P000001 is the
person of the first row), so the same files and model always give the same output.

Trained on the files themselves (`--train`), the model learns from at most TRAINING_RECORDS
of their rows, drawn at random with the configured seed, and then links every row.
"""

from __future__ import annotations

import csv
import os
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from joinedup.linkage import engine
from joinedup.linkage.batch import BatchResult, link_frame
from joinedup.linkage.settings import LinkageSettings
from joinedup.linkage.spec import PERSON_SPEC, person_frame_row
from joinedup.linkage.training import LinkageModel, train
from joinedup.people.schemas import ExtractProblem, ExtractRejected, read_extract

# Training on more rows than this takes longer and learns nothing more. m and u are shares of
# pairs, and the prior is the share of all pairs that are one person, which a random sample
# of records keeps (its matching pairs and all its pairs both shrink with the square of the
# sample). Expectation maximisation's blocked pairs grow with the square of the records: on
# the synthetic county's 2,015,917 rows, training on all of them took 717 s (422 s of CPU)
# and 13 GB, on 200,000 of them 17 s, and the links' pairwise F1 was 0.9981 either way (on
# 437,184 rows, trained on all, 200,000 or 50,000: 0.9988, the prior within 0.5%).
TRAINING_RECORDS = 200_000
# Files this big, all together, are read in a process each (as many at a time as there are
# cores): reading checks every row in Python, one core's work, and starting a process costs a
# second or two. Two files of a million rows each took 111 s of one core.
PARALLEL_READ_BYTES = 50_000_000


class FileRejected(Exception):
    """One of the files is not a valid extract; `problems` say where, and nothing was linked."""

    def __init__(self, path: Path, rejected: ExtractRejected) -> None:
        self.path = path
        self.rejected = rejected
        super().__init__(f"{path.name}: {rejected}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in a reading process, it comes back whole (ExtractRejected does not pickle).
        return (_file_rejected, (self.path, self.rejected.problems, self.rejected.total))


def _file_rejected(path: Path, problems: list[ExtractProblem], total: int) -> FileRejected:
    return FileRejected(path, ExtractRejected(problems, total))


@dataclass(frozen=True)
class LinkedRow:
    source: str
    record_id: str
    person_id: str


@dataclass(frozen=True)
class FilesResult:
    rows: list[LinkedRow]  # every input row, in input order
    people: int
    batch: BatchResult
    model: LinkageModel


def read_files(
    paths: list[Path], today: date, *, parallel_bytes: int = PARALLEL_READ_BYTES
) -> tuple[engine.Frame, list[tuple[str, str]]]:
    """The frame of every row of every file, and each row's (source, record_id), in order.

    Files of `parallel_bytes` or more together are read in processes of their own, side by
    side. Raises FileRejected for the first file with a problem, OSError for one that cannot
    be read.
    """
    workers = min(len(paths), os.cpu_count() or 1)
    if workers > 1 and sum(path.stat().st_size for path in paths) >= parallel_bytes:
        # spawn, not fork: a forked copy of a process running DuckDB's threads can deadlock.
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            read = list(pool.map(_read_file, paths, repeat(today)))
    else:
        read = [_read_file(path, today) for path in paths]
    tables: list[pa.Table] = []
    keys: list[tuple[str, str]] = []
    for table, file_keys in read:
        # Each file's rows are numbered from 0; the frame numbers every row of every file.
        ids = pc.add(table.column("unique_id"), pa.scalar(len(keys), pa.int64()))
        tables.append(table.set_column(0, "unique_id", ids))
        keys.extend(file_keys)
    empty = engine.frame(PERSON_SPEC, []).table
    return engine.Frame(PERSON_SPEC, pa.concat_tables([empty, *tables])), keys


def _read_file(path: Path, today: date) -> tuple[pa.Table, list[tuple[str, str]]]:
    """One file's frame rows (numbered from 0) and keys. Raises FileRejected, OSError."""
    try:
        rows = read_extract(path.read_bytes(), path.name, today).rows
    except ExtractRejected as rejected:
        raise FileRejected(path, rejected) from None
    schema = engine.frame(PERSON_SPEC, []).table.schema
    # Built column by column: a list of row dictionaries for a million rows costs gigabytes,
    # and pyarrow builds a table from them slowly.
    columns: dict[str, list[Any]] = {name: [] for name in schema.names}
    for number, row in enumerate(rows):
        for name, value in person_frame_row(number, row).items():
            columns[name].append(value)
    keys = [(row["source"], row["record_id"]) for row in rows]
    return pa.Table.from_pydict(columns, schema=schema), keys


def training_sample(frame: engine.Frame, limit: int, seed: int) -> engine.Frame:
    """At most `limit` of the frame's rows, drawn at random (the same for the same seed)."""
    if frame.size <= limit:
        return frame
    rows = sorted(random.Random(seed).sample(range(frame.size), limit))  # noqa: S311 (sampling)
    return engine.Frame(frame.spec, frame.table.take(rows))


def link_files(
    paths: list[Path],
    model: LinkageModel | None,
    config: LinkageSettings,
    today: date,
    *,
    training_records: int = TRAINING_RECORDS,
) -> FilesResult:
    """Link the files' rows with the model, or with one trained on them when model is None
    (on at most `training_records` of them)."""
    frame, keys = read_files(paths, today)
    if model is None:
        model = train(training_sample(frame, training_records, config.seed), config)
    batch = link_frame(frame, model, config)
    person_of: dict[int, str] = {}
    # Number people by their first row in input order (clusters are lists of row numbers).
    for cluster in sorted(batch.decisions.clusters, key=min):
        person = f"P{len(person_of) + 1:06d}"
        for row in cluster:
            person_of[row] = person
    people = len(batch.decisions.clusters)
    linked = [LinkedRow(source, record, person_of[n]) for n, (source, record) in enumerate(keys)]
    return FilesResult(linked, people, batch, model)


def write_clusters(rows: list[LinkedRow], out: Path) -> None:
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("source", "record_id", "person_id"))
        writer.writerows((row.source, row.record_id, row.person_id) for row in rows)
