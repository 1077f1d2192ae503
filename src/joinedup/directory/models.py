"""Tables of the directory. A professional who leaves is marked, never deleted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joinedup.db import Base


class Area(Base):
    """A district of the county: the unit insight reports by."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), comment="an AgencyKind value")
    area_id: Mapped[int | None] = mapped_column(
        ForeignKey("areas.id"), comment="empty for county-wide agencies"
    )
    created_at: Mapped[dt.datetime]

    area: Mapped[Area | None] = relationship()
    teams: Mapped[list[Team]] = relationship(back_populates="agency", order_by="Team.name")


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))

    agency: Mapped[Agency] = relationship(back_populates="teams")


class Professional(Base):
    __tablename__ = "professionals"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, comment="lower case")
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    job_title: Mapped[str] = mapped_column(String(200), default="")
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    joined_at: Mapped[dt.datetime]
    left_at: Mapped[dt.datetime | None] = mapped_column(
        comment="set when they leave; their records and history stay"
    )

    agency: Mapped[Agency] = relationship()
    team: Mapped[Team | None] = relationship()
    role_grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="professional", order_by="RoleGrant.granted_at"
    )

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def has_left(self) -> bool:
        return self.left_at is not None

    @property
    def active_roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.role_grants if g.revoked_at is None)


class RoleGrant(Base):
    """A role held by a professional, kept after it is revoked so history can be read."""

    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    professional_id: Mapped[int] = mapped_column(ForeignKey("professionals.id"), index=True)
    role: Mapped[str] = mapped_column(String(40), comment="a Role value")
    granted_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]

    professional: Mapped[Professional] = relationship(back_populates="role_grants")
