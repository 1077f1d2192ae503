"""`joinedup import people`: load an agency's person extract into the master person index."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import typer

from joinedup.actor import Actor
from joinedup.cli.common import Failure, console, console_err, current_engine, session_on, settings
from joinedup.people.imports import ImportReport, PersonImportError, import_extract
from joinedup.people.schemas import ExtractRejected

# Problems printed on the terminal; the report file has all that were listed.
SHOWN = 10


def import_people(
    file: Path = typer.Argument(
        ..., help="The extract: a CSV file in the schema of docs/people-import.md"
    ),
    agency: str = typer.Option(..., "--agency", help="The code of the agency that sent it"),
    report: Path | None = typer.Option(
        None,
        "--report",
        help="Where to list the problems found (default: FILE.errors.csv beside it)",
    ),
) -> None:
    """Import an agency's person extract: every row is checked, then all of it goes in or none.

    Each record is joined to the person the hub knows by the same NHS number or UPN.
    A newer extract updates the records that changed, and keeps their old values.
    Records the agency no longer sends are kept, and listed.
    """
    if not file.is_file():
        raise Failure(f"There is no file at {file}")
    started = time.perf_counter()
    with session_on(current_engine(settings())) as session:
        try:
            result = import_extract(session, Actor.system("joinedup import people"), agency, file)
        except PersonImportError as error:
            raise Failure(str(error)) from None
        except ExtractRejected as rejected:
            _reject(file, report or file.with_name(f"{file.name}.errors.csv"), rejected)
    _summarise(result, time.perf_counter() - started)


def _reject(file: Path, report: Path, rejected: ExtractRejected) -> None:
    for problem in rejected.problems[:SHOWN]:
        console_err.print(f"  {problem}", markup=False, highlight=False)
    if rejected.total > SHOWN:
        console_err.print(f"  ... and {rejected.total - SHOWN:,} more", highlight=False)
    try:
        _write_report(report, rejected)
        where = f"Every problem is listed in {report}."
    except OSError as error:
        where = f"(The list of problems could not be written to {report}: {error.strerror}.)"
    raise Failure(
        f"{file.name} was not imported: {rejected}. {where} "
        "Put the problems right and import the whole file again."
    )


def _write_report(path: Path, rejected: ExtractRejected) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("line", "column", "problem"))
        for problem in rejected.problems:
            writer.writerow((problem.line or "", problem.column or "", problem.message))
        if rejected.unlisted:
            writer.writerow(("", "", f"... and {rejected.unlisted:,} more problems not listed"))


def _summarise(result: ImportReport, seconds: float) -> None:
    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)

    if result.already_imported:
        say(
            f"{result.file_name} was already imported for {result.agency_code} on "
            f"{result.imported_at:%d %B %Y at %H:%M} UTC (import {result.import_id}): "
            "nothing has changed."
        )
        return
    say(
        f"Imported {result.file_name} for {result.agency_code}: {_many(result.rows, 'row')} in "
        f"{seconds:.1f}s (import {result.import_id})."
    )
    say(f"  {result.created:,} new")
    say(f"  {result.updated:,} updated (their previous values are kept)")
    say(f"  {result.unchanged:,} unchanged")
    if result.absent:
        listed = ", ".join(result.absent_record_ids[:SHOWN])
        more = f" and {result.absent - SHOWN:,} more" if result.absent > SHOWN else ""
        say(f"  {result.absent:,} no longer in the extract (kept): {listed}{more}")
    if result.created:
        say(
            f"  Of the new records, {result.joined_known:,} joined a person the hub already "
            f"knew by NHS number or UPN; "
            f"{_many(result.new_people, 'new person', 'new people')}."
        )
    if result.warnings_total:
        say(f"  {_many(result.warnings_total, 'postcode')} could not be read:")
        for warning in result.warnings[:SHOWN]:
            say(f"    {warning}")


def _many(count: int, one: str, more: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else more or one + 's'}"
