"""Taking a contact in: a reference at once, its people matched, its clocks, event and ledger.

Intake is the hub's busiest write (bulk loads and bursts through the API), and every intake
waits for the one before it: the year's reference counter is locked from the first write to
the commit (PostgreSQL's row lock, SQLite's one writer). So everything that needs no database,
checking the contact, its clocks, its rows, is done before that first write, and the writes
are a few plain statements (one per table, several rows at once) rather than ORM flushes. The
objects handed back are then put in the session as loaded, exactly as the rows were written,
so reading the contact afterwards (its referrer's view, its people) costs no query.

The open case check (routing.py) is one indexed query, also before the first write, and only
when someone the contact is about was found in the people index; a routed contact adds one
INSERT (its routing) to the writes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import NewEntry, record_many
from joinedup.frontdoor import matching, queries, routing
from joinedup.frontdoor.case_models import ContactRouting
from joinedup.frontdoor.models import (
    Contact,
    ContactConcern,
    ContactReferenceCounter,
    ContactSubject,
    DomainEvent,
    FeedbackTask,
)
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import (
    IDEMPOTENCY_KEY_LENGTH,
    Channel,
    CheckedContact,
    ContactStatus,
    FeedbackKind,
    FrontDoorError,
    SubjectRole,
    check_contact,
    format_reference,
    normalise_name,
    reference_year,
)
from joinedup.frontdoor.schemas import ContactIn

# Printable ASCII, as HTTP headers carry it; clients usually send a UUID.
_IDEMPOTENCY_KEY = re.compile(rf"[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_LENGTH}}}")

# Built once: each is compiled once per database and then only run.
_BUMP = (
    update(ContactReferenceCounter)
    .where(ContactReferenceCounter.year == bindparam("for_year"))
    .values(last_number=ContactReferenceCounter.last_number + 1)
    .returning(ContactReferenceCounter.last_number)
)
_EARLIER = select(Contact.id).where(
    Contact.referrer_professional_id == bindparam("professional_id"),
    Contact.idempotency_key == bindparam("key"),
)
_INSERT_CONTACT = insert(Contact).returning(Contact.id)
_INSERT_CONCERNS = insert(ContactConcern)
# Several rows in one statement; they come back in any order, so each says its position.
_INSERT_SUBJECTS = insert(ContactSubject).returning(ContactSubject.id, ContactSubject.position)
_INSERT_TASK = insert(FeedbackTask).returning(FeedbackTask.id)
_INSERT_EVENTS = insert(DomainEvent)


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
    matcher: matching.SubjectMatcher | None = None,
) -> Received:
    """Take in a contact from the professional acting, and give it a reference at once.

    A retry with the same idempotency key from the same referrer returns the contact the first
    call made and changes nothing. `matcher` finds each person in the people index (by default,
    by NHS number or UPN alone). Raises InvalidContact listing every problem with the contact,
    or FrontDoorError when the actor is not a professional or the key is unusable.
    """
    received = take_contact(session, actor, data, practice, idempotency_key, channel, matcher)
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
    matcher: matching.SubjectMatcher | None = None,
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
    contact = _new_contact(actor, checked, practice, now, channel, key)
    # A resident model matches in memory, before the first write; the exact baseline reads.
    matcher = matcher or matching.EXACT
    matches = matcher.match(session, contact.subjects)
    for subject, match in zip(contact.subjects, matches, strict=True):
        subject.master_person_id = match.master_person_id
    # Domain.md step 2: an open case takes the contact to its allocated worker.
    route = routing.route_for(session, contact.subjects)
    if route is not None:
        contact.status = ContactStatus.ROUTED.value

    # The reference comes first: it is the transaction's first write, so concurrent intakes
    # queue here (PostgreSQL's row lock, SQLite's one writer), and the retry look-up after it
    # sees every contact committed before, so two sends of one key cannot both get in.
    connection = session.connection()
    contact.reference = _next_reference(session, practice, now)
    if key is not None:
        earlier = connection.scalar(
            _EARLIER, {"professional_id": actor.professional_id, "key": key}
        )
        if earlier is not None:
            session.rollback()  # gives the reference number back
            found = session.get(Contact, earlier)
            assert found is not None  # committed before our look-up, and never deleted
            return Received(found, created=False)
    _write(session, contact)
    routed = routing.write_routing(session, contact, route) if route is not None else None
    matching.record_candidates(session, contact.subjects, matches, matcher.model_file)
    known = queries.known_people(session, contact, practice)
    to_review = sum(1 for match in matches if match.candidates and not match.master_person_id)
    _write_events(session, actor, contact, checked, known, to_review, route)
    received: dict[str, Any] = {"reference": contact.reference, "channel": channel.value}
    if route is not None:
        received["routed_to_case_id"] = route.case_id
    record_many(
        session, actor, [NewEntry("referrer:contact:received", "contact", contact.id, received)]
    )
    _as_loaded(session, contact, routed)
    return Received(contact, created=True)


def _new_contact(
    actor: Actor,
    checked: CheckedContact,
    practice: Practice,
    now: dt.datetime,
    channel: Channel,
    key: str | None,
) -> Contact:
    """The contact and its people, concerns and acknowledgement, not yet in the session."""
    contact = Contact(
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
            sent_at=None,
            sent_by_professional_id=None,
            message=None,
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
            master_person_id=None,
        )
        for i, s in enumerate(checked.subjects)
    ]
    return contact


_CONTACT_COLUMNS = [c.key for c in Contact.__table__.columns if c.key != "id"]
_SUBJECT_COLUMNS = [c.key for c in ContactSubject.__table__.columns if c.key != "id"]
_CONCERN_COLUMNS = [c.key for c in ContactConcern.__table__.columns]
_TASK_COLUMNS = [c.key for c in FeedbackTask.__table__.columns if c.key != "id"]


def _write(session: Session, contact: Contact) -> None:
    """The contact's rows, one statement per table, their ids set on the objects."""
    connection = session.connection()
    contact.id = connection.execute(_INSERT_CONTACT, _row(contact, _CONTACT_COLUMNS)).scalar_one()
    for subject in contact.subjects:
        subject.contact_id = contact.id
    for concern in contact.concerns:
        concern.contact_id = contact.id
    for task in contact.feedback_tasks:
        task.contact_id = contact.id
    connection.execute(_INSERT_CONCERNS, [_row(c, _CONCERN_COLUMNS) for c in contact.concerns])
    ids = dict(
        (position, subject_id)
        for subject_id, position in connection.execute(
            _INSERT_SUBJECTS, [_row(s, _SUBJECT_COLUMNS) for s in contact.subjects]
        )
    )
    for subject in contact.subjects:
        subject.id = ids[subject.position]
    for task in contact.feedback_tasks:
        task.id = connection.execute(_INSERT_TASK, _row(task, _TASK_COLUMNS)).scalar_one()


