"""social care cases: the open cases intake routes contacts by, and the contacts routed

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import joinedup.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "social_care_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "agency_id",
            sa.Integer(),
            nullable=False,
            comment="the children's or adults' social care service",
        ),
        sa.Column(
            "case_reference",
            sa.String(length=50),
            nullable=False,
            comment="the agency's own reference for the case",
        ),
        sa.Column(
            "agency_record_id",
            sa.Integer(),
            nullable=False,
            comment="the agency's record of the person, from its extract",
        ),
        sa.Column(
            "master_person_id",
            sa.Integer(),
            nullable=False,
            comment="whose case: intake looks open cases up by it",
        ),
        sa.Column(
            "allocated_worker_id",
            sa.Integer(),
            nullable=False,
            comment="the agency's social worker holding it",
        ),
        sa.Column(
            "opened_at",
            joinedup.db.UTCDateTime(timezone=True),
            nullable=False,
            comment="the start of the day it opened",
        ),
        sa.Column(
            "closed_at",
            joinedup.db.UTCDateTime(timezone=True),
            nullable=True,
            comment="the start of the day it closed; empty while open",
        ),
        sa.Column(
            "updated_at",
            joinedup.db.UTCDateTime(timezone=True),
            nullable=False,
            comment="when an import last changed it",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_social_care_cases_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["agency_record_id"],
            ["agency_records.id"],
            name=op.f("fk_social_care_cases_agency_record_id_agency_records"),
        ),
        sa.ForeignKeyConstraint(
            ["allocated_worker_id"],
            ["professionals.id"],
            name=op.f("fk_social_care_cases_allocated_worker_id_professionals"),
        ),
        sa.ForeignKeyConstraint(
            ["master_person_id"],
            ["master_persons.id"],
            name=op.f("fk_social_care_cases_master_person_id_master_persons"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_care_cases")),
        sa.UniqueConstraint(
            "agency_id",
            "case_reference",
            name=op.f("uq_social_care_cases_agency_id_case_reference"),
        ),
    )
    with op.batch_alter_table("social_care_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_social_care_cases_allocated_worker_id"),
            ["allocated_worker_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_social_care_cases_master_person_id"), ["master_person_id"], unique=False
        )

    op.create_table(
        "contact_routings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "worker_id",
            sa.Integer(),
            nullable=False,
            comment="the case's allocated worker when it was routed",
        ),
        sa.Column("routed_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("brought_back_at", joinedup.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("brought_back_by_professional_id", sa.Integer(), nullable=True),
        sa.Column("brought_back_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(brought_back_at IS NULL) = (brought_back_reason IS NULL)",
            name=op.f("ck_contact_routings_reason_when_brought_back"),
        ),
        sa.ForeignKeyConstraint(
            ["brought_back_by_professional_id"],
            ["professionals.id"],
            name=op.f("fk_contact_routings_brought_back_by_professional_id_professionals"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["social_care_cases.id"],
            name=op.f("fk_contact_routings_case_id_social_care_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_contact_routings_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["professionals.id"],
            name=op.f("fk_contact_routings_worker_id_professionals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_routings")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_contact_routings_contact_id")),
    )
    with op.batch_alter_table("contact_routings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_routings_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("contact_routings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_routings_case_id"))
    op.drop_table("contact_routings")
    with op.batch_alter_table("social_care_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_care_cases_master_person_id"))
        batch_op.drop_index(batch_op.f("ix_social_care_cases_allocated_worker_id"))
    op.drop_table("social_care_cases")
