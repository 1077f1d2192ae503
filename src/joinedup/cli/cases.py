"""`joinedup import cases`: a social care service's open cases, all of the file or none."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from joinedup.actor import Actor
from joinedup.cli.common import Failure, console, current_engine, session_on, settings
from joinedup.cli.contacts import SHOWN, reject
from joinedup.frontdoor.case_csv import CasesRejected
from joinedup.frontdoor.cases import CaseImportError, CaseImportReport, import_cases


def import_cases_file(
    file: Path = typer.Argument(
        ..., help="The cases: a CSV file in the schema of docs/front-door.md"
    ),
    agency: str = typer.Option(
        ..., "--agency", help="The code of the children's or adults' social care service"
    ),
    report: Path | None = typer.Option(
        None,
        "--report",
        help="Where to list the problems found (default: FILE.errors.csv beside it)",
    ),
) -> None:
    """Import the cases a social care service's case-management system exports: every row is
    checked, then all of them are taken in or none.

    A contact about someone with an open case goes to its allocated worker, not through the
    MASH. Each row names the person by the agency's own record id (as in its person extract)
    and the worker by email. Importing the same file again changes nothing; a later export
    closes, reopens and reallocates cases, each change kept as an event.
    """
    if not file.is_file():
        raise Failure(f"There is no file at {file}")
    started = time.perf_counter()
    with session_on(current_engine(settings())) as session:
        try:
            result = import_cases(session, Actor.system("joinedup import cases"), agency, file)
        except CaseImportError as error:
            raise Failure(str(error)) from None
        except CasesRejected as rejected:
            reject(file, report or file.with_name(f"{file.name}.errors.csv"), rejected)
    _summarise(result, time.perf_counter() - started)


def _summarise(result: CaseImportReport, seconds: float) -> None:
    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)

    say(
        f"Imported {result.file_name} for {result.agency_code}: {result.rows:,} "
        f"row{'s' if result.rows != 1 else ''} in {seconds:.1f}s."
    )
    for heading, items in (("new", result.opened), ("changed", result.changed)):
        say(f"  {len(items):,} {heading}:")
        for item in items[:SHOWN]:
            say(f"    {item.case_reference} (line {item.line}): {', '.join(item.changes)}")
        if len(items) > SHOWN:
            say(f"    ... and {len(items) - SHOWN:,} more")
    say(f"  {result.unchanged:,} as the hub already held them, so nothing changed")
    if result.brought_back:
        # Contacts whose case closed before its worker accepted them: the MASH screens them now.
        say(
            f"  {len(result.brought_back):,} contact{'s' if len(result.brought_back) != 1 else ''}"
            " routed to a case that closed, not yet accepted, brought back into the MASH: "
            + ", ".join(result.brought_back)
        )
