"""Link contact subjects, sharing decisions and break-glass grants to master persons.

The three branches were built side by side, so these columns could not name the people
tables until the branches were merged (0005).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

LINKS = {
    "contact_subjects": "the people index's master person, when intake found one",
    "sharing_decisions": "the master person, when known",
    "break_glass_grants": "the master person, when known",
}


def upgrade() -> None:
    for table, comment in LINKS.items():
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_master_person_id_master_persons"),
                "master_persons",
                ["master_person_id"],
                ["id"],
            )
        if op.get_bind().dialect.name == "postgresql":  # SQLite keeps no comments
            op.alter_column(table, "master_person_id", comment=comment, existing_type=sa.Integer())


def downgrade() -> None:
    for table in LINKS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_master_person_id_master_persons"), type_="foreignkey"
            )
