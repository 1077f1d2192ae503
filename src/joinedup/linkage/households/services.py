"""Forming households from the agency records, after linkage has said who is who.

Every master person with records gets a household (a person living alone has one of their
own). A household keeps its id while it keeps most of its members, as master persons do
across runs (linkage.rules.assign_people), so a run over unchanged records changes nothing.
Nothing is deleted: a member who leaves, or whose place changes, keeps the membership with
the day it ended, and a new one starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.linkage.households.rules import Resident, group, places
from joinedup.linkage.rules import assign_people
from joinedup.people.models import AgencyRecord, Household, HouseholdMember, MasterPerson

_HOUSEHOLDS = cast(Table, Household.__table__)


@dataclass(frozen=True)
class HouseholdReport:
    households: int  # with members after the run
    people: int
    joined: int  # memberships started (a new household, a move, or a new place)
    left: int  # memberships ended
    new_households: int
    households_of: dict[int, int]  # master person -> household


def form_households(session: Session, actor: Actor) -> HouseholdReport:
    """Work out every master person's household and place, and write what changed; commits."""
    now = clock.now()
    residents = _residents(session)
    groups = group(residents.values())
    current = {
        member.master_person_id: member
        for member in session.scalars(
            select(HouseholdMember).where(HouseholdMember.left_at.is_(None))
        )
    }
    assignment = assign_people(groups, {p: m.household_id for p, m in current.items()})
    household_of = dict(assignment.person_of)
    where = _where(groups, residents)
    if assignment.new_people:
        # New households are numbered -1, -2, ... in the order of their groups.
        made = [w for w, members in zip(where, groups, strict=True) if household_of[members[0]] < 0]
        ids = session.scalars(
            insert(_HOUSEHOLDS).returning(_HOUSEHOLDS.c.id),
            [{**w, "created_at": now} for w in made],
        ).all()
        for person, household in household_of.items():
            if household < 0:
                household_of[person] = ids[-household - 1]
    kept = [
        {"id": household_of[members[0]], **w}
        for w, members in zip(where, groups, strict=True)
        if assignment.person_of[members[0]] >= 0
    ]
    if kept:  # a household that stays may have moved
        session.execute(update(Household), kept)
    today = now.astimezone(clock.LONDON).date()
    ended: list[int] = []  # memberships that end now
    started: list[dict[str, object]] = []
    for members in groups:
        placed = places({p: residents[p].born for p in members}, today)
        for person in members:
            membership = current.get(person)
            wanted = (household_of[person], placed[person].value)
            if membership and (membership.household_id, membership.relationship) == wanted:
                continue
            if membership:
                ended.append(membership.id)
            started.append(
                {"household_id": wanted[0], "master_person_id": person}
                | {"relationship": wanted[1], "joined_at": now}
            )
    # People merged into others since the last run are members of nothing now.
    ended += [m.id for person, m in current.items() if person not in residents]
    # In bulk: the first run over a county starts a membership for everyone.
    if ended:
        session.execute(update(HouseholdMember), [{"id": i, "left_at": now} for i in ended])
    if started:
        session.execute(insert(HouseholdMember), started)
    record(
        session,
        actor,
        "admin:linkage:households",
        "household",
        "all",
        households=len(groups),
        joined=len(started),
        left=len(ended),
        new_households=assignment.new_people,
    )
    session.commit()
    return HouseholdReport(
        households=len(groups),
        people=len(residents),
        joined=len(started),
        left=len(ended),
        new_households=assignment.new_people,
        households_of=household_of,
    )


def _residents(session: Session) -> dict[int, Resident]:
    """Every master person with records (none merged away), as their records describe them."""
    rows = session.execute(
        select(
            AgencyRecord.master_person_id,
            AgencyRecord.agency_id,
            AgencyRecord.household_ref,
            AgencyRecord.address,
            AgencyRecord.postcode_norm,
            AgencyRecord.date_of_birth,
        )
        .join(MasterPerson, MasterPerson.id == AgencyRecord.master_person_id)
        .where(MasterPerson.merged_into_id.is_(None))
        .order_by(AgencyRecord.id)
    )
    residents: dict[int, Resident] = {}
    for person, agency, reference, address, postcode, born in rows:
        if person is None:  # not linked yet: the next linkage run gives it a person
            continue
        resident = residents.setdefault(person, Resident(person))
        resident.add(address, postcode, (agency, reference) if reference else None, born)
    return residents


def _where(groups: list[list[int]], residents: dict[int, Resident]) -> list[dict[str, str | None]]:
    """Each household's address as its first member's records write their shared home."""
    rows: list[dict[str, str | None]] = []
    for members in groups:
        address, postcode = residents[members[0]].home_as_written()
        rows.append({"address": address, "postcode_norm": postcode})
    return rows
