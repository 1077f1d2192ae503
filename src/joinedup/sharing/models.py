"""Tables of governed sharing: agreements and their history, sharing decisions, break-glass
and the IG leads' reviews of it.

Nothing here is deleted: an agreement that ends is expired, a status change is a new row, and a
decision or break-glass grant stays as the record of what was done and why.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joinedup.audit.models import AuditEntry
from joinedup.db import Base
from joinedup.directory.models import Agency, Professional
from joinedup.sharing.rules import AgreementStatus


class Agreement(Base):
    """An information sharing agreement: who shares what, why, on what lawful basis, until when."""

    __tablename__ = "sharing_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(40), comment="a Purpose value")
    lawful_basis: Mapped[str] = mapped_column(
        String(40), comment="a LawfulBasis value: the UK GDPR Art 6(1) basis"
    )
    article_9_condition: Mapped[str | None] = mapped_column(
        String(40),
        comment="an Article9Condition value; needed before special category data is covered",
    )
    schedule_1_condition: Mapped[str] = mapped_column(
        Text,
        default="",
        comment="the DPA 2018 Schedule 1 condition, as the agreement words it (Art 9 and 10)",
    )
    onward_sharing: Mapped[str] = mapped_column(String(40), comment="an OnwardSharing value")
    retention_days: Mapped[int] = mapped_column(
        Integer, comment="how long information received under it may be kept"
    )
    starts_on: Mapped[dt.date]
    review_on: Mapped[dt.date] = mapped_column(comment="IG leads are warned as this nears")
    ends_on: Mapped[dt.date | None] = mapped_column(comment="empty: open-ended")
    status: Mapped[str] = mapped_column(String(20), index=True, comment="an AgreementStatus value")
    created_by_professional_id: Mapped[int | None] = mapped_column(
        ForeignKey("professionals.id"), comment="empty when drafted by an operator's command"
    )
    created_by_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]

    parties: Mapped[list[AgreementParty]] = relationship(
        back_populates="agreement", order_by="AgreementParty.id"
    )
    status_changes: Mapped[list[AgreementStatusChange]] = relationship(
        back_populates="agreement", order_by="AgreementStatusChange.id"
    )

    @property
    def current_status(self) -> AgreementStatus:
        return AgreementStatus(self.status)

    def party_for(self, agency_id: int | None) -> AgreementParty | None:
        return next((p for p in self.parties if p.agency_id == agency_id), None)

    @property
    def unsigned_parties(self) -> list[AgreementParty]:
        return [p for p in self.parties if p.signature is None]


class AgreementParty(Base):
    """An agency bound by an agreement: it shares what it holds, and receives what it is granted."""

    __tablename__ = "sharing_agreement_parties"
    __table_args__ = (UniqueConstraint("agreement_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("sharing_agreements.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    added_at: Mapped[dt.datetime]

    agreement: Mapped[Agreement] = relationship(back_populates="parties")
    agency: Mapped[Agency] = relationship()
    grants: Mapped[list[AgreementGrant]] = relationship(
        back_populates="party", order_by="AgreementGrant.id"
    )
    signature: Mapped[AgreementSignature | None] = relationship(back_populates="party")


class AgreementGrant(Base):
    """The party's staff holding `role` may see `category` from the other parties."""

    __tablename__ = "sharing_agreement_grants"
    __table_args__ = (UniqueConstraint("party_id", "role", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("sharing_agreement_parties.id"), index=True)
    role: Mapped[str] = mapped_column(String(40), comment="a Role value (never system_leader)")
    category: Mapped[str] = mapped_column(String(40), comment="a DataCategory value")

    party: Mapped[AgreementParty] = relationship(back_populates="grants")


class AgreementSignature(Base):
    """A party's signature, by its IG lead. One per party."""

    __tablename__ = "sharing_agreement_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("sharing_agreement_parties.id"), unique=True)
    signed_by_professional_id: Mapped[int] = mapped_column(
        ForeignKey("professionals.id"), comment="the party's IG lead when they signed"
    )
    signed_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), comment="the account they signed in with"
    )
    signed_at: Mapped[dt.datetime]

    party: Mapped[AgreementParty] = relationship(back_populates="signature")
    signed_by: Mapped[Professional] = relationship()


