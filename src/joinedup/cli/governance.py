"""`joinedup sar export` and `joinedup retention run`: information governance from the
command line, for the operator (the IG leads' page for subject access is /subject-access)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer

from joinedup.actor import Actor
from joinedup.cli.common import Failure, console, current_engine, session_on, settings
from joinedup.frontdoor.practice import PracticeError, current_practice
from joinedup.governance.retention import RetentionRun, plan_retention, run_retention
from joinedup.governance.rules import GovernanceError, RetentionPolicy
from joinedup.governance.sar import export_subject_access
from joinedup.governance.sar_html import render_html
from joinedup.sharing.rules import Purpose

sar = typer.Typer(
    help="Subject access (UK GDPR Art 15): everything the hub holds about a person.",
    no_args_is_help=True,
)
retention = typer.Typer(
    help="Retention: anonymise what is past its agreements' retention period.",
    no_args_is_help=True,
)
FILES = ("sar.json", "sar.html")
LISTED = 20  # references a run lists before saying how many more


@sar.command("export")
def export(
    person: Annotated[
        str,
        typer.Argument(
            help="A master person reference like P00000042, or an NHS number like '943 476 5919'."
        ),
    ],
    out: Annotated[
        Path, typer.Option(help="The folder to write sar.json and sar.html into (made if new).")
    ],
) -> None:
    """Write everything held about a person, with what to review before release, as JSON and
    as a readable HTML document. The export is on the ledger."""
    _ready(out)
    config = settings()
    try:
        practice = current_practice()
    except PracticeError as error:
        raise Failure(str(error), exit_code=2) from None
    with session_on(current_engine(config)) as session:
        try:
            made = export_subject_access(
                session, Actor.system("sar export"), person, practice, form="files"
            )
        except GovernanceError as error:
            raise Failure(str(error)) from None
    _write(out / "sar.json", made.to_json())
    _write(out / "sar.html", render_html(made.document))
    counts = made.counts
    console.print(
        f"Wrote everything held about {made.document['about']['asked_for']} to "
        f"{out / 'sar.json'} and {out / 'sar.html'}: "
        f"{_n(counts['agency_records'], 'agency record')}, {_n(counts['contacts'], 'contact')}, "
        f"{_n(counts['disclosures'], 'disclosure')}. "
        f"{_n(counts['for_review'], 'item')} marked for review before release. "
        f"On the ledger as entry {made.audit_entry_id}.",
        soft_wrap=True,  # a path broken across lines cannot be copied
    )


@retention.command("run")
def run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what is due, and change nothing.")
    ] = False,
    drafts_after: Annotated[
        int,
        typer.Option(help="Delete drafts of contacts untouched for this many days (at least 1)."),
    ] = RetentionPolicy().drafts_after.days,
) -> None:
    """Anonymise contacts decided longer ago than their agreements' retention period, and
    delete abandoned drafts; recorded on the ledger. Running it again changes nothing more."""
    try:
        policy = RetentionPolicy(drafts_after=dt.timedelta(days=drafts_after))
    except GovernanceError as error:
        raise Failure(f"--drafts-after {drafts_after}: {error}") from None
    with session_on(current_engine(settings())) as session:
        if dry_run:
            done = plan_retention(session, policy)
        else:
            done = run_retention(session, Actor.system("retention run"), policy)
    _report(done)


def _report(done: RetentionRun) -> None:
    would = done.audit_entry_id is None
    if would:
        console.print("Dry run: nothing was changed.")
    for purpose in (Purpose.SAFEGUARDING_CHILDREN, Purpose.SAFEGUARDING_ADULTS):
        period = done.periods.get(purpose)
        if period is None:
            console.print(
                f"{purpose.label}: no agreement for it has been in force, so no period has "
                "ended: its contacts are kept."
            )
        else:
            console.print(
                f"{purpose.label}: kept {period.days:,} days after the decision (after its "
                "case closed, for a contact routed to an allocated worker) "
                f"(agreement {period.agreement_id}, {period.title})."
            )
    references = [c.reference for c in done.contacts]
    listed = ", ".join(references[:LISTED])
    more = f" and {len(references) - LISTED} more" if len(references) > LISTED else ""
    console.print(
        f"{'Would anonymise' if would else 'Anonymised'} {_n(len(references), 'contact')} "
        f"naming {_n(done.people, 'person', 'people')}" + (f": {listed}{more}." if listed else ".")
    )
    console.print(
        f"{'Would delete' if would else 'Deleted'} {_n(len(done.drafts), 'draft')} untouched "
        f"for {done.policy.drafts_after.days} days."
    )
    if not would:
        console.print(f"On the ledger as entry {done.audit_entry_id}.")


def _ready(out: Path) -> None:
    """The folder exists (made if new) and holds no earlier export: checked before anything
    is read, so a bad folder costs nothing and puts nothing on the ledger."""
    if out.exists() and not out.is_dir():
        raise Failure(f"--out {out} is a file: give a folder to write sar.json and sar.html into")
    there = [name for name in FILES if (out / name).exists()]
    if there:
        raise Failure(
            f"{out} already holds an export ({', '.join(there)}): choose another folder, or "
            "move the earlier export away first"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".joinedup-write-check"
        probe.touch()
        probe.unlink()
    except OSError as error:
        raise Failure(f"Cannot write to {out}: {error.strerror}") from None


def _write(path: Path, text: str) -> None:
    # Personal data: readable by the operator's account alone.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def _n(count: int, thing: str, things: str | None = None) -> str:
    return f"{count:,} {thing if count == 1 else (things or thing + 's')}"
