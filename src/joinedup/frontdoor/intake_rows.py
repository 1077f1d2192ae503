"""The rows intake writes, for any number of contacts at once: one statement per table, the
ids the database gave set on the objects, and each contact's domain events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert

from joinedup.frontdoor import matching, queries, routing
from joinedup.frontdoor.models import (
    Contact,
    ContactConcern,
    ContactSubject,
    DomainEvent,
    FeedbackTask,
)
from joinedup.frontdoor.rules import SubjectRole

if TYPE_CHECKING:
    from joinedup.frontdoor.intake import Intake

# Several rows in one statement each; they come back in any order, so each returns what
# tells it apart (a reference; a contact and position; a contact, for its one acknowledgement).
_INSERT_CONTACTS = insert(Contact).returning(Contact.id, Contact.reference)
# RETURNING, though nothing is read back, makes SQLAlchemy send the rows as one multi-row
# INSERT; without it psycopg runs one INSERT per row (measured: 3.5 ms for a batch's events
# against 1 ms).
_INSERT_CONCERNS = insert(ContactConcern).returning(ContactConcern.contact_id)
_INSERT_SUBJECTS = insert(ContactSubject).returning(
    ContactSubject.id, ContactSubject.contact_id, ContactSubject.position
)
_INSERT_TASKS = insert(FeedbackTask).returning(FeedbackTask.id, FeedbackTask.contact_id)
_INSERT_EVENTS = insert(DomainEvent).returning(DomainEvent.id)


_CONTACT_COLUMNS = [c.key for c in Contact.__table__.columns if c.key != "id"]
_SUBJECT_COLUMNS = [c.key for c in ContactSubject.__table__.columns if c.key != "id"]
_CONCERN_COLUMNS = [c.key for c in ContactConcern.__table__.columns]
_TASK_COLUMNS = [c.key for c in FeedbackTask.__table__.columns if c.key != "id"]


def write_contacts(connection: Connection, contacts: Sequence[Contact]) -> None:
    """The contacts' rows, one statement per table, their ids set on the objects."""
    by_reference = dict(
        (reference, contact_id)
        for contact_id, reference in connection.execute(
            _INSERT_CONTACTS, [_row(c, _CONTACT_COLUMNS) for c in contacts]
        )
    )
    for contact in contacts:
        contact.id = by_reference[contact.reference]
        for subject in contact.subjects:
            subject.contact_id = contact.id
        for concern in contact.concerns:
            concern.contact_id = contact.id
        for task in contact.feedback_tasks:
            task.contact_id = contact.id
    concerns = [c for contact in contacts for c in contact.concerns]
    connection.execute(_INSERT_CONCERNS, [_row(c, _CONCERN_COLUMNS) for c in concerns])
    subjects = [s for contact in contacts for s in contact.subjects]
    by_position = dict(
        ((contact_id, position), subject_id)
        for subject_id, contact_id, position in connection.execute(
            _INSERT_SUBJECTS, [_row(s, _SUBJECT_COLUMNS) for s in subjects]
        )
    )
    for subject in subjects:
        subject.id = by_position[subject.contact_id, subject.position]
    tasks = [t for contact in contacts for t in contact.feedback_tasks]
    by_contact = dict(
        (contact_id, task_id)
        for task_id, contact_id in connection.execute(
            _INSERT_TASKS, [_row(t, _TASK_COLUMNS) for t in tasks]
        )
    )
    for task in tasks:  # one acknowledgement each
        task.id = by_contact[task.contact_id]


def _row(item: Any, columns: Sequence[str]) -> dict[str, Any]:
    return {column: getattr(item, column) for column in columns}


def write_events(
    connection: Connection,
    taken: Sequence[tuple[Intake, Sequence[matching.SubjectMatch], routing.Route | None]],
    known: Sequence[Sequence[queries.KnownPerson]],
) -> None:
    """Each contact's events, all in one INSERT."""
    rows: list[dict[str, Any]] = []
    for (intake, matches, route), known_here in zip(taken, known, strict=True):
        actor, contact = intake.actor, intake.contact
        rows.extend(
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
            for type_, payload in _events(intake, matches, known_here, route)
        )
    connection.execute(_INSERT_EVENTS, rows)


def _events(
    intake: Intake,
    matches: Sequence[matching.SubjectMatch],
    known: Sequence[queries.KnownPerson],
    route: routing.Route | None,
) -> list[tuple[str, dict[str, Any]]]:
    """contact.received, contact.matched when anyone named is known or may be (people the
    model found candidates for but did not link), and contact.routed when an open case took
    it: codes, ids and counts."""
    contact, subjects = intake.contact, intake.contact.subjects
    linked = sum(1 for s in subjects if s.master_person_id is not None)
    to_review = sum(1 for match in matches if match.candidates and not match.master_person_id)
    payloads: list[tuple[str, dict[str, Any]]] = [
        (
            "contact.received",
            {
                "channel": contact.channel,
                "urgency": contact.urgency,
                "concern_categories": list(intake.checked.concern_categories),
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
    return payloads
