"""Loading a whole directory at once (a new hub, or the synthetic county): all or nothing.

Every row is checked before anything is written; any problem stops the import with a list
of every problem found, and the database is left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.models import Agency, Area, Professional, RoleGrant, Team
from joinedup.directory.rules import AgencyKind, Role


@dataclass(frozen=True)
class AreaRow:
    code: str
    name: str


@dataclass(frozen=True)
class AgencyRow:
    code: str
    name: str
    kind: str
    area_code: str | None


@dataclass(frozen=True)
class TeamRow:
    agency_code: str
    code: str
    name: str


@dataclass(frozen=True)
class ProfessionalRow:
    email: str
    given_name: str
    family_name: str
    agency_code: str
    team_code: str | None
    job_title: str
    roles: tuple[str, ...]


@dataclass
class DirectoryImport:
    areas: list[AreaRow] = field(default_factory=list)
    agencies: list[AgencyRow] = field(default_factory=list)
    teams: list[TeamRow] = field(default_factory=list)
    professionals: list[ProfessionalRow] = field(default_factory=list)


class DirectoryImportError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s); nothing was imported")
        self.problems = problems


def _problems(batch: DirectoryImport, session: Session) -> list[str]:
    problems: list[str] = []
    area_codes = {a.code for a in batch.areas} | set(session.scalars(select(Area.code)))
    agency_codes = set(session.scalars(select(Agency.code)))
    for row in batch.agencies:
        if row.code in agency_codes:
            problems.append(f"agency {row.code}: the code is already used")
        agency_codes.add(row.code)
        if row.kind not in AgencyKind.__members__.values():
            problems.append(f"agency {row.code}: unknown kind '{row.kind}'")
        if row.area_code and row.area_code not in area_codes:
            problems.append(f"agency {row.code}: no area with the code {row.area_code}")
    team_keys = {(t.agency_code, t.code) for t in batch.teams}
    for team in batch.teams:
        if team.agency_code not in agency_codes:
            problems.append(f"team {team.code}: no agency with the code {team.agency_code}")
    emails = set(session.scalars(select(Professional.email)))
    roles = set(Role.__members__.values())
    for person in batch.professionals:
        if person.email in emails:
            problems.append(f"professional {person.email}: the email is already used")
        emails.add(person.email)
        if person.agency_code not in agency_codes:
            problems.append(f"professional {person.email}: no agency {person.agency_code}")
        if person.team_code and (person.agency_code, person.team_code) not in team_keys:
            problems.append(f"professional {person.email}: no team {person.team_code}")
        problems.extend(
            f"professional {person.email}: unknown role '{r}'"
            for r in person.roles
            if r not in roles
        )
    return problems


def import_directory(session: Session, actor: Actor, batch: DirectoryImport) -> dict[str, int]:
    """Write the whole batch, or nothing. Returns counts; raises DirectoryImportError."""
    problems = _problems(batch, session)
    if problems:
        raise DirectoryImportError(problems)
    now = clock.now()
    areas = {row.code: Area(code=row.code, name=row.name) for row in batch.areas}
    areas.update({a.code: a for a in session.scalars(select(Area))})
    agencies = {
        row.code: Agency(
            code=row.code,
            name=row.name,
            kind=row.kind,
            area=areas[row.area_code] if row.area_code else None,
            created_at=now,
        )
        for row in batch.agencies
    }
    agencies.update({a.code: a for a in session.scalars(select(Agency))})
    teams = {
        (row.agency_code, row.code): Team(
            agency=agencies[row.agency_code], code=row.code, name=row.name
        )
        for row in batch.teams
    }
    for row in batch.professionals:
        professional = Professional(
            email=row.email,
            given_name=row.given_name,
            family_name=row.family_name,
            job_title=row.job_title,
            agency=agencies[row.agency_code],
            team=teams[(row.agency_code, row.team_code)] if row.team_code else None,
            joined_at=now,
        )
        professional.role_grants = [
            RoleGrant(role=r, granted_at=now) for r in sorted(set(row.roles))
        ]
        session.add(professional)
    session.add_all([*areas.values(), *agencies.values(), *teams.values()])
    session.flush()
    counts = {
        "areas": len(batch.areas),
        "agencies": len(batch.agencies),
        "teams": len(batch.teams),
        "professionals": len(batch.professionals),
    }
    record(session, actor, "admin:directory:imported", "directory", "all", **counts)
    session.commit()
    return counts
