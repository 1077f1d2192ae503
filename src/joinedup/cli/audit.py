"""`joinedup audit`: prove the access ledger is untouched, and checkpoint it day by day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from joinedup import clock
from joinedup.audit.checkpoints import (
    Checkpoint,
    CheckpointError,
    daily_checkpoint,
    verify_ledger,
)
from joinedup.cli.common import Failure, console, current_engine, session_on, settings

app = typer.Typer(
    help="The tamper-evident record of every access and change.", no_args_is_help=True
)


@app.command("verify")
def verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            help="A checkpoint file from `joinedup audit checkpoint`: also prove the chain "
            "still passes through it."
        ),
    ] = None,
) -> None:
    """Check the ledger's hash chain; report the first entry altered, removed or reordered."""
    config = settings()
    kept = _read_checkpoint(checkpoint, config.resolved_secret_key) if checkpoint else None
    with session_on(current_engine(config)) as session:
        report = verify_ledger(session, through=kept)
    if not report.intact:
        where = f"entry {report.first_broken_id} " if report.first_broken_id else ""
        raise Failure(
            f"The ledger has been tampered with: {where}{report.problem}. "
            f"{report.entries} entries before it verified."
        )
    console.print(f"The ledger is intact: {report.entries} entries verified.")
    if kept is not None:
        console.print(
            f"It passes through the checkpoint of {kept.day.isoformat()}: the first "
            f"{kept.entries} entries are unchanged since it was made."
        )


@app.command("checkpoint")
def checkpoint(
    day: Annotated[
        str | None,
        typer.Option(help="The London day to close, YYYY-MM-DD (default: yesterday)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the JSON here (default: print it).")
    ] = None,
) -> None:
    """Sign the ledger's head as of the end of a day, for an agency to keep outside the hub."""
    config = settings()
    on = _day(day)
    with session_on(current_engine(config)) as session:
        try:
            made = daily_checkpoint(session, on, config.resolved_secret_key)
        except CheckpointError as error:
            raise Failure(str(error)) from None
    if out is None:
        typer.echo(made.to_json(), nl=False)
        return
    out.write_text(made.to_json(), encoding="utf-8")
    console.print(
        f"Wrote the checkpoint of {on.isoformat()} ({made.entries} entries) to {out}. Keep it "
        "outside the hub; `joinedup audit verify --checkpoint FILE` checks the ledger against it."
    )


def _day(text: str | None) -> dt.date:
    if text is None:
        return clock.now().astimezone(clock.LONDON).date() - dt.timedelta(days=1)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Failure(
            f"--day must be a date as YYYY-MM-DD, such as 2026-11-23, not {text!r}."
        ) from None


def _read_checkpoint(path: Path, key: str) -> Checkpoint:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise Failure(f"Cannot read the checkpoint file {path}: {error.strerror}.") from None
    try:
        kept = Checkpoint.from_json(text)
    except CheckpointError as error:
        raise Failure(f"{path}: {error}") from None
    if not kept.signature_valid(key):
        raise Failure(
            f"The checkpoint file {path} does not carry this hub's signature: it was altered "
            "after it was made, or made by another hub. Use the copy the agency kept."
        )
    return kept
