"""`joinedup audit`: prove the access ledger is untouched."""

from __future__ import annotations

import typer

from joinedup.audit.queries import verify_chain
from joinedup.cli.common import Failure, console, current_engine, session_on, settings

app = typer.Typer(
    help="The tamper-evident record of every access and change.", no_args_is_help=True
)


@app.command("verify")
def verify() -> None:
    """Check the ledger's hash chain; report the first entry altered, removed or reordered."""
    with session_on(current_engine(settings())) as session:
        report = verify_chain(session)
    if not report.intact:
        raise Failure(
            f"The ledger has been tampered with: entry {report.first_broken_id} {report.problem}. "
            f"{report.entries} entries before it verified."
        )
    console.print(f"The ledger is intact: {report.entries} entries verified.")
