"""Tables of social care cases, which intake routes contacts by, and of the contacts routed.

A case is held by children's or adults' social care, as its case-management system exports it
(frontdoor.cases imports the file). A contact about someone with an open case goes to the
allocated worker, not through the MASH (domain.md, step 2).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joinedup.db import Base
from joinedup.directory.models import Agency, Professional
from joinedup.frontdoor.rules import CASE_REFERENCE_LENGTH

if TYPE_CHECKING:  # models imports this module: its Contact has a routing
    from joinedup.frontdoor.models import Contact


class SocialCareCase(Base):
    """A case open (or once open) with children's or adults' social care, as the agency's
    case-management system exports it: whose it is and which of its social workers holds it.

    A contact about someone with an open case goes to the allocated worker, not through the
    MASH (domain.md, step 2). Changes from a later export update it in place; each change is a
    domain event (case.opened, case.reallocated, case.closed...), which is its history.
    """

    __tablename__ = "social_care_cases"
    __table_args__ = (UniqueConstraint("agency_id", "case_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id"), comment="the children's or adults' social care service"
    )
    case_reference: Mapped[str] = mapped_column(
        String(CASE_REFERENCE_LENGTH), comment="the agency's own reference for the case"
    )
    agency_record_id: Mapped[int] = mapped_column(
        ForeignKey("agency_records.id"),
        comment="the agency's record of the person, from its extract",
    )
    master_person_id: Mapped[int] = mapped_column(
        ForeignKey("master_persons.id"),
        index=True,
        comment="whose case: intake looks open cases up by it",
    )
    allocated_worker_id: Mapped[int] = mapped_column(
        ForeignKey("professionals.id"), index=True, comment="the agency's social worker holding it"
    )
    opened_at: Mapped[dt.datetime] = mapped_column(comment="the start of the day it opened")
    closed_at: Mapped[dt.datetime | None] = mapped_column(
        comment="the start of the day it closed; empty while open"
    )
    updated_at: Mapped[dt.datetime] = mapped_column(comment="when an import last changed it")

    agency: Mapped[Agency] = relationship()
    allocated_worker: Mapped[Professional] = relationship()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ContactRouting(Base):
    """A contact that went to the allocated worker of a subject's open case instead of the MASH
    (domain.md step 2); once the worker took it into the case's work, who and when; and, if it
    was brought back into the MASH, when and why (a MASH manager's reason, like a wrong match,
    or the hub's when the case closed before the worker accepted it). Kept once brought back:
    it is the contact's history.

    Who holds the contact now is the case's allocated worker (a reallocated case takes its
    contacts with it); worker_id and accepted_by_professional_id are who held and who accepted
    it then.
    """

    __tablename__ = "contact_routings"
    __table_args__ = (
        CheckConstraint(
            "(brought_back_at IS NULL) = (brought_back_reason IS NULL)",
            name="reason_when_brought_back",
        ),
        CheckConstraint(
            "(accepted_at IS NULL) = (accepted_by_professional_id IS NULL)",
            name="who_when_accepted",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("social_care_cases.id"), index=True)
    worker_id: Mapped[int] = mapped_column(
        ForeignKey("professionals.id"), comment="the case's allocated worker when it was routed"
    )
    routed_at: Mapped[dt.datetime]
    brought_back_at: Mapped[dt.datetime | None]
    brought_back_by_professional_id: Mapped[int | None] = mapped_column(
        ForeignKey("professionals.id")
    )
    brought_back_reason: Mapped[str | None] = mapped_column(Text)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(
        comment="when the allocated worker took it into the case's work"
    )
    accepted_by_professional_id: Mapped[int | None] = mapped_column(
        ForeignKey("professionals.id"), comment="the allocated worker who accepted it"
    )
    accepted_note: Mapped[str | None] = mapped_column(
        Text, comment="the worker's note on accepting it, if any (free text: may name anyone)"
    )

    contact: Mapped[Contact] = relationship(back_populates="routing")
    case: Mapped[SocialCareCase] = relationship()
    brought_back_by: Mapped[Professional | None] = relationship(
        foreign_keys=[brought_back_by_professional_id]
    )
    accepted_by: Mapped[Professional | None] = relationship(
        foreign_keys=[accepted_by_professional_id]
    )

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None
