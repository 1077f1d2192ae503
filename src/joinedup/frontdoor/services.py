"""Every change of state at the front door. Each function takes the acting professional,
checks, writes, records a domain event and a ledger entry, and commits once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.rules import Role

# Taking a contact in has a module of its own (intake.py); it is a front-door service too.
from joinedup.frontdoor.intake import Intake as Intake
from joinedup.frontdoor.intake import Received as Received
from joinedup.frontdoor.intake import check_intake as check_intake
from joinedup.frontdoor.intake import receive_contact as receive_contact
from joinedup.frontdoor.intake import take_contact as take_contact
from joinedup.frontdoor.intake import take_contacts as take_contacts
from joinedup.frontdoor.models import Contact, DomainEvent, Rating
from joinedup.frontdoor.practice import Practice, RatingRule
from joinedup.frontdoor.rules import REASON_LENGTH, ContactStatus, FrontDoorError, spoken_time


class ContactNotFound(FrontDoorError):
    """No such contact, or none the actor may see: the same answer either way (404)."""

    def __init__(self, contact_id: object) -> None:
        super().__init__(f"There is no contact {contact_id}")


class ConcurrentChange(FrontDoorError):
    """Someone changed the contact after the actor read it; nothing the actor sent was saved."""


def rate_contact(
    session: Session,
    actor: Actor,
    contact_id: int,
    rating: str,
    reason: str,
    expected_version: int,
    practice: Practice,
) -> Rating:
    """Rate a contact (or change its rating), starting the rating's research clock.

    Only a MASH manager may; to anyone else the contact does not exist (ContactNotFound).
    expected_version is the contact's version when the manager read it: if it has moved on,
    raises ConcurrentChange saying who changed what, and writes nothing. Raises
    FrontDoorError for an unknown rating, a missing reason, or the rating it already has.
    """
    if not actor.has(Role.MASH_MANAGER) or actor.professional_id is None:
        raise ContactNotFound(contact_id)
    now = clock.now()
    contact = claim(session, contact_id, expected_version, now, practice)
    try:
        rule, reason = _check_rating(contact, rating, reason, practice)
    except FrontDoorError:
        session.rollback()  # gives the claimed version back
        raise
    current = contact.current_rating
    new = Rating(
        rating=rule.code,
        reason=reason,
        rated_by_professional_id=actor.professional_id,
        rated_at=now,
        # The clock starts when the rating is given: a Red re-rating gets a Red clock from now.
        research_due_at=rule.research.due(practice.calendar, now) if rule.research else None,
    )
    contact.ratings.append(new)
    if contact.status == ContactStatus.RECEIVED:
        contact.status = ContactStatus.RATED.value  # research under way stays under way
    session.flush()
    if current is not None:
        current.replaced_by_id = new.id
    record_event(
        session,
        actor,
        "contact.re_rated" if current else "contact.rated",
        contact,
        rating=rule.code,
        previous=current.rating if current else None,
        research_due_at=new.research_due_at.isoformat() if new.research_due_at else None,
    )
    record(
        session,
        actor,
        "manager:contact:re_rated" if current else "manager:contact:rated",
        "contact",
        contact.id,
        rating=rule.code,
        previous=current.rating if current else None,
    )
    session.commit()
    return new


def claim(
    session: Session, contact_id: int, expected_version: int, now: dt.datetime, practice: Practice
) -> Contact:
    """The contact, its version raised from expected_version in one compare-and-set.

    The UPDATE is the transaction's first statement, so SQLite takes its write lock before
    reading anything, and PostgreSQL makes a second manager wait for the first to commit and
    then find the version moved on. Raises ContactNotFound or ConcurrentChange (writing
    nothing).
    """
    claimed = session.execute(
        update(Contact)
        .where(Contact.id == contact_id, Contact.version == expected_version)
        .values(version=Contact.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    # Fresh from the database, ratings too: another session may have just rated it.
    contact = session.get(
        Contact, contact_id, populate_existing=True, options=[selectinload(Contact.ratings)]
    )
    if contact is None:
        session.rollback()
        raise ContactNotFound(contact_id)
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        changed = _concurrent_change(session, contact, practice)
        session.rollback()
        raise changed
    return contact


def _check_rating(
    contact: Contact, rating: str, reason: str, practice: Practice
) -> tuple[RatingRule, str]:
    if contact.status == ContactStatus.DECIDED:
        raise FrontDoorError(
            "This contact has been decided, so its rating can no longer change", field="rating"
        )
    if contact.status == ContactStatus.ROUTED:
        raise FrontDoorError(
            "This contact went to the allocated worker of an open case: bring it back into "
            "the MASH before rating it",
            field="rating",
        )
    rule = practice.rating(rating.strip().lower())
    if rule is None:
        labels = ", ".join(r.label for r in practice.ratings)
        raise FrontDoorError(f"Select a rating: {labels}", field="rating")
    current = contact.current_rating
    if current is not None and current.rating == rule.code:
        raise FrontDoorError(
            f"It is already rated {rule.label}: choose another rating to change it",
            field="rating",
        )
    reason = reason.strip()
    if not reason:
        raise FrontDoorError(
            f"Enter why you are changing the rating from {practice.rating_label(current.rating)} "
            f"to {rule.label}"
            if current is not None
            else f"Enter why you are rating it {rule.label}",
            field="reason",
        )
    if len(reason) > REASON_LENGTH:
        raise FrontDoorError(
            f"The reason must be {REASON_LENGTH:,} characters or fewer", field="reason"
        )
    return rule, reason


# What the latest change was, in words, for telling the manager who lost a race.
_CHANGES = {
    "research.requested": "asked partners for research on this contact",
    "research.answered": "answered research on this contact",
    "contact.decided": "decided this contact",
    "feedback.sent": "sent feedback to the referrer of this contact",
    "contact.brought_back": "brought this contact back into the MASH",
    "contact.accepted": "accepted this contact into the case's work",
    "contact.matched": "decided who a person this contact names is",
    "contact.not_matched": "decided who a person this contact names is",
}


def _concurrent_change(session: Session, contact: Contact, practice: Practice) -> ConcurrentChange:
    latest = session.scalar(
        select(DomainEvent)
        .where(DomainEvent.contact_id == contact.id)
        .order_by(DomainEvent.id.desc())
        .limit(1)
    )
    rating = contact.ratings[-1] if contact.ratings else None
    if (
        latest is not None
        and latest.type == "contact.brought_back"
        and latest.payload.get("case_closed")
    ):  # the hub did it, as a case import closed the case: no one to name
        what = (
            f"Its case closed, so it was brought back into the MASH at {spoken_time(latest.at)}, "
            "after you opened it"
        )
    elif latest is not None and latest.type in _CHANGES:
        what = (
            f"{latest.actor_label} {_CHANGES[latest.type]} at {spoken_time(latest.at)}, "
            "after you opened it"
        )
    elif rating is not None:
        who = rating.rated_by
        what = (
            f"{who.name} ({who.agency.name}) rated this contact "
            f"{practice.rating_label(rating.rating)} at {spoken_time(rating.rated_at)}, "
            "after you opened it"
        )
    else:
        what = "Someone else changed this contact after you opened it"
    return ConcurrentChange(
        f"{what}. Nothing you sent was saved: read the contact again, then make your change "
        "if it is still needed",
        field="version",
    )


def record_event(
    session: Session, actor: Actor, type_: str, contact: Contact, **payload: Any
) -> None:
    session.add(
        DomainEvent(
            type=type_,
            contact_id=contact.id,
            at=clock.now(),
            actor_user_id=actor.user_id,
            actor_professional_id=actor.professional_id,
            actor_agency_id=actor.agency_id,
            actor_label=actor.label,
            payload={"reference": contact.reference, **payload},
        )
    )
