"""`joinedup users`: who can sign in."""

from __future__ import annotations

import typer

from joinedup.accounts import services as accounts
from joinedup.accounts.passwords import WeakPassword
from joinedup.actor import Actor
from joinedup.cli.common import Failure, console, current_engine, session_on, settings

app = typer.Typer(help="Let professionals sign in to the hub.", no_args_is_help=True)


@app.command("add")
def add(
    email: str = typer.Argument(..., help="The professional's email, as in the directory"),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="Their first password (at least 12 characters); asked for if not given",
    ),
) -> None:
    """Let a professional already in the directory sign in, with a first password."""
    with session_on(current_engine(settings())) as session:
        try:
            user = accounts.add_user(session, Actor.system("joinedup users add"), email, password)
        except (accounts.AccountError, WeakPassword) as error:
            raise Failure(str(error)) from None
        console.print(f"{user.professional.name} can now sign in as {user.professional.email}.")
