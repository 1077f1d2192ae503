"""anonymised contacts: what the retention job removed, when and under which agreement

Revision ID: 0013
Revises: 0011
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import joinedup.db

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "anonymised_contacts",
        sa.Column("contact_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("anonymised_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "purpose", sa.String(length=40), nullable=False, comment="a sharing Purpose value"
        ),
        sa.Column(
            "agreement_id",
            sa.Integer(),
            nullable=False,
            comment="the agreement whose retention period ended",
        ),
        sa.Column(
            "retention_days",
            sa.Integer(),
            nullable=False,
            comment="that period, as it stood at the time",
        ),
        sa.Column(
            "audit_entry_id",
            sa.Integer(),
            nullable=False,
            comment="the run's ledger entry (no foreign key: the ledger stands alone)",
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["sharing_agreements.id"],
            name=op.f("fk_anonymised_contacts_agreement_id_sharing_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_anonymised_contacts_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_anonymised_contacts")),
    )


def downgrade() -> None:
    op.drop_table("anonymised_contacts")
