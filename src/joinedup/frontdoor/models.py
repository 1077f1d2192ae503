"""Tables of the front door: contacts, the people they name, ratings, partner research,
decisions, feedback to referrers, and domain events. (Social care cases, and the contacts
routed to them, are in case_models.)

Nothing here is deleted. A re-rating adds a rating and marks the one it replaces; domain events
are only ever appended (the database refuses to change them, as it does the ledger).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joinedup.db import Base
from joinedup.directory.models import Agency, Professional
from joinedup.directory.rules import AgencyKind
from joinedup.frontdoor.case_models import ContactRouting
from joinedup.frontdoor.link_models import SubjectLinkDecision
from joinedup.frontdoor.rules import (
    ADDRESS_LENGTH,
    IDEMPOTENCY_KEY_LENGTH,
    NAME_LENGTH,
    RELATIONSHIP_LENGTH,
    ContactStatus,
)


class Contact(Base):
    """A concern raised by a professional about one or more people: the front door's unit."""

    __tablename__ = "contacts"
    __table_args__ = (
        # A retried submission (same key, same referrer) finds the contact it already made.
        UniqueConstraint("referrer_professional_id", "idempotency_key"),
        CheckConstraint(
            "(consent = 'not_sought') = (consent_not_sought_reason IS NOT NULL)",
            name="consent_reason_when_not_sought",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(
        String(24), unique=True, comment="what the referrer quotes, like MASH-2026-000123"
    )
    received_at: Mapped[dt.datetime] = mapped_column(index=True)
    channel: Mapped[str] = mapped_column(String(8), comment="a Channel value: web, api or csv")
    referrer_professional_id: Mapped[int] = mapped_column(
        ForeignKey("professionals.id"), index=True
    )
    referrer_agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id"), comment="the referrer's agency when they raised it"
    )
    what_happened: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(16), comment="an Urgency value")
    consent: Mapped[str] = mapped_column(String(16), comment="given, refused or not_sought")
    consent_not_sought_reason: Mapped[str | None] = mapped_column(
        String(1), comment="DPA 2018 Sch 1 para 18(2) reason a, b or c; only when not sought"
    )
    idempotency_key: Mapped[str | None] = mapped_column(
        String(IDEMPOTENCY_KEY_LENGTH), comment="the client's key for retries, unique per referrer"
    )
    status: Mapped[str] = mapped_column(String(16), index=True, comment="a ContactStatus value")
    decision_due_at: Mapped[dt.datetime] = mapped_column(
        comment="from receipt, by the practice in force then (WT 2023: 1 working day)"
    )
    updated_at: Mapped[dt.datetime] = mapped_column(comment="when anything about it last changed")
    version: Mapped[int] = mapped_column(
        Integer,
        comment="1, then 1 more per change; a change from an older version is refused",
    )

    referrer: Mapped[Professional] = relationship()
    referrer_agency: Mapped[Agency] = relationship()
    subjects: Mapped[list[ContactSubject]] = relationship(
        back_populates="contact", order_by="ContactSubject.position"
    )
    concerns: Mapped[list[ContactConcern]] = relationship(
        back_populates="contact", order_by="ContactConcern.position"
    )
    ratings: Mapped[list[Rating]] = relationship(back_populates="contact", order_by="Rating.id")
    research_requests: Mapped[list[ResearchRequest]] = relationship(
        back_populates="contact", order_by="ResearchRequest.id"
    )
    decision: Mapped[ContactDecision | None] = relationship(back_populates="contact")
    feedback_tasks: Mapped[list[FeedbackTask]] = relationship(
        back_populates="contact", order_by="FeedbackTask.id"
    )
    routing: Mapped[ContactRouting | None] = relationship(back_populates="contact")

    @property
    def current_rating(self) -> Rating | None:
        return next((r for r in reversed(self.ratings) if r.replaced_by_id is None), None)

    @property
    def concern_categories(self) -> list[str]:
        return [c.category for c in self.concerns]

    @property
    def status_for_referrer(self) -> str:
        return ContactStatus(self.status).for_referrer


class ContactReferenceCounter(Base):
    """The last reference number given out in each year (references restart at 1 each year)."""

    __tablename__ = "contact_reference_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int]


class ContactConcern(Base):
    """One category of concern a contact raises (a contact may raise several)."""

    __tablename__ = "contact_concerns"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True)
    category: Mapped[str] = mapped_column(
        String(40), primary_key=True, comment="a code from the practice's concern categories"
    )
    position: Mapped[int] = mapped_column(comment="the order the referrer gave them in")

    contact: Mapped[Contact] = relationship(back_populates="concerns")


