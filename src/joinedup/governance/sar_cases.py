"""Social care's cases in a subject access export: every case children's or adults' social care
holds for the person (as its case-management system exported it), and, for each contact naming
them, whether intake routed it to a case's allocated worker instead of the MASH (domain.md step
2) and whether a MASH manager brought it back, and why.

A case is the social care service's record of the person: it decides its exemption (the
serious harm test for social work data) before release. The worker holding it and the manager
who brought a contact back are staff, named elsewhere in the export too; a manager's reason is
their own words; a contact routed to somebody else's case (the person is a household member,
or one of several children) names that other person's case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from joinedup.clock import LONDON
from joinedup.directory.models import Professional
from joinedup.directory.rules import AgencyKind
from joinedup.frontdoor.case_models import ContactRouting, SocialCareCase
from joinedup.governance.queries import PersonHeld
from joinedup.governance.rules import ReviewReason, exemption_to_consider, for_review
from joinedup.sharing.gate import person_reference
from joinedup.sharing.redaction import HOLDING_CATEGORY

R = ReviewReason


def social_care_cases(session: Session, held: PersonHeld) -> list[SocialCareCase]:
    """The person's cases at every social care service, open or closed, oldest first."""
    return list(
        session.scalars(
            select(SocialCareCase)
            .where(SocialCareCase.master_person_id.in_(held.people))
            .options(
                selectinload(SocialCareCase.agency),
                selectinload(SocialCareCase.allocated_worker),
            )
            .order_by(SocialCareCase.opened_at, SocialCareCase.id)
        )
    )


def case_of(case: SocialCareCase) -> dict[str, Any]:
    """One case as the agency holds it: its reference, who holds it, when it opened and closed."""
    agency = case.agency.name
    section: dict[str, Any] = {
        "agency": agency,
        "case_reference": case.case_reference,
        "person": person_reference(case.master_person_id),
        "open": case.is_open,
        "opened_on": _day(case.opened_at),
        "closed_on": _day(case.closed_at),
        "allocated_worker": for_review(
            case.allocated_worker.name,
            R.STAFF,
            f"{R.STAFF.label}. The social worker at {agency} holding the case.",
        ),
        "last_changed": case.updated_at.isoformat(),
    }
    exemption = exemption_to_consider(HOLDING_CATEGORY[AgencyKind(case.agency.kind)])
    if exemption:
        section["for_review"] = R.OWNER_EXEMPTION.value
        section["why"] = f"{agency} considers {exemption}"
    return section


def workers(session: Session, routings: Iterable[ContactRouting | None]) -> dict[int, str]:
    """The names of the workers contacts were routed to (a routing records the case's worker
    then, who may since have handed the case on), by professional id: one query."""
    ids = {r.worker_id for r in routings if r is not None}
    if not ids:
        return {}
    found = session.scalars(select(Professional).where(Professional.id.in_(ids)))
    return {p.id: p.name for p in found}


def routing_of(
    routing: ContactRouting | None, held: PersonHeld, worker_names: dict[int, str]
) -> dict[str, Any] | None:
    """Where intake sent a contact instead of the MASH, and its bringing back; None for a
    contact the MASH screened from the start."""
    if routing is None:
        return None
    case = routing.case
    reference = {"agency": case.agency.name, "case_reference": case.case_reference}
    return {
        "routed_at": routing.routed_at.isoformat(),
        "routed_to": "the allocated social worker of an open case, instead of the MASH",
        "case": reference
        if case.master_person_id in held.people
        else for_review(
            reference,
            R.THIRD_PARTY,
            f"{R.THIRD_PARTY.label}. The case is another person's, named in the same contact.",
        ),
        "allocated_worker": for_review(worker_names[routing.worker_id], R.STAFF),
        "brought_back_into_the_mash_at": (
            routing.brought_back_at.isoformat() if routing.brought_back_at else None
        ),
        "brought_back_by": for_review(
            routing.brought_back_by.name if routing.brought_back_by else None, R.STAFF
        ),
        "brought_back_because": for_review(routing.brought_back_reason, R.FREE_TEXT),
    }


def _day(at: dt.datetime | None) -> str | None:
    """A case opens and closes at the start of a day, London time: the day, as the file had it."""
    return at.astimezone(LONDON).date().isoformat() if at else None
