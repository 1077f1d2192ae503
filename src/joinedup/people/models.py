"""Tables of the master person index: who is who across every agency's records.

An agency record is one row of an agency's person extract, kept as the agency sent it plus the
normal forms that matching and blocking compare. A master person is the hub's idea of one real
person; records join one by linkage. Nothing here is ever deleted: a changed record keeps its
old values as a version, a record the agency stops sending is marked, and a merge of two master
persons points one at the other (so it can be undone) rather than removing either.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joinedup.db import Base
from joinedup.directory.models import Agency

# Longest values the extract schema accepts (people.schemas checks them before writing, so
# PostgreSQL and SQLite behave alike).
NAME_LENGTH = 100
OTHER_NAMES_LENGTH = 200
ADDRESS_LENGTH = 300
REFERENCE_LENGTH = 64


class MasterPerson(Base):
    """One real person as the hub understands them: the records linked to them say who."""

    __tablename__ = "master_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime]
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("master_persons.id"),
        index=True,
        comment="set when merged into another master person; cleared again to undo the merge",
    )


class PersonImport(Base):
    """One run of an agency's person extract into the hub, all or nothing."""

    __tablename__ = "person_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255), comment="as given, without its folder")
    file_sha256: Mapped[str] = mapped_column(
        String(64), index=True, comment="of the file's bytes: the same file is imported once"
    )
    rows: Mapped[int] = mapped_column(comment="data rows in the file")
    created: Mapped[int] = mapped_column(comment="records new to the hub")
    updated: Mapped[int] = mapped_column(comment="records whose values changed")
    unchanged: Mapped[int]
    absent: Mapped[int] = mapped_column(
        comment="the agency's records not in this extract (kept, and marked)"
    )
    actor_user_id: Mapped[int | None] = mapped_column(
        comment="no foreign key, as in the ledger; empty for an operator's command"
    )
    actor_label: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[dt.datetime]

    agency: Mapped[Agency] = relationship()


class AgencyRecord(Base):
    """One person as one agency records them: a row of its extract, and its normal forms."""

    __tablename__ = "agency_records"
    __table_args__ = (
        UniqueConstraint("agency_id", "record_id"),
        # For blocking and exact look-ups, with nhs_number, upn and postcode_norm. Only these:
        # each index slows every import, and bulk linkage blocks in DuckDB, not here.
        Index("ix_agency_records_family_name_norm_dob", "family_name_norm", "date_of_birth"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    record_id: Mapped[str] = mapped_column(
        String(REFERENCE_LENGTH), comment="the agency's key for the record, unique within it"
    )
    source: Mapped[str] = mapped_column(
        String(REFERENCE_LENGTH),
        comment="the system or file the current values came from (the file name by default)",
    )

    # As the agency sent them (identifiers in canonical form; empty cells as NULL).
    given_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    family_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    other_names: Mapped[str | None] = mapped_column(
        String(OTHER_NAMES_LENGTH), comment="former or alternative names the agency knows"
    )
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1), comment="F, M or U (not known)")
    address: Mapped[str | None] = mapped_column(String(ADDRESS_LENGTH))
    postcode: Mapped[str | None] = mapped_column(String(16), comment="as the agency wrote it")
    nhs_number: Mapped[str | None] = mapped_column(
        String(10), index=True, comment="10 digits, check digit valid"
    )
    upn: Mapped[str | None] = mapped_column(
        String(13), index=True, comment="13 characters, check letter valid"
    )
    pnc_id: Mapped[str | None] = mapped_column(
        String(13), comment="YYYY/NNNNNNNC, check letter valid"
    )
    local_id: Mapped[str | None] = mapped_column(
        String(REFERENCE_LENGTH), comment="the agency's own person number"
    )
    household_ref: Mapped[str | None] = mapped_column(
        String(REFERENCE_LENGTH), comment="the agency's own household or family reference"
    )

    # Normal forms (people.normalise), for matching and blocking.
    given_name_norm: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    given_name_canonical: Mapped[str | None] = mapped_column(
        String(NAME_LENGTH), comment="first given name with nicknames resolved (bill: william)"
    )
    family_name_norm: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    other_names_norm: Mapped[str | None] = mapped_column(String(OTHER_NAMES_LENGTH))
    postcode_norm: Mapped[str | None] = mapped_column(
        String(8), index=True, comment="NG18 1AB; empty when the postcode is not one"
    )
    postcode_sector: Mapped[str | None] = mapped_column(String(6), comment="NG18 1")
    outward_code: Mapped[str | None] = mapped_column(String(4), comment="NG18")

    fields_sha256: Mapped[str] = mapped_column(
        String(64), comment="of the person fields as sent: how a re-import spots a change"
    )
    master_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("master_persons.id"), index=True, comment="empty until linked"
    )
    import_id: Mapped[int] = mapped_column(
        ForeignKey("person_imports.id"), comment="the import that wrote the current values"
    )
    absent_since_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("person_imports.id"),
        comment="the first import whose extract lacked this record; empty while it is sent",
    )
    imported_at: Mapped[dt.datetime] = mapped_column(comment="when the hub first received it")
    updated_at: Mapped[dt.datetime] = mapped_column(comment="when its values last changed")

    agency: Mapped[Agency] = relationship()
    master_person: Mapped[MasterPerson | None] = relationship()
    versions: Mapped[list[AgencyRecordVersion]] = relationship(
        back_populates="agency_record", order_by="AgencyRecordVersion.id"
    )


class AgencyRecordVersion(Base):
    """Values an agency record held before a re-import changed them: its history."""

    __tablename__ = "agency_record_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_record_id: Mapped[int] = mapped_column(ForeignKey("agency_records.id"), index=True)
    fields: Mapped[str] = mapped_column(
        Text, comment="canonical JSON of the extract fields as they were"
    )
    from_import_id: Mapped[int] = mapped_column(
        ForeignKey("person_imports.id"), comment="the import that wrote these values"
    )
    replaced_by_import_id: Mapped[int] = mapped_column(
        ForeignKey("person_imports.id"), comment="the import that changed them"
    )
    replaced_at: Mapped[dt.datetime]

    agency_record: Mapped[AgencyRecord] = relationship(back_populates="versions")


class HouseholdRelationship(enum.StrEnum):
    """A member's place in a household."""

    PARENT = "parent"  # or the person caring for the children as a parent would
    CHILD = "child"
    PARTNER = "partner"
    SIBLING = "sibling"
    OTHER_ADULT = "other_adult"


class Household(Base):
    """People who live together, as linkage works out from extracts' household references
    and shared addresses."""

    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str | None] = mapped_column(String(ADDRESS_LENGTH))
    postcode_norm: Mapped[str | None] = mapped_column(String(8), index=True)
    created_at: Mapped[dt.datetime]


class HouseholdMember(Base):
    """A master person's membership of a household; kept when they leave, with the date."""

    __tablename__ = "household_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    master_person_id: Mapped[int] = mapped_column(ForeignKey("master_persons.id"), index=True)
    relationship: Mapped[str] = mapped_column(String(20), comment="a HouseholdRelationship value")
    joined_at: Mapped[dt.datetime]
    left_at: Mapped[dt.datetime | None] = mapped_column(
        comment="set when they no longer live there; the membership stays on record"
    )
