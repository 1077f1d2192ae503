"""A few of the county's children with an open case at children's services, held by the demo
social worker, so that the demo shows a contact routed to the allocated worker instead of the
MASH (domain.md step 2), and, in a county big enough, one child whose case has closed, whose
contacts are not.

The cases come in as a real hub's do: a file in the schema of `joinedup import cases`, through
frontdoor.cases, naming each child by children's services' own record id.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts.models import User
from joinedup.actor import Actor
from joinedup.directory.models import Agency, Professional, RoleGrant
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor.case_models import SocialCareCase
from joinedup.frontdoor.cases import load_cases
from joinedup.people.models import AgencyRecord

OPEN_CASES = 3
CLOSED_CASES = 1


@dataclass(frozen=True)
class DemoCases:
    """The children (as their GP holds them) whose cases are open, and the worker holding them."""

    worker: Professional
    children: list[AgencyRecord]


def open_demo_cases(
    session: Session, people: Sequence[AgencyRecord], seed: int, now: dt.datetime
) -> DemoCases | None:
    """Open cases for a few children among `people`, allocated to the demo sign-in social
    worker of children's services; None when the county has no such worker or child."""
    found = session.execute(
        select(Professional, Agency)
        .join(Agency, Agency.id == Professional.agency_id)
        .join(User, User.professional_id == Professional.id)
        .join(RoleGrant, RoleGrant.professional_id == Professional.id)
        .where(
            Agency.kind == AgencyKind.CHILDRENS_SOCIAL_CARE.value,
            RoleGrant.role == Role.REFERRER.value,
            RoleGrant.revoked_at.is_(None),
            Professional.left_at.is_(None),
        )
        # The demo sign-in (it has a password) when there is one: the worker people sign in as.
        .order_by(User.password_hash.is_(None), Professional.id)
        .limit(1)
    ).first()
    if found is None:
        return None
    worker, agency = found
    # Each child once (as their GP's first record), with children's services' record of them.
    children: dict[int, AgencyRecord] = {}
    for record in people:
        if record.master_person_id is not None and _is_child(record, now):
            children.setdefault(record.master_person_id, record)
    theirs = _agency_records(session, agency, set(children))
    known = sorted(set(children) & set(theirs))
    if not known:
        return None
    chosen = random.Random(seed).sample(known, min(len(known), OPEN_CASES + CLOSED_CASES))
    today = now.astimezone(clock.LONDON).date()
    rows = ["record_id,case_reference,allocated_worker_email,opened_on,closed_on"]
    for n, person in enumerate(chosen):
        opened = today - dt.timedelta(days=40 + 30 * n)
        closed = today - dt.timedelta(days=10) if n >= OPEN_CASES else None  # the last, if any
        rows.append(
            f"{theirs[person]},CIN-{1001 + n},{worker.email},"
            f"{opened.isoformat()},{closed.isoformat() if closed else ''}"
        )
    load_cases(
        session,
        Actor.system("joinedup demo"),
        agency.code,
        ("\n".join(rows) + "\n").encode(),
        "demo-cases.csv",
    )
    return DemoCases(worker, [children[person] for person in chosen[:OPEN_CASES]])


def case_workers(session: Session) -> set[str]:
    """The emails of the professionals holding open cases: the demo marks their sign-ins."""
    return set(
        session.scalars(
            select(Professional.email)
            .join(SocialCareCase, SocialCareCase.allocated_worker_id == Professional.id)
            .where(SocialCareCase.closed_at.is_(None))
        )
    )


def _is_child(record: AgencyRecord, now: dt.datetime) -> bool:
    born = record.date_of_birth
    return born is not None and (now.date() - born).days < 18 * 365 - 30


def _agency_records(session: Session, agency: Agency, people: set[int]) -> dict[int, str]:
    """Each person's record id at the agency (its first), for those it holds."""
    wanted = sorted(people)
    held: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        for person, record_id in session.execute(
            select(AgencyRecord.master_person_id, AgencyRecord.record_id)
            .where(
                AgencyRecord.agency_id == agency.id,
                AgencyRecord.master_person_id.in_(wanted[start : start + 500]),
            )
            .order_by(AgencyRecord.id)
        ):
            if person is not None:
                held.setdefault(person, record_id)
    return held
