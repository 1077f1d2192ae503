"""Taking a contact in: a reference at once, its people matched, its clocks, event and ledger.

Intake is the hub's busiest write (bulk loads and bursts through the API), and every intake
waits for the one before it: the year's reference counter is locked from the first write to
the commit (PostgreSQL's row lock, SQLite's one writer). So everything that needs no database,
checking the contact, its clocks, its rows, is done first (check_intake), and the writes are a
few plain statements (one per table) rather than ORM flushes. take_contacts takes in several
contacts with those same statements, several rows each, and one ledger append: the API's
writer (web/intake_batches.py) gives it everything that arrived while the last batch was
being written. The objects handed back are then put in the session as loaded, exactly as the
rows were written, so reading a contact afterwards (its referrer's view, its people) costs no
query.

The open case check (routing.py) is one indexed query, before the first write, and only
when someone the contact is about was found in the people index; a routed contact adds one
INSERT (its routing) to the writes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import NewEntry, record_each
from joinedup.frontdoor import intake_rows, matching, queries, routing
from joinedup.frontdoor.case_models import ContactRouting
from joinedup.frontdoor.models import (
    Contact,
    ContactConcern,
    ContactReferenceCounter,
    ContactSubject,
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
    .values(last_number=ContactReferenceCounter.last_number + bindparam("count"))
    .returning(ContactReferenceCounter.last_number)
)
_EARLIER = select(Contact.id, Contact.referrer_professional_id, Contact.idempotency_key).where(
    tuple_(Contact.referrer_professional_id, Contact.idempotency_key).in_(
        bindparam("keys", expanding=True)
    )
)


@dataclass(frozen=True)
class Received:
    """The contact, and whether this call made it (False: a retry found the one made before)."""

    contact: Contact
    created: bool


@dataclass(frozen=True)
class Intake:
    """A contact checked and built, not yet written: who raised it, its rows and its key."""

    actor: Actor
    contact: Contact
    checked: CheckedContact
    idempotency_key: str | None


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
    transaction (sending a draft deletes it): the caller commits.

    A retry found (created False) has rolled the transaction back, everything the caller wrote
    in it too. Raises as receive_contact does.
    """
    intake = check_intake(actor, data, practice, idempotency_key, channel)
    (received,) = take_contacts(session, [intake], practice, matcher)
    if received.created:
        return received
    earlier = received.contact.id
    session.rollback()
    found = session.get(Contact, earlier)
    assert found is not None  # committed before our look-up, and never deleted
    return Received(found, created=False)


def check_intake(
    actor: Actor,
    data: ContactIn,
    practice: Practice,
    idempotency_key: str | None = None,
    channel: Channel = Channel.WEB,
) -> Intake:
    """Check a contact and build its rows, with no database: its time of receipt is now.
    Raises as receive_contact does."""
    if actor.professional_id is None or actor.agency_id is None:
        raise FrontDoorError(
            "Contacts are raised by a professional: sign in as one, or use an API token "
            "issued to one"
        )
    key = _check_idempotency_key(idempotency_key)
    now = clock.now()
    checked = check_contact(data, practice, now.astimezone(clock.LONDON).date())
    return Intake(actor, _new_contact(actor, checked, practice, now, channel, key), checked, key)


