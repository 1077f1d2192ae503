"""Finding the people a contact names in the people index, as the contact arrives.

The exact baseline: a person whose NHS number, else UPN, is on the records of exactly one
master person is that person; no match, or an identifier on two people's records, leaves them
unlinked rather than guess (a conflict for a person to resolve).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from joinedup.frontdoor.models import ContactSubject
from joinedup.people.models import AgencyRecord


@dataclass(frozen=True)
class SubjectMatch:
    """Who one person named in a contact is in the people index, if anyone."""

    master_person_id: int | None


class SubjectMatcher(Protocol):
    def match(self, session: Session, subjects: Sequence[ContactSubject]) -> list[SubjectMatch]:
        """One match for each subject, in order."""
        ...


# Every subject's identifiers in one query (an empty list matches nothing).
_BY_IDENTIFIER = (
    select(AgencyRecord.nhs_number, AgencyRecord.upn, AgencyRecord.master_person_id)
    .where(
        or_(
            AgencyRecord.nhs_number.in_(bindparam("nhs_numbers", expanding=True)),
            AgencyRecord.upn.in_(bindparam("upns", expanding=True)),
        ),
        AgencyRecord.master_person_id.is_not(None),
    )
    .distinct()
)


class ByIdentifiers:
    """The exact baseline, for every subject of a contact in one query."""

    def match(self, session: Session, subjects: Sequence[ContactSubject]) -> list[SubjectMatch]:
        nhs_numbers = sorted({s.nhs_number for s in subjects if s.nhs_number})
        upns = sorted({s.upn for s in subjects if s.upn})
        if not nhs_numbers and not upns:
            return [SubjectMatch(None) for _ in subjects]
        by_nhs: dict[str | None, set[int]] = {}
        by_upn: dict[str | None, set[int]] = {}
        rows = session.connection().execute(
            _BY_IDENTIFIER, {"nhs_numbers": nhs_numbers, "upns": upns}
        )
        for nhs_number, upn, person in rows:
            assert person is not None  # the query asks for linked records only
            by_nhs.setdefault(nhs_number, set()).add(person)
            by_upn.setdefault(upn, set()).add(person)
        return [SubjectMatch(_one(s, by_nhs, by_upn)) for s in subjects]


def _one(
    subject: ContactSubject, by_nhs: dict[str | None, set[int]], by_upn: dict[str | None, set[int]]
) -> int | None:
    for value, people in ((subject.nhs_number, by_nhs), (subject.upn, by_upn)):
        found = people.get(value, set()) if value else set()
        if len(found) == 1:
            return next(iter(found))
        if found:
            return None  # one identifier, two people: not a guess the hub makes
    return None


EXACT = ByIdentifiers()
