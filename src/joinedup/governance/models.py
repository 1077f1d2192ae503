"""What the retention job did: one row per contact it anonymised.

The contact's own rows stay (references, codes, clocks and who worked it), emptied of
personal data; this row says when, under which agreement's period, and which ledger entry
recorded the run. It is also how the job knows a contact is done, so a second run changes
nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from joinedup.db import Base


class AnonymisedContact(Base):
    """A contact whose personal data the retention job removed."""

    __tablename__ = "anonymised_contacts"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id"), primary_key=True, autoincrement=False
    )
    anonymised_at: Mapped[dt.datetime]
    purpose: Mapped[str] = mapped_column(String(40), comment="a sharing Purpose value")
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("sharing_agreements.id"), comment="the agreement whose retention period ended"
    )
    retention_days: Mapped[int] = mapped_column(comment="that period, as it stood at the time")
    audit_entry_id: Mapped[int] = mapped_column(
        comment="the run's ledger entry (no foreign key: the ledger stands alone)"
    )