def take_contacts(
    session: Session,
    intakes: Sequence[Intake],
    practice: Practice,
    matcher: matching.SubjectMatcher | None = None,
) -> list[Received]:
    """Take in checked contacts in the caller's transaction, each with its reference, in
    order; the caller commits. One answer for each intake, in order.

    Several contacts written together cost little more than one (one statement per table, one
    ledger append, one commit), and intakes queue for the reference counter one transaction at
    a time, so a burst is taken in a batch at a time (web/intake_batches.py). An intake whose
    key this referrer used before, or used earlier in the batch, is answered with that contact
    (created False) and writes nothing.
    """
    # A resident model matches in memory, before the first write; the exact baseline reads
    # (every subject of every contact in one query).
    matcher = matcher or matching.EXACT
    contacts = [intake.contact for intake in intakes]
    matches = matcher.match(session, [s for contact in contacts for s in contact.subjects])
    per_contact: list[list[matching.SubjectMatch]] = []
    for contact in contacts:
        mine, matches = matches[: len(contact.subjects)], matches[len(contact.subjects) :]
        for subject, match in zip(contact.subjects, mine, strict=True):
            subject.master_person_id = match.master_person_id
        per_contact.append(mine)
    # The numbers are reserved first, which locks the year's counter (PostgreSQL's row lock;
    # SQLite's one writer already holds the database), so the retry look-up after it sees every
    # contact committed before, and two sends of one key cannot both get in; and the open cases
    # read after it are as a case import that closed one left them (hold_intake).
    connection = session.connection()
    by_year = Counter(reference_year(contact.received_at) for contact in contacts)
    reserved = {year: _reserve(connection, year, count) for year, count in sorted(by_year.items())}
    # Domain.md step 2: an open case takes the contact to its allocated worker.
    routes = [routing.route_for(session, contact.subjects) for contact in contacts]
    for contact, route in zip(contacts, routes, strict=True):
        if route is not None:
            contact.status = ContactStatus.ROUTED.value
    earlier = _earlier(connection, intakes)
    answers: list[Received] = []
    taken: list[tuple[Intake, list[matching.SubjectMatch], routing.Route | None]] = []
    in_batch: dict[tuple[int | None, str | None], Contact] = {}
    for intake, mine, route in zip(intakes, per_contact, routes, strict=True):
        key = (intake.actor.professional_id, intake.idempotency_key)
        if key in earlier:
            found = session.get(Contact, earlier[key])
            assert found is not None  # committed before our look-up, and never deleted
            answers.append(Received(found, created=False))
        elif key in in_batch:
            answers.append(Received(in_batch[key], created=False))
        else:
            if intake.idempotency_key is not None:
                in_batch[key] = intake.contact
            taken.append((intake, mine, route))
            answers.append(Received(intake.contact, created=True))
    if not taken:
        for year, count in by_year.items():
            _reserve(connection, year, -count)  # every number back
        return answers

    written = [intake.contact for intake, _, _ in taken]
    for year, last in reserved.items():
        _number(connection, practice, year, last, by_year[year], written)
    intake_rows.write_contacts(connection, written)
    routings = [
        routing.write_routing(session, intake.contact, route) if route is not None else None
        for intake, _, route in taken
    ]
    matching.record_candidates(
        session,
        [s for contact in written for s in contact.subjects],
        [match for _, mine, _ in taken for match in mine],
        matcher.model_file,
    )
    known = queries.known_people_of(session, written, practice)
    intake_rows.write_events(connection, taken, known)
    entries = []
    for intake, _, route in taken:
        detail: dict[str, Any] = {
            "reference": intake.contact.reference,
            "channel": intake.contact.channel,
        }
        if route is not None:
            detail["routed_to_case_id"] = route.case_id
        entry = NewEntry("referrer:contact:received", "contact", intake.contact.id, detail)
        entries.append((intake.actor, entry))
    record_each(session, entries)
    for contact, routed in zip(written, routings, strict=True):
        _as_loaded(session, contact, routed)
    return answers


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


def hold_intake(session: Session, at: dt.datetime) -> None:
    """Wait for the intakes under way to commit, and hold new ones until the caller commits.

    A case import that closes cases holds intake before it brings back the contacts routed to
    them: an intake that read a case as open has then committed its routing, which the import
    sees and brings back, and one that had not read it yet reads it closed.
    """
    _reserve(session.connection(), reference_year(at), 0)


def _reserve(connection: Connection, year: int, count: int) -> int:
    """Take the year's next `count` reference numbers (a negative count gives them back), and
    hold its counter until the commit; the last number taken. The counter is made at the year's
    first contact, once, whoever races. On PostgreSQL intakes queue here, on the row's lock;
    SQLite has one writer at a time."""
    last = connection.scalar(_BUMP, {"for_year": year, "count": count})
    if last is None:
        insert_ = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        connection.execute(
            insert_(ContactReferenceCounter)
            .values(year=year, last_number=0)
            .on_conflict_do_nothing(index_elements=["year"])
        )
        last = connection.scalar(_BUMP, {"for_year": year, "count": count})
    assert last is not None  # made above
    return last


def _number(
    connection: Connection,
    practice: Practice,
    year: int,
    last: int,
    reserved: int,
    contacts: Sequence[Contact],
) -> None:
    """Give the contacts written received in the year the numbers reserved for it, in order,
    and the numbers left over (retries found) back, so references have no gaps."""
    this_year = [c for c in contacts if reference_year(c.received_at) == year]
    for number, contact in enumerate(this_year, start=last - reserved + 1):
        contact.reference = format_reference(practice.reference_prefix, year, number)
    if len(this_year) < reserved:
        _reserve(connection, year, len(this_year) - reserved)


def _earlier(
    connection: Connection, intakes: Sequence[Intake]
) -> dict[tuple[int | None, str | None], int]:
    """The contacts already taken in with the intakes' idempotency keys, by (referrer, key)."""
    keys = sorted(
        {
            (intake.actor.professional_id, intake.idempotency_key)
            for intake in intakes
            if intake.idempotency_key is not None
        }
    )
    if not keys:
        return {}
    return {
        (professional_id, key): contact_id
        for contact_id, professional_id, key in connection.execute(_EARLIER, {"keys": keys})
    }
