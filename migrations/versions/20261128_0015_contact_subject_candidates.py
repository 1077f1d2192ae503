"""contact subject candidates: the master persons the trained model found at intake

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_subject_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_subject_id", sa.Integer(), nullable=False),
        sa.Column("master_person_id", sa.Integer(), nullable=False),
        sa.Column(
            "agency_record_id",
            sa.Integer(),
            nullable=False,
            comment="the person's record that scored best",
        ),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column(
            "linked",
            sa.Boolean(),
            nullable=False,
            comment="filled the subject's master_person_id; otherwise for a manager to review",
        ),
        sa.Column(
            "contributions",
            sa.JSON(),
            nullable=False,
            comment="[comparison, level, weight] for the prior and each comparison",
        ),
        sa.Column(
            "model_file",
            sa.String(length=100),
            nullable=False,
            comment="the model that scored it",
        ),
        sa.ForeignKeyConstraint(
            ["agency_record_id"],
            ["agency_records.id"],
            name=op.f("fk_contact_subject_candidates_agency_record_id_agency_records"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_subject_id"],
            ["contact_subjects.id"],
            name=op.f("fk_contact_subject_candidates_contact_subject_id_contact_subjects"),
        ),
        sa.ForeignKeyConstraint(
            ["master_person_id"],
            ["master_persons.id"],
            name=op.f("fk_contact_subject_candidates_master_person_id_master_persons"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_subject_candidates")),
    )
    with op.batch_alter_table("contact_subject_candidates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_subject_candidates_contact_subject_id"),
            ["contact_subject_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_contact_subject_candidates_master_person_id"),
            ["master_person_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("contact_subject_candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_subject_candidates_master_person_id"))
        batch_op.drop_index(batch_op.f("ix_contact_subject_candidates_contact_subject_id"))
    op.drop_table("contact_subject_candidates")