def _row(item: Any, columns: Sequence[str]) -> dict[str, Any]:
    return {column: getattr(item, column) for column in columns}


def _write_events(
    session: Session,
    actor: Actor,
    contact: Contact,
    checked: CheckedContact,
    known: Sequence[queries.KnownPerson],
    to_review: int,
    route: routing.Route | None,
) -> None:
    """contact.received, contact.matched when anyone named is known or may be (people the
    model found candidates for but did not link), and contact.routed when an open case took
    it: codes, ids and counts."""
    subjects = contact.subjects
    linked = sum(1 for s in subjects if s.master_person_id is not None)
    payloads: list[tuple[str, dict[str, Any]]] = [
        (
            "contact.received",
            {
                "channel": contact.channel,
                "urgency": contact.urgency,
                "concern_categories": list(checked.concern_categories),
                "consent": contact.consent,
                "subjects": [s.kind for s in subjects if s.role == SubjectRole.SUBJECT],
                "household_members": sum(1 for s in subjects if s.role != SubjectRole.SUBJECT),
                "matched_to_people_index": linked,
                "re_referral": any(person.re_referral for person in known),
                "escalating": any(person.escalating for person in known),
            },
        )
    ]
    if linked or to_review or any(person.is_known for person in known):
        # Who is already known, as codes and counts: the chronology reads it per contact.
        matched = {
            "people_index": linked,
            "known_from_contacts": sum(1 for person in known if person.is_known),
            "open_contacts": sum(len(person.open_contacts) for person in known),
        }
        if to_review:  # the model's candidates a manager should look at
            matched["people_index_to_review"] = to_review
        payloads.append(("contact.matched", matched))
    if route is not None:
        payloads.append(
            (
                "contact.routed",
                {
                    "case_id": route.case_id,
                    "agency_id": route.agency_id,
                    "worker_id": route.worker_id,
                    "subject_position": route.subject_position,
                    "other_open_cases": route.other_cases,
                    "other_workers": route.other_workers,
                },
            )
        )
    session.connection().execute(
        _INSERT_EVENTS,
        [
            {
                "type": type_,
                "contact_id": contact.id,
                "at": contact.received_at,
                "actor_user_id": actor.user_id,
                "actor_professional_id": actor.professional_id,
                "actor_agency_id": actor.agency_id,
                "actor_label": actor.label,
                "payload": {"reference": contact.reference, **payload},
            }
            for type_, payload in payloads
        ],
    )


def _as_loaded(session: Session, contact: Contact, routed: ContactRouting | None) -> None:
    """Put the written contact in the session as if loaded from its rows: clean, with its
    people, concerns, tasks and routing, and no decision, ratings or research yet, so reading
    any of them costs no query."""
    items = (contact, *contact.subjects, *contact.concerns, *contact.feedback_tasks)
    for item in (*items, routed) if routed is not None else items:
        make_transient_to_detached(item)  # what it holds is what its row holds
    for name in ("ratings", "research_requests"):
        set_committed_value(contact, name, [])
    set_committed_value(contact, "decision", None)
    set_committed_value(contact, "routing", routed)
    session.add(contact)


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
    connection = session.connection()
    number = connection.scalar(_BUMP, {"for_year": year})
    if number is None:  # the year's first contact: make its counter (once, whoever races)
        insert_ = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        connection.execute(
            insert_(ContactReferenceCounter)
            .values(year=year, last_number=0)
            .on_conflict_do_nothing(index_elements=["year"])
        )
        number = connection.scalar(_BUMP, {"for_year": year})
    assert number is not None
    return format_reference(practice.reference_prefix, year, number)
