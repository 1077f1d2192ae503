"""Test data through the real services, with sensible keyword defaults.

Names follow the healthchecks habit: Alice is a police referrer, Bob a MASH manager,
Charlie an outsider who should see nothing.
"""

from __future__ import annotations

import itertools

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts import services as accounts
from joinedup.accounts.models import User
from joinedup.actor import Actor
from joinedup.directory import services as directory
from joinedup.directory.models import Agency, Area, Professional
from joinedup.directory.rules import AgencyKind, Role
from joinedup.people.models import MasterPerson

ADMIN = Actor.system("tests")
PASSWORD = "correct horse battery staple"
_serial = itertools.count(1)


def create_area(db: Session, code: str | None = None, name: str = "Ashfield") -> Area:
    code = code or f"AREA-{next(_serial)}"
    existing = db.scalar(select(Area).where(Area.code == code))
    return existing or directory.add_area(db, ADMIN, code, name)


def create_agency(
    db: Session,
    kind: AgencyKind = AgencyKind.POLICE,
    code: str | None = None,
    name: str | None = None,
    area: Area | None = None,
) -> Agency:
    code = code or f"{kind.value.upper().replace('_', '-')}-{next(_serial)}"
    return directory.add_agency(
        db, ADMIN, code, name or f"Test {kind.label}", kind.value, area.code if area else None
    )


def create_professional(
    db: Session,
    given_name: str = "Alice",
    family_name: str = "Archer",
    agency: Agency | None = None,
    roles: tuple[Role, ...] = (Role.REFERRER,),
    email: str | None = None,
) -> Professional:
    agency = agency or create_agency(db)
    email = email or f"{given_name.lower()}.{next(_serial)}@{agency.code.lower()}.example"
    return directory.add_professional(
        db,
        ADMIN,
        email=email,
        given_name=given_name,
        family_name=family_name,
        agency_code=agency.code,
        roles=[r.value for r in roles],
    )


def create_user(
    db: Session,
    given_name: str = "Alice",
    roles: tuple[Role, ...] = (Role.REFERRER,),
    agency: Agency | None = None,
    password: str | None = PASSWORD,
) -> User:
    professional = create_professional(db, given_name=given_name, roles=roles, agency=agency)
    return accounts.add_user(db, ADMIN, professional.email, password)


def create_master_person(db: Session) -> MasterPerson:
    """A bare master person, for tests that need a person to point at.

    Written directly: in the hub master persons only arise from importing agency records.
    """
    person = MasterPerson(created_at=clock.now())
    db.add(person)
    db.flush()
    return person
