"""`joinedup db`: the database schema."""

from __future__ import annotations

import typer

from joinedup import schema
from joinedup.cli.common import console, engine, settings

app = typer.Typer(help="Manage the hub's database.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Bring the database up to this version of joinedup by running its migrations."""
    config = settings()
    found = engine(config)
    if not schema.pending(found):
        console.print("The database is already up to date.")
        return
    schema.upgrade(found)
    console.print("The database is up to date.")
