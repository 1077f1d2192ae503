"""linkage: its runs, every change of a record's master person, merges, and review tasks

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import joinedup.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "linkage_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "actor_user_id",
            sa.Integer(),
            nullable=True,
            comment="no foreign key, as in the ledger; empty for an operator's command",
        ),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column(
            "model_file", sa.String(length=255), nullable=False, comment="the model file's name"
        ),
        sa.Column("model_trained_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("upper_threshold", sa.Float(), nullable=False, comment="at or above: linked"),
        sa.Column("lower_threshold", sa.Float(), nullable=False, comment="at or above: reviewed"),
        sa.Column("records", sa.Integer(), nullable=False, comment="agency records linked"),
        sa.Column(
            "pairs_scored",
            sa.Integer(),
            nullable=False,
            comment="pairs at or above the lower threshold",
        ),
        sa.Column("linked_pairs", sa.Integer(), nullable=False),
        sa.Column(
            "review_tasks", sa.Integer(), nullable=False, comment="open review tasks after the run"
        ),
        sa.Column(
            "records_moved",
            sa.Integer(),
            nullable=False,
            comment="records whose master person changed",
        ),
        sa.Column("merges", sa.Integer(), nullable=False),
        sa.Column("new_people", sa.Integer(), nullable=False),
        sa.Column(
            "people",
            sa.Integer(),
            nullable=False,
            comment="master persons with records after the run",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_runs")),
    )
    op.create_table(
        "master_person_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column(
            "master_person_id", sa.Integer(), nullable=False, comment="the person merged away"
        ),
        sa.Column("into_master_person_id", sa.Integer(), nullable=False),
        sa.Column("merged_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("undone_at", joinedup.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("undone_by_label", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["into_master_person_id"],
            ["master_persons.id"],
            name=op.f("fk_master_person_merges_into_master_person_id_master_persons"),
        ),
        sa.ForeignKeyConstraint(
            ["master_person_id"],
            ["master_persons.id"],
            name=op.f("fk_master_person_merges_master_person_id_master_persons"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["linkage_runs.id"],
            name=op.f("fk_master_person_merges_run_id_linkage_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_master_person_merges")),
    )
    with op.batch_alter_table("master_person_merges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_master_person_merges_master_person_id"),
            ["master_person_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_master_person_merges_run_id"), ["run_id"], unique=False
        )

    op.create_table(
        "linkage_review_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "agency_record_id", sa.Integer(), nullable=False, comment="the lower id of the pair"
        ),
        sa.Column("other_agency_record_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False, comment="the latest run that raised it"),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column(
            "reason", sa.String(length=40), nullable=False, comment="a rules.ReviewReason value"
        ),
        sa.Column("status", sa.String(length=12), nullable=False, comment="a ReviewStatus value"),
        sa.Column("created_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", joinedup.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_label", sa.String(length=200), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_record_id"],
            ["agency_records.id"],
            name=op.f("fk_linkage_review_tasks_agency_record_id_agency_records"),
        ),
        sa.ForeignKeyConstraint(
            ["other_agency_record_id"],
            ["agency_records.id"],
            name=op.f("fk_linkage_review_tasks_other_agency_record_id_agency_records"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["linkage_runs.id"],
            name=op.f("fk_linkage_review_tasks_run_id_linkage_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_review_tasks")),
        sa.UniqueConstraint(
            "agency_record_id",
            "other_agency_record_id",
            name=op.f("uq_linkage_review_tasks_agency_record_id_other_agency_record_id"),
        ),
    )
    with op.batch_alter_table("linkage_review_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_linkage_review_tasks_other_agency_record_id"),
            ["other_agency_record_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_linkage_review_tasks_run_id"), ["run_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_linkage_review_tasks_status"), ["status"], unique=False
        )

    op.create_table(
        "record_person_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_record_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_master_person_id", sa.Integer(), nullable=True, comment="empty if it had none"
        ),
        sa.Column("to_master_person_id", sa.Integer(), nullable=False),
        sa.Column(
            "run_id", sa.Integer(), nullable=True, comment="empty when an undo moved it back"
        ),
        sa.Column(
            "merge_id",
            sa.Integer(),
            nullable=True,
            comment="the merge that moved it, or whose undoing moved it back",
        ),
        sa.Column("changed_at", joinedup.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_record_id"],
            ["agency_records.id"],
            name=op.f("fk_record_person_changes_agency_record_id_agency_records"),
        ),
        sa.ForeignKeyConstraint(
            ["from_master_person_id"],
            ["master_persons.id"],
            name=op.f("fk_record_person_changes_from_master_person_id_master_persons"),
        ),
        sa.ForeignKeyConstraint(
            ["merge_id"],
            ["master_person_merges.id"],
            name=op.f("fk_record_person_changes_merge_id_master_person_merges"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["linkage_runs.id"],
            name=op.f("fk_record_person_changes_run_id_linkage_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["to_master_person_id"],
            ["master_persons.id"],
            name=op.f("fk_record_person_changes_to_master_person_id_master_persons"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_person_changes")),
    )
    with op.batch_alter_table("record_person_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_record_person_changes_agency_record_id"),
            ["agency_record_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_record_person_changes_merge_id"), ["merge_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_record_person_changes_run_id"), ["run_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_record_person_changes_to_master_person_id"),
            ["to_master_person_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("record_person_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_person_changes_to_master_person_id"))
        batch_op.drop_index(batch_op.f("ix_record_person_changes_run_id"))
        batch_op.drop_index(batch_op.f("ix_record_person_changes_merge_id"))
        batch_op.drop_index(batch_op.f("ix_record_person_changes_agency_record_id"))

    op.drop_table("record_person_changes")
    with op.batch_alter_table("linkage_review_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_linkage_review_tasks_status"))
        batch_op.drop_index(batch_op.f("ix_linkage_review_tasks_run_id"))
        batch_op.drop_index(batch_op.f("ix_linkage_review_tasks_other_agency_record_id"))

    op.drop_table("linkage_review_tasks")
    with op.batch_alter_table("master_person_merges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_master_person_merges_run_id"))
        batch_op.drop_index(batch_op.f("ix_master_person_merges_master_person_id"))

    op.drop_table("master_person_merges")
    op.drop_table("linkage_runs")
