"""The owning agency's IG lead's review of each break-glass use; the ledger indexed by the
owning agency of the record each gate entry is about

The IG lead's reports (sharing/transparency.py) ask the ledger for the gate's entries about
their agency's records in a period. The owner is in each entry's JSON detail, so without an
index every report reads every entry of the period (about 1 second for 200,000 entries on
SQLite). The index is on the expression, then the time and the action (so a report counts
from the index alone), and partial (only entries that name an owner); the ledger's columns
and hashing are untouched. The reports use the identical expression
(`transparency.owner_of_entry`), and the model declares it (`sharing.models`) so PostgreSQL's
schema check compares it.

Revision ID: 0009
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import joinedup.db

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


# Each database's form of "the owning agency named in the entry's detail"; the reports'
# queries must use exactly these expressions for the databases to use the index.
OWNER = {
    "sqlite": "json_extract(detail, '$.owner_agency_id')",
    "postgresql": "((detail::jsonb ->> 'owner_agency_id')::integer)",
}
OWNER_INDEX = "ix_audit_entries_owner_agency_id_at"


def upgrade() -> None:
    op.create_table(
        "break_glass_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column(
            "agency_id",
            sa.Integer(),
            nullable=False,
            comment="the owning agency the review is for",
        ),
        sa.Column(
            "note", sa.Text(), nullable=False, comment="what the IG lead found and did, in words"
        ),
        sa.Column("reviewed_by_professional_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_by_label", sa.String(length=200), nullable=False),
        sa.Column("reviewed_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_break_glass_reviews_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["break_glass_grants.id"],
            name=op.f("fk_break_glass_reviews_grant_id_break_glass_grants"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_professional_id"],
            ["professionals.id"],
            name=op.f("fk_break_glass_reviews_reviewed_by_professional_id_professionals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass_reviews")),
        sa.UniqueConstraint(
            "grant_id", "agency_id", name=op.f("uq_break_glass_reviews_grant_id_agency_id")
        ),
    )
    with op.batch_alter_table("break_glass_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_break_glass_reviews_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_break_glass_reviews_grant_id"), ["grant_id"], unique=False
        )
    owner = OWNER[op.get_bind().dialect.name]
    op.execute(
        f"CREATE INDEX {OWNER_INDEX} ON audit_entries ({owner}, at, action) "
        f"WHERE {owner} IS NOT NULL"
    )


def downgrade() -> None:
    op.execute(f"DROP INDEX {OWNER_INDEX}")
    with op.batch_alter_table("break_glass_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_break_glass_reviews_grant_id"))
        batch_op.drop_index(batch_op.f("ix_break_glass_reviews_agency_id"))
    op.drop_table("break_glass_reviews")
