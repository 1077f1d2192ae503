"""linkage review decisions: every reviewer's answer to a review task, with its reason

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import joinedup.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "linkage_review_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False, comment="same, apart or unsure"),
        sa.Column("reason", sa.Text(), nullable=False, comment="the reviewer's, in their words"),
        sa.Column(
            "match_probability", sa.Float(), nullable=False, comment="the score they were shown"
        ),
        sa.Column(
            "actor_user_id",
            sa.Integer(),
            nullable=True,
            comment="no foreign key, as in the ledger; empty for an operator's command",
        ),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("decided_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "merge_id",
            sa.Integer(),
            nullable=True,
            comment="the merge that linking made, or that deciding apart undid",
        ),
        sa.ForeignKeyConstraint(
            ["merge_id"],
            ["master_person_merges.id"],
            name=op.f("fk_linkage_review_decisions_merge_id_master_person_merges"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["linkage_review_tasks.id"],
            name=op.f("fk_linkage_review_decisions_task_id_linkage_review_tasks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_review_decisions")),
    )
    with op.batch_alter_table("linkage_review_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_linkage_review_decisions_task_id"), ["task_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("linkage_review_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_linkage_review_decisions_task_id"))
    op.drop_table("linkage_review_decisions")
