"""research rounds and link decisions: follow-up questions to an agency that has answered, and
a MASH manager's decision on who a person named is among the model's candidates

Revision ID: 0018
Revises: 0016
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import joinedup.db

revision = "0018"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_subject_link_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_subject_id", sa.Integer(), nullable=False, comment="the person named"),
        sa.Column(
            "linked",
            sa.Boolean(),
            nullable=False,
            comment="the same person as a candidate; false: none of the candidates",
        ),
        sa.Column(
            "master_person_id",
            sa.Integer(),
            nullable=True,
            comment="whom they were linked to; empty for none of these, and once anonymised",
        ),
        sa.Column(
            "candidate_rank",
            sa.Integer(),
            nullable=True,
            comment="the candidate chosen, 1 for the best, as the manager saw them",
        ),
        sa.Column(
            "candidates",
            sa.Integer(),
            nullable=False,
            comment="how many candidates the manager was shown",
        ),
        sa.Column("reason", sa.Text(), nullable=False, comment="why, in the manager's words"),
        sa.Column("decided_by_professional_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_subject_id"],
            ["contact_subjects.id"],
            name=op.f("fk_contact_subject_link_decisions_contact_subject_id_contact_subjects"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_professional_id"],
            ["professionals.id"],
            name=op.f("fk_contact_subject_link_decisions_decided_by_professional_id_professionals"),
        ),
        sa.ForeignKeyConstraint(
            ["master_person_id"],
            ["master_persons.id"],
            name=op.f("fk_contact_subject_link_decisions_master_person_id_master_persons"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_subject_link_decisions")),
        sa.UniqueConstraint(
            "contact_subject_id",
            name=op.f("uq_contact_subject_link_decisions_contact_subject_id"),
        ),
    )
    # Every request made so far was the first round; the default fills them, then goes.
    with op.batch_alter_table("research_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "round",
                sa.Integer(),
                nullable=False,
                server_default=sa.text("1"),
                comment="1 for the first question to the agency; each follow-up after an "
                "answer is 1 more",
            )
        )
        batch_op.drop_constraint(
            batch_op.f("uq_research_requests_contact_id_agency_id"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_research_requests_contact_id_agency_id_round"),
            ["contact_id", "agency_id", "round"],
        )
        batch_op.create_check_constraint(
            op.f("ck_research_requests_round_from_one"), sa.text("round >= 1")
        )
    with op.batch_alter_table("research_requests", schema=None) as batch_op:
        batch_op.alter_column("round", server_default=None)


def downgrade() -> None:
    # A contact asked an agency more than once keeps only its first round's request.
    op.execute("DELETE FROM research_requests WHERE round > 1")
    with op.batch_alter_table("research_requests", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_research_requests_round_from_one"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("uq_research_requests_contact_id_agency_id_round"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_research_requests_contact_id_agency_id"), ["contact_id", "agency_id"]
        )
        batch_op.drop_column("round")
    op.drop_table("contact_subject_link_decisions")
