"""routed contact accepted: who took a routed contact into the case's work, when, and their note

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import joinedup.db

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contact_routings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "accepted_at",
                joinedup.db.UTCDateTime(timezone=True),
                nullable=True,
                comment="when the allocated worker took it into the case's work",
            )
        )
        batch_op.add_column(
            sa.Column(
                "accepted_by_professional_id",
                sa.Integer(),
                nullable=True,
                comment="the allocated worker who accepted it",
            )
        )
        batch_op.add_column(
            sa.Column(
                "accepted_note",
                sa.Text(),
                nullable=True,
                comment="the worker's note on accepting it, if any (free text: may name anyone)",
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_contact_routings_accepted_by_professional_id_professionals"),
            "professionals",
            ["accepted_by_professional_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_contact_routings_who_when_accepted"),
            "(accepted_at IS NULL) = (accepted_by_professional_id IS NULL)",
        )


def downgrade() -> None:
    with op.batch_alter_table("contact_routings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_contact_routings_who_when_accepted"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_contact_routings_accepted_by_professional_id_professionals"),
            type_="foreignkey",
        )
        batch_op.drop_column("accepted_note")
        batch_op.drop_column("accepted_by_professional_id")
        batch_op.drop_column("accepted_at")
