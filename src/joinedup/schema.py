"""The whole schema: every model module, and running the migrations that build it.

The database is only ever built by the Alembic migrations, in the demo, in production and
in the tests, so a migration that does not match the models fails the build.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData

import joinedup.accounts.models
import joinedup.audit.models
import joinedup.directory.models
import joinedup.frontdoor.drafts
import joinedup.frontdoor.models
import joinedup.governance.models
import joinedup.linkage.models
import joinedup.people.models
import joinedup.sharing.models  # noqa: F401  (registers the tables)
from joinedup.db import Base

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def metadata() -> MetaData:
    return Base.metadata


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the database to `revision` (by default the newest of every branch)."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def pending(engine: Engine) -> bool:
    """Whether the database is behind the newest migration."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current != heads