class ContactSubject(Base):
    """A person a contact names, as the referrer gave them (identifiers in canonical form)."""

    __tablename__ = "contact_subjects"
    __table_args__ = (
        # Exact matching by name and date of birth, until the people index matches properly.
        Index("ix_contact_subjects_family_name_norm_dob", "family_name_norm", "date_of_birth"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    position: Mapped[int] = mapped_column(comment="the order the referrer gave them in")
    role: Mapped[str] = mapped_column(String(20), comment="subject or household_member")
    kind: Mapped[str] = mapped_column(String(8), comment="child, adult or unborn")
    given_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    family_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    given_name_norm: Mapped[str | None] = mapped_column(
        String(NAME_LENGTH), comment="lower case, no accents or punctuation"
    )
    family_name_norm: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date, comment="an unborn baby's")
    nhs_number: Mapped[str | None] = mapped_column(
        String(10), index=True, comment="10 digits, check digit valid"
    )
    upn: Mapped[str | None] = mapped_column(
        String(13), index=True, comment="13 characters, check letter valid"
    )
    address: Mapped[str | None] = mapped_column(String(ADDRESS_LENGTH))
    postcode: Mapped[str | None] = mapped_column(String(8), comment="NG18 1AB")
    relationship_to_subject: Mapped[str | None] = mapped_column(
        String(RELATIONSHIP_LENGTH), comment="a household member's, to the subject, in words"
    )
    master_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("master_persons.id"),
        index=True,
        comment="the people index's master person, when intake found one",
    )

    contact: Mapped[Contact] = relationship(back_populates="subjects")
    # A MASH manager's decision among the model's candidates, for someone intake did not link.
    link_decision: Mapped[SubjectLinkDecision | None] = relationship()

    @property
    def name(self) -> str:
        return " ".join(n for n in (self.given_name, self.family_name) if n) or "Unborn baby"


class SubjectCandidate(Base):
    """A master person the trained model found for a person a contact names, at or above the
    review threshold: the one linked (above the link threshold), and those a manager should
    look at (between the thresholds), each with every comparison's part in its weight."""

    __tablename__ = "contact_subject_candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_subject_id: Mapped[int] = mapped_column(ForeignKey("contact_subjects.id"), index=True)
    master_person_id: Mapped[int] = mapped_column(ForeignKey("master_persons.id"), index=True)
    agency_record_id: Mapped[int] = mapped_column(
        ForeignKey("agency_records.id"), comment="the person's record that scored best"
    )
    match_probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    linked: Mapped[bool] = mapped_column(
        comment="filled the subject's master_person_id; otherwise for a manager to review"
    )
    contributions: Mapped[list[Any]] = mapped_column(
        JSON, comment="[comparison, level, weight] for the prior and each comparison"
    )
    model_file: Mapped[str] = mapped_column(String(100), comment="the model that scored it")


