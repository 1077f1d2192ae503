"""The allocated worker accepting a contact routed to their case.

A contact about someone with an open case goes to the case's allocated worker instead of the
MASH (routing.py). Until the worker says they have it, nobody knows it was picked up: "work
lobbed over the fence" (domain.md, "What goes wrong"), as with a hand-off that counts only
once the receiving agency accepts it. Accepting is the worker's word that they have taken it
into the case's work; it takes the contact off their list of new contacts and tells the MASH
managers who accepted it and when. Only the named recipient accepts (Primero's referrals, in
domain.md): the case's allocated worker now, whoever held it when it was routed.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.frontdoor.case_models import ContactRouting
from joinedup.frontdoor.disclosure import is_allocated_worker
from joinedup.frontdoor.models import Contact
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import REASON_LENGTH, FrontDoorError, spoken_time
from joinedup.frontdoor.services import ContactNotFound, claim, record_event


def accept_contact(
    session: Session,
    actor: Actor,
    contact_id: int,
    note: str,
    expected_version: int,
    practice: Practice,
) -> ContactRouting:
    """The allocated worker takes a contact routed to their case into the case's work, with
    an optional note for the MASH.

    Only the case's allocated worker may, while it is routed to them: to anyone else, a MASH
    manager included, the contact does not exist (ContactNotFound). expected_version is the
    contact's version when the worker read it: a second tab, a double click, or a manager
    bringing it back meanwhile gets ConcurrentChange saying what happened, and nothing is
    written. Raises FrontDoorError (field "note") when it was already accepted, saying by
    whom and when, or for a note over the length allowed. Returns the routing, accepted.
    """
    contact = session.get(Contact, contact_id)
    if contact is None or not is_allocated_worker(actor, contact):
        session.rollback()
        raise ContactNotFound(contact_id)
    now = clock.now()
    contact = claim(session, contact_id, expected_version, now, practice)
    routed = contact.routing
    if routed is not None:  # read before the claim: as they stand now it is claimed
        session.refresh(routed)
        session.refresh(routed.case)
    if routed is None or not is_allocated_worker(actor, contact):
        session.rollback()  # reallocated or brought back as the claim waited
        raise ContactNotFound(contact_id)
    note = (note or "").strip()
    problem = None
    if routed.accepted_at is not None:
        who = routed.accepted_by
        problem = FrontDoorError(
            f"{who.name if who else 'Someone'} accepted this contact into the case's work at "
            f"{spoken_time(routed.accepted_at)}: there is nothing more to accept",
            field="note",
        )
    elif len(note) > REASON_LENGTH:
        problem = FrontDoorError(
            f"The note must be {REASON_LENGTH:,} characters or fewer", field="note"
        )
    if problem is not None:
        session.rollback()  # gives the claimed version back
        raise problem
    routed.accepted_at = now
    routed.accepted_by_professional_id = actor.professional_id
    routed.accepted_note = note or None
    record_event(
        session,
        actor,
        "contact.accepted",
        contact,
        case_id=routed.case_id,
        worker_id=actor.professional_id,
        with_note=bool(note),
    )
    record(session, actor, "worker:contact:accepted", "contact", contact.id, case_id=routed.case_id)
    session.commit()
    return routed
