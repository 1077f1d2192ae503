"""contact drafts: a web form's answers so far, one per author

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import joinedup.db

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_drafts",
        sa.Column(
            "id",
            sa.String(length=36),
            nullable=False,
            comment="a random UUID: the contact's idempotency key",
        ),
        sa.Column(
            "user_id",
            sa.Integer(),
            nullable=False,
            comment="its author, the only one who may read it",
        ),
        sa.Column(
            "answers",
            sa.JSON(),
            nullable=False,
            comment="the answers so far, shaped like ContactIn (frontdoor.drafts)",
        ),
        sa.Column("created_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_contact_drafts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_drafts")),
        sa.UniqueConstraint("user_id", name=op.f("uq_contact_drafts_user_id")),
    )


def downgrade() -> None:
    op.drop_table("contact_drafts")
