"""Reads for information governance: who a subject access request is about, and the
retention terms of the agreements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.frontdoor.models import ContactSubject
from joinedup.governance.rules import AgreementPeriod, PersonAsked, PersonNotFound
from joinedup.people.models import AgencyRecord, MasterPerson
from joinedup.sharing.gate import person_reference
from joinedup.sharing.models import Agreement, AgreementStatusChange
from joinedup.sharing.rules import AgreementStatus, Purpose

# A merge chain longer than this is a loop, not a history (merges point at the survivor).
_LONGEST_CHAIN = 1000


@dataclass(frozen=True)
class PersonHeld:
    """Everyone the hub holds as the person asked about.

    `people` are master persons: each one the request found, followed to the person it is now
    merged into, and every person merged into those (their contacts and decisions may still
    name the merged one). `nhs_numbers` are the one asked for and those on the people's
    agency records, so contacts naming the person by NHS number but not yet linked are found.
    """

    asked: PersonAsked
    found: tuple[int, ...]  # the surviving master persons, lowest first
    people: frozenset[int]
    nhs_numbers: frozenset[str]

    @property
    def references(self) -> list[str]:
        """Every master person, survivors first, as P00000042."""
        merged = sorted(self.people - set(self.found))
        return [person_reference(i) for i in (*self.found, *merged)]

    @property
    def key(self) -> str:
        """How a page names this request: the one surviving person's reference, or else the
        NHS number asked for (found on several people not yet linked, or on none)."""
        if len(self.found) == 1:
            return person_reference(self.found[0])
        assert self.asked.nhs_number is not None
        return self.asked.nhs_number


def find_person(session: Session, asked: PersonAsked) -> PersonHeld:
    """Everyone held as the person asked about. Raises PersonNotFound when the reference names
    no one, or no record or contact carries the NHS number."""
    if asked.master_person_id is not None:
        if session.get(MasterPerson, asked.master_person_id) is None:
            raise PersonNotFound(
                f"There is no person {asked.described} in the hub: check the reference", "person"
            )
        starts = {asked.master_person_id}
    else:
        starts = _people_with_nhs_number(session, asked.nhs_number or "")
        if not starts and not _named_unlinked(session, asked.nhs_number or ""):
            raise PersonNotFound(
                f"No record or contact in the hub carries {asked.described}: check the number, "
                "or ask by master person reference",
                "person",
            )
    found = tuple(sorted({_survivor(session, i) for i in starts}))
    people = _merged_into(session, found)
    numbers = set(
        session.scalars(
            select(AgencyRecord.nhs_number)
            .where(AgencyRecord.master_person_id.in_(people), AgencyRecord.nhs_number.is_not(None))
            .distinct()
        )
    )
    if asked.nhs_number:
        numbers.add(asked.nhs_number)
    return PersonHeld(asked, found, people, frozenset(n for n in numbers if n))


def agreement_periods(session: Session) -> list[AgreementPeriod]:
    """Every agreement's purpose and retention period, and whether it was ever in force."""
    ever_active = set(
        session.scalars(
            select(AgreementStatusChange.agreement_id)
            .where(AgreementStatusChange.to_status == AgreementStatus.ACTIVE)
            .distinct()
        )
    )
    rows = session.execute(
        select(Agreement.id, Agreement.title, Agreement.purpose, Agreement.retention_days)
    )
    return [
        AgreementPeriod(agreement_id, title, Purpose(purpose), days, agreement_id in ever_active)
        for agreement_id, title, purpose, days in rows
    ]


def _people_with_nhs_number(session: Session, nhs_number: str) -> set[int]:
    on_records = select(AgencyRecord.master_person_id).where(
        AgencyRecord.nhs_number == nhs_number, AgencyRecord.master_person_id.is_not(None)
    )
    in_contacts = select(ContactSubject.master_person_id).where(
        ContactSubject.nhs_number == nhs_number, ContactSubject.master_person_id.is_not(None)
    )
    return {i for i in session.scalars(on_records.union(in_contacts)) if i is not None}


def _named_unlinked(session: Session, nhs_number: str) -> bool:
    """Whether a record or contact carries the NHS number without a master person yet."""
    return any(
        session.scalar(select(column).where(column == nhs_number).limit(1)) is not None
        for column in (AgencyRecord.nhs_number, ContactSubject.nhs_number)
    )


def _survivor(session: Session, master_person_id: int) -> int:
    """The person this one is merged into now (itself when not merged)."""
    current = master_person_id
    for _ in range(_LONGEST_CHAIN):
        into = session.scalar(select(MasterPerson.merged_into_id).where(MasterPerson.id == current))
        if into is None:
            return current
        current = into
    raise RuntimeError(f"the merges of master person {master_person_id} form a loop")


def _merged_into(session: Session, survivors: Iterable[int]) -> frozenset[int]:
    """The survivors and everyone merged into them, however many merges back."""
    people = set(survivors)
    frontier = set(people)
    while frontier:
        frontier = (
            set(
                session.scalars(
                    select(MasterPerson.id).where(MasterPerson.merged_into_id.in_(frontier))
                )
            )
            - people
        )
        people |= frontier
    return frozenset(people)
