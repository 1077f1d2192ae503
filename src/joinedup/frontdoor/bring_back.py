"""A MASH manager bringing a routed contact back into the MASH.

Intake sends a contact about someone with an open case to the case's allocated worker
(routing.py), by the people index's match. A match can be wrong, or the case closed since the
last export: the manager brings the contact back, saying why, and from then on it is screened
like any other (it is on the list of contacts to rate, and the worker no longer sees it).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.rules import Role
from joinedup.frontdoor.case_models import ContactRouting
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import REASON_LENGTH, ContactStatus, FrontDoorError
from joinedup.frontdoor.services import ContactNotFound, claim, record_event


def bring_back(
    session: Session,
    actor: Actor,
    contact_id: int,
    reason: str,
    expected_version: int,
    practice: Practice,
) -> ContactRouting:
    """Bring a contact routed to an allocated worker back into the MASH, with the reason.

    Only a MASH manager may (to anyone else the contact does not exist: ContactNotFound).
    expected_version is the contact's version when the manager read it: when two act at once,
    one succeeds and the other gets ConcurrentChange saying who did what, and nothing of theirs
    is written. Raises FrontDoorError for a contact not routed (or already brought back) and
    for a missing or over-long reason. Returns the contact's routing, brought back.
    """
    if not actor.has(Role.MASH_MANAGER) or actor.professional_id is None:
        raise ContactNotFound(contact_id)
    now = clock.now()
    contact = claim(session, contact_id, expected_version, now, practice)
    routed = contact.routing
    reason = (reason or "").strip()
    problem = None
    if contact.status != ContactStatus.ROUTED or routed is None:
        problem = FrontDoorError(
            "This contact is already with the MASH: only a contact routed to an allocated "
            "worker can be brought back",
            field="reason",
        )
    elif not reason:
        problem = FrontDoorError(
            "Enter why you are bringing it back into the MASH, like a wrong match or a closed case",
            field="reason",
        )
    elif len(reason) > REASON_LENGTH:
        problem = FrontDoorError(
            f"The reason must be {REASON_LENGTH:,} characters or fewer", field="reason"
        )
    if problem is not None:
        session.rollback()  # gives the claimed version back
        raise problem
    assert routed is not None
    routed.brought_back_at = now
    routed.brought_back_by_professional_id = actor.professional_id
    routed.brought_back_reason = reason
    contact.status = ContactStatus.RECEIVED.value
    record_event(
        session,
        actor,
        "contact.brought_back",
        contact,
        case_id=routed.case_id,
        worker_id=routed.worker_id,
    )
    record(
        session,
        actor,
        "manager:contact:brought_back",
        "contact",
        contact.id,
        case_id=routed.case_id,
    )
    session.commit()
    return routed
