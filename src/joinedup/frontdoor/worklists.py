"""Each role's work, soonest due first, with how each clock stands.

Lists show references, clocks, agencies and kinds of concern: never a person's details, which
appear only on a contact's page, through the sharing gate. Lateness is counted the way its
clock runs: working time for working-time clocks, round the clock for elapsed ones (Red), so
a contact due at Friday's close is not three days late on Monday morning, while a Red request
due at 8pm on Friday is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from joinedup import clock
from joinedup.actor import Actor
from joinedup.clock import Counting
from joinedup.directory.rules import Role
from joinedup.frontdoor.models import Contact, FeedbackTask, ResearchRequest
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.routing import RoutedContact, accepted_by_worker, routed_to_worker
from joinedup.frontdoor.rules import ContactStatus, FeedbackKind


@dataclass(frozen=True)
class Lateness:
    """How a clock stands: due when, and late by how much (negative: time left)."""

    due_at: dt.datetime
    late_by: dt.timedelta
    working_time: bool  # counted in opening hours, or round the clock

    @property
    def is_overdue(self) -> bool:
        return self.late_by > dt.timedelta(0)

    @classmethod
    def working(cls, practice: Practice, due_at: dt.datetime, now: dt.datetime) -> Lateness:
        return cls(due_at, practice.calendar.working_hours_between(due_at, now), True)

    @classmethod
    def elapsed(cls, due_at: dt.datetime, now: dt.datetime) -> Lateness:
        return cls(due_at, now - due_at, False)


def research_lateness(
    contact: Contact, request: ResearchRequest, practice: Practice, now: dt.datetime
) -> Lateness:
    """By the clock of the rating the request was made under (Red runs round the clock)."""
    rating = contact.current_rating
    rule = practice.rating(rating.rating) if rating else None
    clock_ = rule.research if rule else None
    if clock_ is not None and clock_.counting is Counting.ELAPSED_HOURS:
        return Lateness.elapsed(request.due_at, request.answered_at or now)
    return Lateness.working(practice, request.due_at, request.answered_at or now)


@dataclass(frozen=True)
class ResearchDue:
    request: ResearchRequest
    lateness: Lateness


@dataclass(frozen=True)
class DecisionDue:
    contact: Contact
    lateness: Lateness
    asked: int
    answered: int


@dataclass(frozen=True)
class FeedbackDue:
    task: FeedbackTask
    kind: FeedbackKind
    lateness: Lateness


@dataclass(frozen=True)
class RoutedDue:
    """A contact routed to one of the worker's cases, and the referrer's acknowledgement:
    its clock while it is owed (None once sent, by the worker or a MASH manager)."""

    routed: RoutedContact
    acknowledgement: FeedbackTask | None
    lateness: Lateness | None


def new_contacts_about_cases(session: Session, actor: Actor, practice: Practice) -> list[RoutedDue]:
    """The allocated worker's new contacts about the cases they hold, not yet accepted: those
    whose acknowledgement is owed soonest due first, then the acknowledged in the order
    received."""
    return _by_acknowledgement(routed_to_worker(session, actor), practice)


def accepted_recently(session: Session, actor: Actor, practice: Practice) -> list[RoutedDue]:
    """The contacts about their cases the worker has accepted lately (routing.ACCEPTED_RECENTLY)
    or whose acknowledgement is still owed, in the same order."""
    return _by_acknowledgement(accepted_by_worker(session, actor), practice)


def _by_acknowledgement(routed: list[RoutedContact], practice: Practice) -> list[RoutedDue]:
    # The referrer is owed the acknowledgement within a working day whoever has the contact
    # (WT 2023), so the worker's list runs by that clock, as the managers' feedback list does.
    now = clock.now()
    due = []
    for item in routed:
        task = next(
            (t for t in item.contact.feedback_tasks if t.kind == FeedbackKind.ACKNOWLEDGEMENT),
            None,
        )
        owed = task is not None and task.sent_at is None
        lateness = Lateness.working(practice, task.due_at, now) if owed and task else None
        due.append(RoutedDue(item, task, lateness))
    return sorted(
        due,
        key=lambda d: (
            d.lateness is None,
            d.lateness.due_at if d.lateness else d.routed.received_at,
        ),
    )


def research_queue(session: Session, actor: Actor, practice: Practice) -> list[ResearchDue]:
    """A MASH practitioner's agency's unanswered requests, soonest due first."""
    if not actor.has(Role.MASH_PRACTITIONER) or actor.agency_id is None:
        return []
    return _research(session, practice, agency_id=actor.agency_id)


def late_research(session: Session, actor: Actor, practice: Practice) -> list[ResearchDue]:
    """Escalated requests, every agency's, for MASH managers."""
    if not actor.has(Role.MASH_MANAGER):
        return []
    return _research(session, practice, escalated_only=True)


def decisions_due(session: Session, actor: Actor, practice: Practice) -> list[DecisionDue]:
    """Rated contacts not yet decided, soonest decision due first, with research progress."""
    if not actor.has(Role.MASH_MANAGER):
        return []
    now = clock.now()
    contacts = session.scalars(
        select(Contact)
        .where(Contact.status.in_([ContactStatus.RATED.value, ContactStatus.RESEARCHING.value]))
        .options(
            selectinload(Contact.concerns),
            selectinload(Contact.ratings),
            selectinload(Contact.research_requests),
        )
        .order_by(Contact.decision_due_at, Contact.id)
    )
    due = []
    for contact in contacts:
        # By agency, each as its latest round stands: a follow-up asked is one more to wait
        # for, not one more agency.
        latest: dict[int, ResearchRequest] = {}
        for request in contact.research_requests:
            if request.agency_id not in latest or request.round > latest[request.agency_id].round:
                latest[request.agency_id] = request
        due.append(
            DecisionDue(
                contact,
                Lateness.working(practice, contact.decision_due_at, now),
                asked=len(latest),
                answered=sum(1 for r in latest.values() if not r.is_open),
            )
        )
    return due


def feedback_due(session: Session, actor: Actor, practice: Practice) -> list[FeedbackDue]:
    """Acknowledgements and outcomes not yet sent to referrers, soonest due first."""
    if not actor.has(Role.MASH_MANAGER):
        return []
    now = clock.now()
    tasks = session.scalars(
        select(FeedbackTask)
        .where(FeedbackTask.sent_at.is_(None))
        .options(selectinload(FeedbackTask.contact))
        .order_by(FeedbackTask.due_at, FeedbackTask.id)
    )
    return [
        FeedbackDue(task, FeedbackKind(task.kind), Lateness.working(practice, task.due_at, now))
        for task in tasks
    ]


def _research(
    session: Session,
    practice: Practice,
    *,
    agency_id: int | None = None,
    escalated_only: bool = False,
) -> list[ResearchDue]:
    now = clock.now()
    query = (
        select(ResearchRequest)
        .where(ResearchRequest.answered_at.is_(None))
        .options(
            selectinload(ResearchRequest.agency),
            selectinload(ResearchRequest.contact).selectinload(Contact.ratings),
            selectinload(ResearchRequest.contact).selectinload(Contact.concerns),
        )
        .order_by(ResearchRequest.due_at, ResearchRequest.id)
    )
    if agency_id is not None:
        query = query.where(ResearchRequest.agency_id == agency_id)
    if escalated_only:
        query = query.where(ResearchRequest.escalated_at.is_not(None))
    return [
        ResearchDue(r, research_lateness(r.contact, r, practice, now))
        for r in session.scalars(query)
    ]
