"""What every command shares: settings, the database, and failing clearly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from joinedup import schema
from joinedup.config import ConfigError, Settings, load_settings
from joinedup.db import make_engine, make_session_factory

console = Console()
# soft_wrap: a message must not be broken mid-URL by the terminal width.
console_err = Console(stderr=True, soft_wrap=True)


class Failure(Exception):
    """An expected failure: the message says what went wrong and how to put it right."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as error:
        raise Failure(str(error), exit_code=2) from None


def engine(config: Settings) -> Engine:
    """An engine on the configured database, checked to be reachable."""
    try:
        engine = make_engine(config.resolved_database_url)
        if config.resolved_database_url.startswith("sqlite"):
            config.data_dir.mkdir(parents=True, exist_ok=True)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise Failure(
            f"Cannot reach the database at {_safe_url(config)}: {reason}\n"
            "Check JOINEDUP_DATABASE_URL and that the database server is running."
        ) from None
    return engine


def current_engine(config: Settings) -> Engine:
    """A reachable engine whose schema is up to date."""
    found = engine(config)
    if schema.pending(found):
        raise Failure(
            "The database is not up to date with this version of joinedup: "
            "run `joinedup db upgrade` (or `joinedup demo` to build the demo county)."
        )
    return found


@contextmanager
def session_on(found: Engine) -> Iterator[Session]:
    session = make_session_factory(found)()
    try:
        yield session
    finally:
        session.close()


def _safe_url(config: Settings) -> str:
    """The database URL without its password, fit to print."""
    from sqlalchemy.engine import make_url

    return make_url(config.resolved_database_url).render_as_string(hide_password=True)
