"""Alembic environment: run on the connection joinedup.schema hands over, or from settings."""

from __future__ import annotations

from alembic import context

from joinedup.config import load_settings
from joinedup.db import make_engine
from joinedup.schema import metadata

config = context.config


def run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata(),
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = make_engine(load_settings().resolved_database_url)
    with engine.begin() as conn:
        run(conn)
