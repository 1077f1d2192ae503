"""The database is built by the migrations, and the migrations match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from joinedup import schema


def test_there_is_exactly_one_migration_head() -> None:
    heads = ScriptDirectory.from_config(schema.alembic_config()).get_heads()
    assert len(heads) == 1, f"merge the migration heads {heads}"


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, schema.metadata())
    assert differences == [], "run `alembic revision --autogenerate` and review the result"


def test_a_migrated_database_has_nothing_pending(engine: Engine) -> None:
    assert not schema.pending(engine)
