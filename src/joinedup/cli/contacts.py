"""`joinedup import contacts`: take in a partner agency's file of contacts, all or nothing."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import typer

from joinedup.actor import Actor
from joinedup.cli.common import Failure, console, console_err, current_engine, session_on, settings
from joinedup.frontdoor import matching
from joinedup.frontdoor.contact_csv import ContactsRejected
from joinedup.frontdoor.imports import ContactImportError, ContactImportReport, import_contacts
from joinedup.frontdoor.practice import PracticeError, current_practice

# Problems and references printed on the terminal; the report file has every problem listed.
SHOWN = 10


def import_contacts_file(
    file: Path = typer.Argument(
        ..., help="The contacts: a CSV file in the schema of docs/front-door.md"
    ),
    agency: str = typer.Option(..., "--agency", help="The code of the agency that sent it"),
    report: Path | None = typer.Option(
        None,
        "--report",
        help="Where to list the problems found (default: FILE.errors.csv beside it)",
    ),
) -> None:
    """Import contacts a partner agency sends as a file: every row is checked, then all of
    them are taken in or none.

    Each row is raised by the professional its referrer_email names, who must work at the
    agency. Each gets a reference at once. Rows imported before (the same contact_id from the
    same agency) make nothing new, so a file can be imported again safely.
    """
    if not file.is_file():
        raise Failure(f"There is no file at {file}")
    try:
        practice = current_practice()
    except PracticeError as error:
        raise Failure(str(error), exit_code=2) from None
    started = time.perf_counter()
    with session_on(current_engine(settings())) as session:
        try:
            # The trained model's online matcher when there is one, as the API's intake uses.
            matcher = matching.resident(settings().data_dir)
            result = import_contacts(
                session, Actor.system("joinedup import contacts"), agency, file, practice, matcher
            )
        except ContactImportError as error:
            raise Failure(str(error)) from None
        except ContactsRejected as rejected:
            reject(file, report or file.with_name(f"{file.name}.errors.csv"), rejected)
    _summarise(result, time.perf_counter() - started)


def reject(file: Path, report: Path, rejected: ContactsRejected) -> None:
    for problem in rejected.problems[:SHOWN]:
        console_err.print(f"  {problem}", markup=False, highlight=False)
    if rejected.total > SHOWN:
        console_err.print(f"  ... and {rejected.total - SHOWN:,} more", highlight=False)
    try:
        with report.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(("line", "column", "problem"))
            for problem in rejected.problems:
                writer.writerow((problem.line or "", problem.column or "", problem.message))
            if rejected.unlisted:
                writer.writerow(("", "", f"... and {rejected.unlisted:,} more problems not listed"))
        where = f"Every problem is listed in {report}."
    except OSError as error:
        where = f"(The list of problems could not be written to {report}: {error.strerror}.)"
    raise Failure(
        f"{file.name} was not imported: {rejected}. {where} "
        "Put the problems right and import the whole file again."
    )


def _summarise(result: ContactImportReport, seconds: float) -> None:
    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)

    say(
        f"Imported {result.file_name} for {result.agency_code}: {result.rows:,} "
        f"row{'s' if result.rows != 1 else ''} in {seconds:.1f}s."
    )
    say(f"  {len(result.created):,} new, each with its reference:")
    for item in result.created[:SHOWN]:
        say(f"    {item.contact_id}: {item.reference}")
    if len(result.created) > SHOWN:
        say(f"    ... and {len(result.created) - SHOWN:,} more")
    if result.already_received:
        say(
            f"  {len(result.already_received):,} imported before, so nothing new was made: "
            + ", ".join(
                f"{item.contact_id} ({item.reference})" for item in result.already_received[:SHOWN]
            )
            + (" ..." if len(result.already_received) > SHOWN else "")
        )
