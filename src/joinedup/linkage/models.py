"""Tables of linkage: its runs, every change of a record's person, merges, and review tasks.

Master persons and agency records live in people/models.py; these tables say how they came
to be joined. Nothing is deleted: a record that moves to another person keeps a row saying
from whom, to whom and in which run; a merge keeps a row that undoing it marks; a review task
keeps its decision. So no agency record is ever lost from view, and every link can be
explained and undone.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joinedup.db import Base
from joinedup.people.models import AgencyRecord


class ReviewStatus(enum.StrEnum):
    OPEN = "open"  # waiting for a person to decide
    SAME = "same"  # decided: the same person
    APART = "apart"  # decided: not the same person
    UNSURE = "unsure"  # looked at, not sure: stays in the queue
    WITHDRAWN = "withdrawn"  # a later run no longer scores the pair as uncertain

    @property
    def decided(self) -> bool:
        return self in (ReviewStatus.SAME, ReviewStatus.APART)


class LinkageRun(Base):
    """One batch run of the trained model over every agency record (`joinedup link run`)."""

    __tablename__ = "linkage_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime]
    actor_user_id: Mapped[int | None] = mapped_column(
        comment="no foreign key, as in the ledger; empty for an operator's command"
    )
    actor_label: Mapped[str] = mapped_column(String(200))
    model_file: Mapped[str] = mapped_column(String(255), comment="the model file's name")
    model_trained_at: Mapped[dt.datetime]
    upper_threshold: Mapped[float] = mapped_column(Float, comment="at or above: linked")
    lower_threshold: Mapped[float] = mapped_column(Float, comment="at or above: reviewed")
    records: Mapped[int] = mapped_column(comment="agency records linked")
    pairs_scored: Mapped[int] = mapped_column(comment="pairs at or above the lower threshold")
    linked_pairs: Mapped[int]
    review_tasks: Mapped[int] = mapped_column(comment="open review tasks after the run")
    records_moved: Mapped[int] = mapped_column(comment="records whose master person changed")
    merges: Mapped[int]
    new_people: Mapped[int]
    people: Mapped[int] = mapped_column(comment="master persons with records after the run")


class RecordPersonChange(Base):
    """A record moved from one master person to another: the history of every link."""

    __tablename__ = "record_person_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_record_id: Mapped[int] = mapped_column(ForeignKey("agency_records.id"), index=True)
    from_master_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("master_persons.id"), comment="empty if it had none"
    )
    to_master_person_id: Mapped[int] = mapped_column(ForeignKey("master_persons.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("linkage_runs.id"), index=True, comment="empty when an undo moved it back"
    )
    merge_id: Mapped[int | None] = mapped_column(
        ForeignKey("master_person_merges.id"),
        index=True,
        comment="the merge that moved it, or whose undoing moved it back",
    )
    changed_at: Mapped[dt.datetime]


class MasterPersonMerge(Base):
    """A master person merged into another by a run; undoing it moves its records back."""

    __tablename__ = "master_person_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("linkage_runs.id"), index=True)
    master_person_id: Mapped[int] = mapped_column(
        ForeignKey("master_persons.id"), index=True, comment="the person merged away"
    )
    into_master_person_id: Mapped[int] = mapped_column(ForeignKey("master_persons.id"))
    merged_at: Mapped[dt.datetime]
    undone_at: Mapped[dt.datetime | None]
    undone_by_label: Mapped[str | None] = mapped_column(String(200))


class ReviewTask(Base):
    """A pair of records the model is not sure about, or that a guard rail stopped linking."""

    __tablename__ = "linkage_review_tasks"
    __table_args__ = (UniqueConstraint("agency_record_id", "other_agency_record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_record_id: Mapped[int] = mapped_column(
        ForeignKey("agency_records.id"), comment="the lower id of the pair"
    )
    other_agency_record_id: Mapped[int] = mapped_column(ForeignKey("agency_records.id"), index=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("linkage_runs.id"), index=True, comment="the latest run that raised it"
    )
    match_weight: Mapped[float] = mapped_column(Float)
    match_probability: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(40), comment="a rules.ReviewReason value")
    status: Mapped[str] = mapped_column(
        String(12), index=True, comment="a ReviewStatus value", default=ReviewStatus.OPEN
    )
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]
    decided_by_label: Mapped[str | None] = mapped_column(String(200))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    agency_record: Mapped[AgencyRecord] = relationship(foreign_keys=[agency_record_id])
    other_agency_record: Mapped[AgencyRecord] = relationship(foreign_keys=[other_agency_record_id])
    decisions: Mapped[list[ReviewDecision]] = relationship(
        back_populates="task", order_by="ReviewDecision.id"
    )

    @property
    def waiting(self) -> bool:
        """Whether it is in the review queue: open, or looked at and not yet sure."""
        return self.status in (ReviewStatus.OPEN, ReviewStatus.UNSURE)

    @property
    def record_ids(self) -> tuple[int, int]:
        return (self.agency_record_id, self.other_agency_record_id)


class ReviewDecision(Base):
    """A reviewer's answer to a review task: every one kept, "not sure" too.

    The task holds the latest; these are its history, and decided pairs are the labels that
    evaluation and every later run take as true (a person's decision is final until a person
    changes it).
    """

    __tablename__ = "linkage_review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("linkage_review_tasks.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(12), comment="same, apart or unsure")
    reason: Mapped[str] = mapped_column(Text, comment="the reviewer's, in their words")
    match_probability: Mapped[float] = mapped_column(Float, comment="the score they were shown")
    actor_user_id: Mapped[int | None] = mapped_column(
        comment="no foreign key, as in the ledger; empty for an operator's command"
    )
    actor_label: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime]
    merge_id: Mapped[int | None] = mapped_column(
        ForeignKey("master_person_merges.id"),
        comment="the merge that linking made, or that deciding apart undid",
    )

    task: Mapped[ReviewTask] = relationship(back_populates="decisions")
