"""`joinedup tokens`: API tokens for partner systems."""

from __future__ import annotations

import typer
from rich.table import Table

from joinedup.accounts import queries
from joinedup.accounts import services as accounts
from joinedup.actor import Actor
from joinedup.cli.common import Failure, console, current_engine, session_on, settings

app = typer.Typer(
    help="API tokens let a partner agency's system raise and follow contacts.",
    no_args_is_help=True,
)


@app.command("create")
def create(
    user: str = typer.Option(..., "--user", help="Email of the professional the token acts for"),
    name: str = typer.Option(..., help="Which system will use it, e.g. 'Police records system'"),
) -> None:
    """Issue a token acting as one professional. It is shown once: copy it now."""
    with session_on(current_engine(settings())) as session:
        try:
            token, raw = accounts.create_api_token(
                session, Actor.system("joinedup tokens create"), user, name
            )
        except accounts.AccountError as error:
            raise Failure(str(error)) from None
        console.print(f"Token {token.id} for {name}, acting as {user}. Shown once; stored hashed:")
        # Plain print, so the token can be piped without Rich's markup or wrapping.
        print(raw)


@app.command("list")
def list_tokens() -> None:
    """List every token: who it acts as, when it was last used, whether it is revoked."""
    with session_on(current_engine(settings())) as session:
        table = Table("Id", "Name", "Acts as", "Starts with", "Last used", "Revoked")
        for token in queries.api_tokens(session):
            table.add_row(
                str(token.id),
                token.name,
                token.user.professional.email,
                token.prefix,
                token.last_used_at.isoformat() if token.last_used_at else "never",
                token.revoked_at.isoformat() if token.revoked_at else "",
            )
        console.print(table)


@app.command("revoke")
def revoke(
    token_id: int = typer.Argument(..., help="The token's id, from `joinedup tokens list`"),
) -> None:
    """Revoke a token at once: the system using it is refused from then on."""
    with session_on(current_engine(settings())) as session:
        try:
            accounts.revoke_api_token(session, Actor.system("joinedup tokens revoke"), token_id)
        except accounts.AccountError as error:
            raise Failure(str(error)) from None
        console.print(f"Token {token_id} is revoked.")
