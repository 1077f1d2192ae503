"""Bringing a routed contact back into the MASH: by a MASH manager, or by the hub when the case
closes before its worker accepted it.

Intake sends a contact about someone with an open case to the case's allocated worker
(routing.py), by the people index's match. A match can be wrong, or the case closed since the
last export: the manager brings the contact back, saying why, and from then on it is screened
like any other (it is on the list of contacts to rate, and the worker no longer sees it). A
case import that closes a case does the same for every contact routed to it that its worker
had not yet accepted (cases.py): nobody works a closed case's new contacts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.rules import Role
from joinedup.frontdoor.case_models import ContactRouting
from joinedup.frontdoor.models import Contact
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import REASON_LENGTH, ContactStatus, FrontDoorError
from joinedup.frontdoor.services import ContactNotFound, claim, record_event

# The hub's reason, kept as a manager's would be: the contact's page and its history read it.
CASE_CLOSED = "The case closed before the allocated worker accepted the contact"
_CHUNK = 500


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
    A contact its worker has accepted can still be brought back: accepting says the worker has
    taken it into the case's work, not that the people index matched the right person, and a
    concern about another child (the wrong Jade Smith) must not stay in this child's case
    unscreened. The page says so before the manager confirms, and the event records that it had
    been accepted, so the worker can be told.

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
    _into_the_mash(session, actor, contact, routed, reason, now, case_closed=False)
    session.commit()
    return routed


def bring_back_from_closed_cases(
    session: Session, actor: Actor, case_ids: Sequence[int], now: dt.datetime
) -> list[Contact]:
    """Bring back into the MASH every contact routed to these cases, which the caller is
    closing, that the allocated worker has not accepted (nor a manager brought back): the
    reason is the hub's (CASE_CLOSED), the actor whoever closes the cases.

    A contact the worker accepted stays with the case: it is part of its work, closed with it.
    Writes in the caller's transaction and does not commit (a case import is all or nothing).
    Returns the contacts brought back, in the order received.
    """
    waiting: list[int] = []
    for start in range(0, len(case_ids), _CHUNK):
        waiting += session.scalars(
            select(ContactRouting.contact_id)
            .join(Contact, Contact.id == ContactRouting.contact_id)
            .where(
                ContactRouting.case_id.in_(case_ids[start : start + _CHUNK]),
                ContactRouting.accepted_at.is_(None),
                ContactRouting.brought_back_at.is_(None),
                Contact.status == ContactStatus.ROUTED.value,
            )
        )
    back: list[Contact] = []
    waiting.sort()
    for start in range(0, len(waiting), _CHUNK):
        chunk = waiting[start : start + _CHUNK]
        # Every change to a routed contact claims its contact row first (services.claim), so
        # once these are locked nobody can accept or bring one back until this commits; a
        # worker who accepted a moment ago has committed, and is read afresh below.
        contacts = session.scalars(
            select(Contact)
            .where(Contact.id.in_(chunk))
            .order_by(Contact.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
        routings = {
            r.contact_id: r
            for r in session.scalars(
                select(ContactRouting)
                .where(ContactRouting.contact_id.in_(chunk))
                .execution_options(populate_existing=True)
            )
        }
        for contact in contacts:
            routed = routings[contact.id]
            if (
                contact.status != ContactStatus.ROUTED
                or routed.accepted_at is not None
                or routed.brought_back_at is not None
            ):
                continue
            contact.version += 1  # a page opened before cannot act on it now
            contact.updated_at = now
            _into_the_mash(session, actor, contact, routed, CASE_CLOSED, now, case_closed=True)
            back.append(contact)
    return sorted(back, key=lambda c: (c.received_at, c.id))


def _into_the_mash(
    session: Session,
    actor: Actor,
    contact: Contact,
    routed: ContactRouting,
    reason: str,
    now: dt.datetime,
    *,
    case_closed: bool,
) -> None:
    """Out of the worker's hands, onto the MASH managers' list to rate: by the manager acting,
    or by the hub (no one) when the case closed."""
    accepted = routed.accepted_at is not None
    routed.brought_back_at = now
    routed.brought_back_by_professional_id = None if case_closed else actor.professional_id
    routed.brought_back_reason = reason
    contact.status = ContactStatus.RECEIVED.value
    record_event(
        session,
        actor,
        "contact.brought_back",
        contact,
        case_id=routed.case_id,
        worker_id=routed.worker_id,
        accepted=accepted,
        case_closed=case_closed,
    )
    action = "system:contact:brought_back" if case_closed else "manager:contact:brought_back"
    record(session, actor, action, "contact", contact.id, case_id=routed.case_id)