class Rating(Base):
    """A MASH manager's rating of a contact, with its reason. A re-rating replaces, never edits."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    rating: Mapped[str] = mapped_column(String(40), comment="a rating code from the practice")
    reason: Mapped[str] = mapped_column(Text)
    rated_by_professional_id: Mapped[int] = mapped_column(ForeignKey("professionals.id"))
    rated_at: Mapped[dt.datetime]
    research_due_at: Mapped[dt.datetime | None] = mapped_column(
        comment="from rated_at by the rating's clock; empty when it asks no research (Blue)"
    )
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("ratings.id"), comment="the later rating that replaced this one"
    )

    contact: Mapped[Contact] = relationship(back_populates="ratings")
    rated_by: Mapped[Professional] = relationship()


class DomainEvent(Base):
    """Something that happened (contact received, rated...), for chronology and insight.

    Not the audit ledger: the ledger says who saw or changed what; events say what happened
    in the work. Payloads hold codes and counts, never names or identifiers.
    """

    __tablename__ = "domain_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(60), index=True, comment="like contact.received")
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id"), index=True, comment="empty for events about no one contact"
    )
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor_user_id: Mapped[int | None] = mapped_column(
        comment="no foreign key, as in the ledger; empty for the system"
    )
    actor_professional_id: Mapped[int | None]
    actor_agency_id: Mapped[int | None] = mapped_column(comment="for insight by agency")
    actor_label: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class ResearchRequest(Base):
    """The MASH manager asking one partner agency what it knows, with that agency's own clock.

    The answer belongs to the answering agency (originator control): it says how sensitive it
    is and whether it may go beyond the MASH, and the sharing gate holds it to that. When new
    information arrives after an agency has answered, the manager asks it a follow-up: the
    next round, a request of its own with its own question, clock and answer, the earlier
    rounds kept as they were.
    """

    __tablename__ = "research_requests"
    __table_args__ = (
        # One request per round per agency: a follow-up is the next round, never a second
        # question beside an open one, and an answer is never overwritten.
        UniqueConstraint("contact_id", "agency_id", "round"),
        CheckConstraint("(answered_at IS NULL) = (summary IS NULL)", name="summary_when_answered"),
        CheckConstraint("round >= 1", name="round_from_one"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id"), index=True, comment="the partner agency asked"
    )
    round: Mapped[int] = mapped_column(
        Integer,
        comment="1 for the first question to the agency; each follow-up after an answer is 1 more",
    )
    requested_by_professional_id: Mapped[int] = mapped_column(ForeignKey("professionals.id"))
    requested_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime] = mapped_column(
        index=True, comment="from requested_at by the contact's rating's research clock"
    )
    question: Mapped[str] = mapped_column(Text, comment="what the manager wants to know")
    escalated_at: Mapped[dt.datetime | None] = mapped_column(
        comment="when it was escalated for being late; empty until then"
    )
    answered_at: Mapped[dt.datetime | None]
    answered_by_professional_id: Mapped[int | None] = mapped_column(ForeignKey("professionals.id"))
    summary: Mapped[str | None] = mapped_column(Text, comment="the proportionate summary")
    sensitivity: Mapped[str | None] = mapped_column(
        String(16), comment="a sharing Sensitivity value, the answering agency's marking"
    )
    may_share_beyond_mash: Mapped[bool | None] = mapped_column(
        comment="originator control: the answering agency's choice"
    )

    contact: Mapped[Contact] = relationship(back_populates="research_requests")
    agency: Mapped[Agency] = relationship()
    requested_by: Mapped[Professional] = relationship(foreign_keys=[requested_by_professional_id])
    answered_by: Mapped[Professional | None] = relationship(
        foreign_keys=[answered_by_professional_id]
    )

    @property
    def is_open(self) -> bool:
        return self.answered_at is None

    @property
    def is_follow_up(self) -> bool:
        return self.round > 1


class ContactDecision(Base):
    """The MASH manager's decision on a contact: the outcome, why, and who took part."""

    __tablename__ = "contact_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(40), comment="a code from the practice's outcomes")
    rationale: Mapped[str] = mapped_column(Text)
    harm_indicated: Mapped[bool] = mapped_column(
        comment="whether the information indicated harm (significant harm for a child)"
    )
    no_strategy_reason: Mapped[str | None] = mapped_column(
        Text, comment="why no strategy discussion, required when harm was indicated"
    )
    decided_by_professional_id: Mapped[int] = mapped_column(ForeignKey("professionals.id"))
    decided_at: Mapped[dt.datetime]

    contact: Mapped[Contact] = relationship(back_populates="decision")
    decided_by: Mapped[Professional] = relationship()
    agencies: Mapped[list[DecisionAgency]] = relationship(
        back_populates="decision", order_by="DecisionAgency.agency_id"
    )

    @property
    def not_invited(self) -> list[str]:
        """Health and education, where a strategy discussion left them out (Ofsted's finding)."""
        invited = [AgencyKind(a.agency.kind) for a in self.agencies if a.invited]
        if not invited:
            return []
        missing = []
        if not any(kind.is_health for kind in invited):
            missing.append("Health")
        if AgencyKind.SCHOOL not in invited:
            missing.append("Education")
        return missing

    def agency_ids(self, *, took_part: bool = False, invited: bool = False) -> list[int]:
        return [
            a.agency_id
            for a in self.agencies
            if (not took_part or a.took_part) and (not invited or a.invited)
        ]


class DecisionAgency(Base):
    """An agency in a decision: whether it took part, and for a strategy discussion, whether
    it was invited (Ofsted found health and schools left out: the flag comes from here)."""

    __tablename__ = "decision_agencies"

    decision_id: Mapped[int] = mapped_column(ForeignKey("contact_decisions.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    took_part: Mapped[bool]
    invited: Mapped[bool] = mapped_column(comment="invited to the strategy discussion")

    decision: Mapped[ContactDecision] = relationship(back_populates="agencies")
    agency: Mapped[Agency] = relationship()


class FeedbackTask(Base):
    """Telling the referrer: the acknowledgement, then the outcome, each with its clock."""

    __tablename__ = "feedback_tasks"
    __table_args__ = (UniqueConstraint("contact_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), comment="acknowledgement or outcome")
    due_at: Mapped[dt.datetime] = mapped_column(index=True)
    sent_at: Mapped[dt.datetime | None]
    sent_by_professional_id: Mapped[int | None] = mapped_column(ForeignKey("professionals.id"))
    message: Mapped[str | None] = mapped_column(Text, comment="what the referrer was told")

    contact: Mapped[Contact] = relationship(back_populates="feedback_tasks")
    sent_by: Mapped[Professional | None] = relationship()

    @property
    def from_allocated_worker(self) -> bool:
        """Sent by the social worker of the case the contact was routed to, not the MASH."""
        routed = self.contact.routing
        return routed is not None and self.sent_by_professional_id in (
            routed.worker_id,
            routed.case.allocated_worker_id,
        )
