"""The open case check (domain.md, step 2): a contact about someone who already has an open social
care case goes to the case's allocated worker, not through the MASH.

Intake asks once per contact, in one indexed query (social_care_cases by master person) for all
the people it names that the people index found, before its first write, so the check holds up
no other intake. Only the people the concern is about count: a household member's own case does
not take the contact away from the MASH. When several subjects have open cases, the first
subject's (in the referrer's order) takes it; the others are counted on the contact.routed event
and shown on the contact's page, so the worker and the MASH know.

The reads here answer only the people whose work it is: the allocated worker their own routed
contacts, a MASH manager all of them. Who holds a routed contact is its case's allocated worker
now (one source of truth: a reallocated case takes its contacts, accepted or not, to the new
worker); the routing keeps who held it when it was routed, and who accepted it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, bindparam, exists, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from joinedup import clock
from joinedup.actor import Actor
from joinedup.directory.rules import Role
from joinedup.frontdoor.case_models import ContactRouting, SocialCareCase
from joinedup.frontdoor.models import Contact, ContactSubject, FeedbackTask
from joinedup.frontdoor.rules import ContactStatus, FeedbackKind, SubjectRole

_cases = SocialCareCase.__table__.c  # plain columns: intake runs it on the connection
# Built once; uses ix_social_care_cases_master_person_id. Oldest case first, so a person with
# two open cases (children's and adults') goes to the one that has known them longest.
_OPEN_CASES = (
    select(_cases.id, _cases.master_person_id, _cases.allocated_worker_id, _cases.agency_id)
    .where(
        _cases.master_person_id.in_(bindparam("people", expanding=True)),
        _cases.closed_at.is_(None),
    )
    .order_by(_cases.opened_at, _cases.id)
)


_INSERT_ROUTING = insert(ContactRouting).returning(ContactRouting.id)
# How long an accepted contact stays on the worker's and the managers' lists, so each can see
# it was picked up (a contact whose acknowledgement is still owed stays on the worker's).
ACCEPTED_RECENTLY = dt.timedelta(days=7)


@dataclass(frozen=True)
class Route:
    """Where intake sends a contact: the first subject's open case, and how many more."""

    case_id: int
    worker_id: int
    agency_id: int
    subject_position: int
    other_cases: int  # open cases of the contact's other subjects
    other_workers: int  # of those, held by someone other than this worker


def route_for(session: Session, subjects: Sequence[ContactSubject]) -> Route | None:
    """The open case the contact goes to, or None (the MASH screens it). One query, and none
    when no subject is linked to a master person."""
    named = [
        s for s in subjects if s.role == SubjectRole.SUBJECT and s.master_person_id is not None
    ]
    if not named:
        return None
    people = sorted({s.master_person_id for s in named if s.master_person_id is not None})
    open_cases: dict[int, tuple[int, int, int]] = {}
    for case_id, person, worker, agency in session.connection().execute(
        _OPEN_CASES, {"people": people}
    ):
        open_cases.setdefault(person, (case_id, worker, agency))  # the oldest
    with_cases = [
        (s, open_cases[person])
        for s in named
        if (person := s.master_person_id) is not None and person in open_cases
    ]
    if not with_cases:
        return None
    (first, (case_id, worker, agency)), others = with_cases[0], with_cases[1:]
    other_ids = {case for _, (case, _, _) in others} - {case_id}
    return Route(
        case_id=case_id,
        worker_id=worker,
        agency_id=agency,
        subject_position=first.position,
        other_cases=len(other_ids),
        other_workers=len({w for _, (c, w, _) in others if c in other_ids and w != worker}),
    )


def write_routing(session: Session, contact: Contact, route: Route) -> ContactRouting:
    """The routing of a contact intake has just written (it has its id): one INSERT on the
    connection, as intake writes, and the object as its row holds it."""
    routed = ContactRouting(
        contact_id=contact.id,
        case_id=route.case_id,
        worker_id=route.worker_id,
        routed_at=contact.received_at,
        brought_back_at=None,
        brought_back_by_professional_id=None,
        brought_back_reason=None,
        accepted_at=None,
        accepted_by_professional_id=None,
        accepted_note=None,
    )
    row = {c.key: getattr(routed, c.key) for c in ContactRouting.__table__.columns if c.key != "id"}
    routed.id = session.connection().execute(_INSERT_ROUTING, row).scalar_one()
    return routed


