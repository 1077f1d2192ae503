"""Linking extract files without the hub's database: `joinedup link files A.csv B.csv`.

Each file is in the agency person extract schema (docs/people-import.md) and is checked the
same way as an import: one bad row anywhere and nothing is linked. Every input row comes out
with a person id; rows of one person share it. Ids are numbered in input order (P000001 is the
person of the first row), so the same files and model always give the same output.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from joinedup.linkage import engine
from joinedup.linkage.batch import BatchResult, link_frame
from joinedup.linkage.settings import LinkageSettings
from joinedup.linkage.spec import PERSON_SPEC, person_frame_row
from joinedup.linkage.training import LinkageModel, train
from joinedup.people.schemas import ExtractRejected, read_extract


class FileRejected(Exception):
    """One of the files is not a valid extract; `problems` say where, and nothing was linked."""

    def __init__(self, path: Path, rejected: ExtractRejected) -> None:
        self.path = path
        self.rejected = rejected
        super().__init__(f"{path.name}: {rejected}")


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


def read_files(paths: list[Path], today: date) -> tuple[engine.Frame, list[tuple[str, str]]]:
    """The frame of every row of every file, and each row's (source, record_id), in order.

    Raises FileRejected for the first file with a problem, OSError for one that cannot be read.
    """
    rows: list[dict[str, Any]] = []
    keys: list[tuple[str, str]] = []
    for path in paths:
        try:
            extract = read_extract(path.read_bytes(), path.name, today)
        except ExtractRejected as rejected:
            raise FileRejected(path, rejected) from None
        for row in extract.rows:
            rows.append(person_frame_row(len(rows), row))
            keys.append((row["source"], row["record_id"]))
    return engine.frame(PERSON_SPEC, rows), keys


def link_files(
    paths: list[Path], model: LinkageModel | None, config: LinkageSettings, today: date
) -> FilesResult:
    """Link the files' rows with the model, or with one trained on them when model is None."""
    frame, keys = read_files(paths, today)
    if model is None:
        model = train(frame, config)
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
