"""The `joinedup` command: run the hub, build the demo county, and administer it."""

from __future__ import annotations

import sys

import typer

from joinedup.cli import (
    audit,
    cases,
    contacts,
    db,
    demo,
    directory,
    governance,
    housekeeping,
    link,
    people,
    serve,
    tokens,
    users,
)
from joinedup.cli.common import Failure, console_err

app = typer.Typer(
    name="joinedup",
    help="joinedup: a multi-agency safeguarding hub where partner agencies share what they "
    "know about a child or an adult at risk, decide together and act together.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(tokens.app, name="tokens")
app.add_typer(directory.areas, name="areas")
app.add_typer(directory.agencies, name="agencies")
app.add_typer(directory.professionals, name="professionals")
app.add_typer(audit.app, name="audit")
app.add_typer(link.app, name="link")
app.add_typer(housekeeping.research, name="research")
app.add_typer(governance.sar, name="sar")
app.add_typer(governance.retention, name="retention")

# `joinedup import KIND FILE`: data partner agencies send, one command for each kind of file.
imports = typer.Typer(
    help="Load files that partner agencies send: their person extracts, their contacts, and "
    "social care's open cases.",
    no_args_is_help=True,
)
imports.command("people")(people.import_people)
imports.command("contacts")(contacts.import_contacts_file)
imports.command("cases")(cases.import_cases_file)
app.add_typer(imports, name="import")


def main() -> None:
    """Run the CLI; expected failures print one clear message and exit non-zero, no traceback."""
    try:
        app()
    except Failure as failure:
        console_err.print(f"[red]{failure}[/red]")
        sys.exit(failure.exit_code)