def open_cases_of(session: Session, contact: Contact) -> dict[int, list[SocialCareCase]]:
    """Each linked person the contact names (by subject id) and their open cases, oldest
    first, with the agency and worker loaded: for the pages of those working the contact."""
    people = {s.master_person_id for s in contact.subjects if s.master_person_id is not None}
    if not people:
        return {}
    by_person: dict[int, list[SocialCareCase]] = {}
    for case in session.scalars(
        select(SocialCareCase)
        .where(SocialCareCase.master_person_id.in_(people), SocialCareCase.closed_at.is_(None))
        .options(selectinload(SocialCareCase.agency), selectinload(SocialCareCase.allocated_worker))
        .order_by(SocialCareCase.opened_at, SocialCareCase.id)
    ):
        by_person.setdefault(case.master_person_id, []).append(case)
    return {
        s.id: by_person[s.master_person_id]
        for s in contact.subjects
        if s.master_person_id in by_person
    }


@dataclass(frozen=True)
class RoutedContact:
    """A contact routed to an allocated worker, and the case it went to."""

    contact: Contact
    routing: ContactRouting
    received_at: dt.datetime


def routed_to_worker(session: Session, actor: Actor) -> list[RoutedContact]:
    """The contacts routed to cases the actor holds now that they have not yet accepted (nor a
    manager brought back), in the order they were received: the allocated worker's "new
    contacts about your cases"."""
    if actor.professional_id is None:
        return []
    return _routed(
        session,
        SocialCareCase.allocated_worker_id == actor.professional_id,
        ContactRouting.accepted_at.is_(None),
    )


def accepted_by_worker(session: Session, actor: Actor) -> list[RoutedContact]:
    """The contacts routed to cases the actor holds now that were accepted in the last
    ACCEPTED_RECENTLY, or earlier with the referrer's acknowledgement still owed, in the order
    they were received."""
    if actor.professional_id is None:
        return []
    owed = exists().where(
        FeedbackTask.contact_id == Contact.id,
        FeedbackTask.kind == FeedbackKind.ACKNOWLEDGEMENT.value,
        FeedbackTask.sent_at.is_(None),
    )
    return _routed(
        session,
        SocialCareCase.allocated_worker_id == actor.professional_id,
        ContactRouting.accepted_at.is_not(None),
        or_(ContactRouting.accepted_at >= clock.now() - ACCEPTED_RECENTLY, owed),
    )


def routed_for_manager(session: Session, actor: Actor) -> list[RoutedContact]:
    """Every contact routed to an allocated worker and not brought back, for a MASH manager
    (who can bring one back), but those accepted before the last ACCEPTED_RECENTLY: they are
    in their cases' work. Empty for anyone else."""
    if not actor.has(Role.MASH_MANAGER):
        return []
    return _routed(
        session,
        or_(
            ContactRouting.accepted_at.is_(None),
            ContactRouting.accepted_at >= clock.now() - ACCEPTED_RECENTLY,
        ),
    )


def _routed(session: Session, *where: ColumnElement[bool]) -> list[RoutedContact]:
    query = (
        select(Contact, ContactRouting)
        .join(ContactRouting, ContactRouting.contact_id == Contact.id)
        .join(SocialCareCase, SocialCareCase.id == ContactRouting.case_id)
        .where(Contact.status == ContactStatus.ROUTED.value, *where)
        .options(
            selectinload(Contact.concerns),
            selectinload(Contact.feedback_tasks),
            selectinload(ContactRouting.case).selectinload(SocialCareCase.allocated_worker),
            selectinload(ContactRouting.accepted_by),
        )
        .order_by(Contact.received_at, Contact.id)
    )
    return [
        RoutedContact(contact, routing, contact.received_at)
        for contact, routing in session.execute(query)
    ]