class AgreementStatusChange(Base):
    """One move of an agreement's status, with who made it and why; the history is kept."""

    __tablename__ = "sharing_agreement_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("sharing_agreements.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20), comment="empty when drafted")
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    changed_by_label: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[dt.datetime]

    agreement: Mapped[Agreement] = relationship(back_populates="status_changes")


class SharingDecision(Base):
    """A decision to share, or not to share, about a person, and why (golden rule 7)."""

    __tablename__ = "sharing_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_reference: Mapped[str] = mapped_column(
        String(80), index=True, comment="the person, as the deciding agency refers to them"
    )
    master_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("master_persons.id"), index=True, comment="the master person, when known"
    )
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id"), index=True, comment="the agency whose information it is"
    )
    decision: Mapped[str] = mapped_column(String(20), comment="a SharingChoice value")
    lawful_basis: Mapped[str] = mapped_column(String(40), comment="a LawfulBasis value")
    consent_status: Mapped[str] = mapped_column(String(20), comment="a ConsentStatus value")
    para_18_reason: Mapped[str | None] = mapped_column(
        String(40),
        comment="a Para18Reason value: why it was shared without consent (DPA 2018 Sch 1 "
        "para 18(2)); required when sharing without consent",
    )
    categories: Mapped[str] = mapped_column(
        String(400), comment="DataCategory values shared (or withheld), comma-separated, sorted"
    )
    with_agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agencies.id"), comment="the recipient; empty: every partner"
    )
    purpose: Mapped[str] = mapped_column(String(40), comment="a Purpose value")
    reasons: Mapped[str] = mapped_column(Text, comment="the practitioner's reasons, in words")
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("sharing_agreements.id"), comment="the agreement relied on, if any"
    )
    decided_by_professional_id: Mapped[int | None] = mapped_column(ForeignKey("professionals.id"))
    decided_by_label: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime] = mapped_column(index=True)

    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id])
    with_agency: Mapped[Agency | None] = relationship(foreign_keys=[with_agency_id])


class BreakGlassGrant(Base):
    """Time-limited emergency access to a person's records, with its justification."""

    __tablename__ = "break_glass_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), comment="the user's agency")
    subject_reference: Mapped[str] = mapped_column(String(80), index=True)
    master_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("master_persons.id"), comment="the master person, when known"
    )
    owner_agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agencies.id"), comment="the agency whose records it opens; empty: all"
    )
    justification: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    owner_notified_at: Mapped[dt.datetime | None] = mapped_column(
        comment="when the owning agency's IG lead was alerted; empty until the alert is sent"
    )

    def is_open(self, at: dt.datetime) -> bool:
        return self.starts_at <= at < self.expires_at


class BreakGlassReview(Base):
    """An owning agency's IG lead looked at a break-glass use and recorded what they found.

    A row of its own, never a change to the grant: the grant stays as the practitioner left it.
    A grant over every agency's records is reviewed by each agency for itself.
    """

    __tablename__ = "break_glass_reviews"
    __table_args__ = (UniqueConstraint("grant_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("break_glass_grants.id"), index=True)
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id"), index=True, comment="the owning agency the review is for"
    )
    note: Mapped[str] = mapped_column(Text, comment="what the IG lead found and did, in words")
    reviewed_by_professional_id: Mapped[int] = mapped_column(ForeignKey("professionals.id"))
    reviewed_by_label: Mapped[str] = mapped_column(String(200))
    reviewed_at: Mapped[dt.datetime]

    grant: Mapped[BreakGlassGrant] = relationship()
    reviewed_by: Mapped[Professional] = relationship()


# The ledger by the owning agency each gate entry names, for the IG lead's reports
# (transparency.py). Built by migration 0009 in each database's own form; declared here in
# PostgreSQL's so the schema check compares it there (SQLite cannot reflect such an index, and
# the check skips it).
_OWNER = "((detail::jsonb ->> 'owner_agency_id')::integer)"
Index(
    "ix_audit_entries_owner_agency_id_at",
    text(_OWNER),
    AuditEntry.at,
    AuditEntry.action,
    postgresql_where=text(f"{_OWNER} IS NOT NULL"),
)
