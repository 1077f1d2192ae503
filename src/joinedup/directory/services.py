"""Every change to the directory. Each function commits once and writes to the ledger."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.models import Agency, Area, Professional, RoleGrant, Team
from joinedup.directory.rules import AgencyKind, Role

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class DirectoryError(Exception):
    """A directory change that cannot be made; the message says how to put it right.

    `field` names the input at fault, so a form can put the message beside it.
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _check_code(code: str, what: str) -> str:
    code = code.strip().upper()
    if not _CODE.match(code):
        raise DirectoryError(
            f"{what} code must be 1 to 40 capital letters, digits or hyphens, like NOTTS-POLICE",
            field="code",
        )
    return code


def _check_name(name: str, what: str) -> str:
    name = name.strip()
    if not name:
        raise DirectoryError(f"Enter the {what}'s name", field="name")
    return name


def add_area(session: Session, actor: Actor, code: str, name: str) -> Area:
    code = _check_code(code, "Area")
    if session.scalar(select(Area).where(Area.code == code)):
        raise DirectoryError(f"There is already an area with the code {code}", field="code")
    area = Area(code=code, name=_check_name(name, "area"))
    session.add(area)
    session.flush()
    record(session, actor, "admin:area:created", "area", area.id, code=code)
    session.commit()
    return area


def add_agency(
    session: Session, actor: Actor, code: str, name: str, kind: str, area_code: str | None
) -> Agency:
    """Add a partner agency; `area_code` None means it works across the whole county."""
    code = _check_code(code, "Agency")
    try:
        agency_kind = AgencyKind(kind)
    except ValueError:
        kinds = ", ".join(k.value for k in AgencyKind)
        raise DirectoryError(f"Agency kind must be one of: {kinds}", field="kind") from None
    if session.scalar(select(Agency).where(Agency.code == code)):
        raise DirectoryError(f"There is already an agency with the code {code}", field="code")
    area = None
    if area_code:
        area = session.scalar(select(Area).where(Area.code == area_code.strip().upper()))
        if area is None:
            raise DirectoryError(f"There is no area with the code {area_code}", field="area")
    agency = Agency(
        code=code,
        name=_check_name(name, "agency"),
        kind=agency_kind.value,
        area=area,
        created_at=clock.now(),
    )
    session.add(agency)
    session.flush()
    record(session, actor, "admin:agency:created", "agency", agency.id, code=code, kind=kind)
    session.commit()
    return agency


def add_team(session: Session, actor: Actor, agency_code: str, code: str, name: str) -> Team:
    agency = _agency(session, agency_code)
    code = _check_code(code, "Team")
    if any(team.code == code for team in agency.teams):
        raise DirectoryError(f"{agency.name} already has a team with the code {code}", field="code")
    team = Team(agency=agency, code=code, name=_check_name(name, "team"))
    session.add(team)
    session.flush()
    record(session, actor, "admin:team:created", "team", team.id, agency=agency.code, code=code)
    session.commit()
    return team


def add_professional(
    session: Session,
    actor: Actor,
    *,
    email: str,
    given_name: str,
    family_name: str,
    agency_code: str,
    roles: list[str],
    team_code: str | None = None,
    job_title: str = "",
) -> Professional:
    """Add a professional with their roles. Raises DirectoryError naming what is wrong."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise DirectoryError(
            "Enter an email address in the correct format, like name@example.org", field="email"
        )
    if session.scalar(select(Professional).where(Professional.email == email)):
        raise DirectoryError(
            f"There is already a professional with the email address {email}", field="email"
        )
    agency = _agency(session, agency_code)
    team = None
    if team_code:
        team = next((t for t in agency.teams if t.code == team_code.strip().upper()), None)
        if team is None:
            raise DirectoryError(
                f"{agency.name} has no team with the code {team_code}", field="team"
            )
    now = clock.now()
    professional = Professional(
        email=email,
        given_name=_check_name(given_name, "professional"),
        family_name=_check_name(family_name, "professional"),
        job_title=job_title.strip(),
        agency=agency,
        team=team,
        joined_at=now,
    )
    professional.role_grants = [RoleGrant(role=r, granted_at=now) for r in _roles(roles)]
    session.add(professional)
    session.flush()
    record(
        session,
        actor,
        "admin:professional:created",
        "professional",
        professional.id,
        agency=agency.code,
        roles=sorted(professional.active_roles),
    )
    session.commit()
    return professional


def _roles(values: list[str]) -> list[Role]:
    roles = []
    for value in values:
        try:
            roles.append(Role(value.strip().lower()))
        except ValueError:
            names = ", ".join(r.value for r in Role)
            raise DirectoryError(
                f"Role '{value}' is not known; roles are: {names}", field="roles"
            ) from None
    return sorted(set(roles))


def grant_role(session: Session, actor: Actor, professional_id: int, role: str) -> Professional:
    professional = _professional(session, professional_id)
    (granted,) = _roles([role])
    if granted.value not in professional.active_roles:
        professional.role_grants.append(RoleGrant(role=granted.value, granted_at=clock.now()))
        record(session, actor, "admin:role:granted", "professional", professional.id, role=role)
        session.commit()
    return professional


def revoke_role(session: Session, actor: Actor, professional_id: int, role: str) -> Professional:
    professional = _professional(session, professional_id)
    (revoked,) = _roles([role])
    for grant in professional.role_grants:
        if grant.role == revoked.value and grant.revoked_at is None:
            grant.revoked_at = clock.now()
            record(session, actor, "admin:role:revoked", "professional", professional.id, role=role)
            session.commit()
    return professional


def mark_left(session: Session, actor: Actor, professional_id: int) -> Professional:
    """Record that a professional has left: they can no longer sign in; their history stays."""
    professional = _professional(session, professional_id)
    if professional.left_at is None:
        professional.left_at = clock.now()
        record(session, actor, "admin:professional:left", "professional", professional.id)
        session.commit()
    return professional


def _agency(session: Session, code: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code.strip().upper()))
    if agency is None:
        raise DirectoryError(f"There is no agency with the code {code}", field="agency")
    return agency


def _professional(session: Session, professional_id: int) -> Professional:
    professional = session.get(Professional, professional_id)
    if professional is None:
        raise DirectoryError(f"There is no professional {professional_id}")
    return professional
