"""Every change of state at the front door. Each function takes the acting professional,
checks, writes, records a domain event and a ledger entry, and commits once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.rules import Role
from joinedup.frontdoor import queries
from joinedup.frontdoor.models import (
    Contact,
    ContactConcern,
    ContactReferenceCounter,
    ContactSubject,
    DomainEvent,
    FeedbackTask,
    Rating,
)
from joinedup.frontdoor.practice import Practice, RatingRule
from joinedup.frontdoor.rules import (
    IDEMPOTENCY_KEY_LENGTH,
    REASON_LENGTH,
    Channel,
    ContactStatus,
    FeedbackKind,
    FrontDoorError,
    SubjectRole,
    check_contact,
    format_reference,
    normalise_name,
    reference_year,
    spoken_time,
)
from joinedup.frontdoor.schemas import ContactIn
from joinedup.people.queries import master_person_by_identifier

# Printable ASCII, as HTTP headers carry it; clients usually send a UUID.
_IDEMPOTENCY_KEY = re.compile(rf"[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_LENGTH}}}")


class ContactNotFound(FrontDoorError):
    """No such contact, or none the actor may see: the same answer either way (404)."""

    def __init__(self, contact_id: object) -> None:
        super().__init__(f"There is no contact {contact_id}")


class ConcurrentChange(FrontDoorError):
    """Someone changed the contact after the actor read it; nothing the actor sent was saved."""


@dataclass(frozen=True)
class Received:
    """The contact, and whether this call made it (False: a retry found the one made before)."""

    contact: Contact
    created: bool


def receive_contact(
    session: Session,
    actor: Actor,
    data: ContactIn,
    practice: Practice,
    idempotency_key: str | None = None,
    channel: Channel = Channel.WEB,
) -> Received:
    """Take in a contact from the professional acting, and give it a reference at once.

    A retry with the same idempotency key from the same referrer returns the contact the first
    call made and changes nothing. Raises InvalidContact listing every problem with the
    contact, or FrontDoorError when the actor is not a professional or the key is unusable.
    """
    received = take_contact(session, actor, data, practice, idempotency_key, channel)
    if received.created:
        session.commit()
    return received


def take_contact(
    session: Session,
    actor: Actor,
    data: ContactIn,
    practice: Practice,
    idempotency_key: str | None = None,
    channel: Channel = Channel.WEB,
) -> Received:
    """receive_contact without its commit, for a use case that writes more in the same
    transaction (sending a draft deletes it; an import takes in many): the caller commits.

    A retry found (created False) has rolled the transaction back, everything the caller wrote
    in it too, as it gives the reference number back. Raises as receive_contact does.
    """
    if actor.professional_id is None or actor.agency_id is None:
        raise FrontDoorError(
            "Contacts are raised by a professional: sign in as one, or use an API token "
            "issued to one"
        )
    key = _check_idempotency_key(idempotency_key)
    now = clock.now()
    checked = check_contact(data, practice, now.astimezone(clock.LONDON).date())
    # The reference comes first: it is the transaction's first write, so concurrent intakes
    # queue here (PostgreSQL's row lock, SQLite's one writer), and the retry look-up after it
    # sees every contact committed before, so two sends of one key cannot both get in.
    reference = _next_reference(session, practice, now)
    if key is not None:
        earlier = queries.contact_by_idempotency_key(session, actor.professional_id, key)
        if earlier is not None:
            session.rollback()  # gives the reference number back
            return Received(earlier, created=False)
    contact = Contact(
        reference=reference,
        received_at=now,
        updated_at=now,
        version=1,
        channel=channel.value,
        referrer_professional_id=actor.professional_id,
        referrer_agency_id=actor.agency_id,
        what_happened=checked.what_happened,
        urgency=checked.urgency.value,
        consent=checked.consent.value,
        consent_not_sought_reason=(
            checked.consent_not_sought_reason.value if checked.consent_not_sought_reason else None
        ),
        idempotency_key=key,
        status=ContactStatus.RECEIVED.value,
        # WT 2023: decide next steps within one working day of receipt (configurable).
        decision_due_at=practice.decision_due.due(practice.calendar, now),
    )
    # WT 2023: the referrer is owed an acknowledgement within one working day (configurable).
    contact.feedback_tasks = [
        FeedbackTask(
            kind=FeedbackKind.ACKNOWLEDGEMENT.value,
            due_at=practice.acknowledgement_due.due(practice.calendar, now),
        )
    ]
    contact.concerns = [
        ContactConcern(category=code, position=i)
        for i, code in enumerate(checked.concern_categories)
    ]
    contact.subjects = [
        ContactSubject(
            position=i,
            role=s.role.value,
            kind=s.kind.value,
            given_name=s.given_name,
            family_name=s.family_name,
            given_name_norm=normalise_name(s.given_name),
            family_name_norm=normalise_name(s.family_name),
            date_of_birth=s.date_of_birth,
            due_date=s.due_date,
            nhs_number=s.nhs_number,
            upn=s.upn,
            address=s.address,
            postcode=s.postcode,
            relationship_to_subject=s.relationship,
            master_person_id=master_person_by_identifier(session, s.nhs_number, s.upn),
        )
        for i, s in enumerate(checked.subjects)
    ]
    session.add(contact)
    session.flush()
    known = queries.known_people(session, contact, practice)
    record_event(
        session,
        actor,
        "contact.received",
        contact,
        channel=channel.value,
        urgency=contact.urgency,
        concern_categories=list(checked.concern_categories),
        consent=contact.consent,
        subjects=[s.kind for s in contact.subjects if s.role == SubjectRole.SUBJECT],
        household_members=sum(1 for s in contact.subjects if s.role != SubjectRole.SUBJECT),
        matched_to_people_index=sum(1 for s in contact.subjects if s.master_person_id),
        re_referral=any(person.re_referral for person in known),
        escalating=any(person.escalating for person in known),
    )
    matched = [s for s in contact.subjects if s.master_person_id is not None]
    if matched or any(person.is_known for person in known):
        # Who is already known, as codes and counts: the chronology reads it per contact.
        record_event(
            session,
            actor,
            "contact.matched",
            contact,
            people_index=len(matched),
            known_from_contacts=sum(1 for person in known if person.is_known),
            open_contacts=sum(len(person.open_contacts) for person in known),
        )
    record(
        session,
        actor,
        "referrer:contact:received",
        "contact",
        contact.id,
        reference=contact.reference,
        channel=channel.value,
    )
    return Received(contact, created=True)


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
}


def _concurrent_change(session: Session, contact: Contact, practice: Practice) -> ConcurrentChange:
    latest = session.scalar(
        select(DomainEvent)
        .where(DomainEvent.contact_id == contact.id)
        .order_by(DomainEvent.id.desc())
        .limit(1)
    )
    rating = contact.ratings[-1] if contact.ratings else None
    if latest is not None and latest.type in _CHANGES:
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


def _check_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise FrontDoorError(
            f"An idempotency key must be 1 to {IDEMPOTENCY_KEY_LENGTH} printable characters "
            "without spaces, like a UUID",
            field="idempotency_key",
        )
    return key


def _next_reference(session: Session, practice: Practice, received_at: dt.datetime) -> str:
    """The next reference for the year, safe when many contacts arrive at once.

    One UPDATE ... RETURNING adds one and reads the result atomically: on PostgreSQL the row
    lock queues concurrent intakes until each commits; SQLite has one writer at a time. A
    rolled-back intake gives its number back, so references have no gaps.
    """
    year = reference_year(received_at)
    bump = (
        update(ContactReferenceCounter)
        .where(ContactReferenceCounter.year == year)
        .values(last_number=ContactReferenceCounter.last_number + 1)
        .returning(ContactReferenceCounter.last_number)
    )
    number = session.scalar(bump)
    if number is None:  # the year's first contact: make its counter (once, whoever races)
        insert = (
            postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        )
        session.execute(
            insert(ContactReferenceCounter)
            .values(year=year, last_number=0)
            .on_conflict_do_nothing(index_elements=["year"])
        )
        number = session.scalar(bump)
    assert number is not None
    return format_reference(practice.reference_prefix, year, number)


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
