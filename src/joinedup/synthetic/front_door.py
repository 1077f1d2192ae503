"""Two working weeks of the MASH's front door, played through the real services, so the demo
opens on work in every state: contacts waiting to be rated, research out and late, decisions
due, feedback owed, and a history of decided contacts for chronology and insight.

Each step runs at its own moment under a frozen clock, in time order across all contacts, so
references, clocks, re-referrals and lateness come out as they would have. Steps whose moment
is still to come are not played: that is the work in progress. Partners answer at their own
pace, and one is slow ("partners took up to 16 days", domain.md), so late research escalates.
The people named are real people of the county, as their GP holds them, so the people index
matches them. A few children have an open case with children's services (open_cases.py), and
recent contacts about two of them went to the demo social worker instead of the MASH.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts.models import User
from joinedup.accounts.queries import actor_for_user
from joinedup.actor import Actor
from joinedup.directory.models import Agency, Professional, RoleGrant
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import decisions, research, services
from joinedup.frontdoor.decisions import DecisionIn
from joinedup.frontdoor.models import Contact
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import ContactStatus, FeedbackKind
from joinedup.frontdoor.schemas import ContactIn
from joinedup.people.models import AgencyRecord
from joinedup.synthetic.open_cases import open_demo_cases

WORKING_DAYS = 6
CONTACTS_PER_DAY = 6
# Hours each kind of partner usually takes to answer; the mental health trust is the slow one.
ANSWER_HOURS: dict[AgencyKind, tuple[float, float]] = {
    AgencyKind.POLICE: (0.5, 3),
    AgencyKind.COMMUNITY_HEALTH: (1, 6),
    AgencyKind.SCHOOL: (1, 8),
    AgencyKind.PROBATION: (2, 10),
    AgencyKind.MENTAL_HEALTH: (20, 120),
}
CONCERNS = {
    "child": ["neglect", "physical_abuse", "emotional_abuse", "domestic_abuse", "sexual_abuse"],
    "adult": ["self_neglect", "financial_abuse", "domestic_abuse", "physical_abuse"],
}
STORIES = {
    "neglect": "Arrived hungry and in the same clothes all week; says there is no food at home.",
    "physical_abuse": "Bruising to the upper arm; gave two different accounts of how.",
    "emotional_abuse": "Withdrawn and tearful; says a parent shouts and calls them stupid.",
    "domestic_abuse": "Police attended a domestic incident at the home overnight.",
    "sexual_abuse": "Disclosed to a teacher that an older relative touches them.",
    "self_neglect": "Home is cluttered and cold; not eating or taking medication.",
    "financial_abuse": "A relative has taken over their bank card; bills are unpaid.",
}


@dataclass(frozen=True)
class FrontDoorReport:
    contacts: int
    decided: int
    research_requests: int
    escalated: int
    routed: int = 0  # to the allocated worker of an open case


@dataclass
class _Staff:
    referrers: list[Actor]
    managers: dict[str, Actor]  # "child" or "adult" -> a MASH manager of the service
    practitioners: dict[AgencyKind, tuple[Agency, Actor]]


@dataclass(order=True)
class _Step:
    at: dt.datetime
    order: int
    run: Callable[[], None] = field(compare=False)


def simulate_front_door(
    engine: Engine,
    practice: Practice,
    seed: int,
    working_days: int = WORKING_DAYS,
    per_day: int = CONTACTS_PER_DAY,
) -> FrontDoorReport:
    """Play the front door's last working days, once: a hub with contacts already is left alone.

    Needs the county's directory, accounts and extracts loaded (synthetic.load). All of it is
    one transaction: each service's commit only releases a savepoint, so the hundreds of steps
    cost one write to disk, and an interrupted run leaves nothing behind to play again.
    """
    with engine.connect() as connection, connection.begin() as whole:
        session = Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        report = _simulate(session, practice, seed, working_days, per_day)
        session.close()
        whole.commit()
    return report


def _simulate(
    session: Session, practice: Practice, seed: int, working_days: int, per_day: int
) -> FrontDoorReport:
    if session.scalar(select(func.count()).select_from(Contact)):
        return FrontDoorReport(0, 0, 0, 0)
    staff = _staff(session)
    people = _people(session)
    if staff is None or not people:
        return FrontDoorReport(0, 0, 0, 0)
    rng = random.Random(seed)
    now = clock.now()
    steps: list[_Step] = []
    counter = itertools.count()
    days = _working_days(practice, now, working_days)
    for opens, closes in days:
        for _ in range(per_day):
            received = opens + (closes - opens) * rng.random()
            flow = _Flow(session, practice, staff, rng, rng.choice(people), steps, counter, now)
            flow.schedule(received, flow.receive)
    cases = open_demo_cases(session, people, seed, now)
    if cases is not None:
        # Recent contacts about children with open cases, in opening hours, already come in.
        moments = [
            m for opens, closes in reversed(days) if (m := opens + (closes - opens) * 0.4) <= now
        ]
        own = random.Random(seed + 1)  # the flows above play out as before
        for child, received in zip(cases.children, moments[:2], strict=False):
            flow = _Flow(session, practice, staff, own, child, steps, counter, now)
            flow.schedule(received, flow.receive)
    while steps:
        step = heapq.heappop(steps)
        with clock.frozen_at(step.at):
            step.run()
    escalated = research.escalate_late_research(session, Actor.system("joinedup demo"))
    contacts = list(session.scalars(select(Contact)))
    return FrontDoorReport(
        contacts=len(contacts),
        decided=sum(1 for c in contacts if c.decision is not None),
        research_requests=sum(len(c.research_requests) for c in contacts),
        escalated=len(escalated),
        routed=sum(1 for c in contacts if c.status == ContactStatus.ROUTED),
    )


@dataclass
class _Flow:
    """One contact's way through the front door, each step scheduling the next."""

    session: Session
    practice: Practice
    staff: _Staff
    rng: random.Random
    subject: AgencyRecord
    steps: list[_Step]
    counter: itertools.count[int]
    now: dt.datetime
    contact: Contact | None = None

    @property
    def kind(self) -> str:
        born = self.subject.date_of_birth
        assert born is not None
        return "child" if (self.now.date() - born).days < 18 * 365 else "adult"

    def schedule(self, at: dt.datetime, run: Callable[[], None]) -> None:
        if at <= self.now:  # what is still to come is the work in progress
            heapq.heappush(self.steps, _Step(at, next(self.counter), run))

    def later(self, low: float, high: float, run: Callable[[], None]) -> None:
        self.schedule(clock.now() + dt.timedelta(hours=self.rng.uniform(low, high)), run)

    def receive(self) -> None:
        concern = self.rng.choice(CONCERNS[self.kind])
        consent = self.rng.choice(["given", "not_sought"])
        s = self.subject
        data = ContactIn.model_validate(
            {
                "subjects": [
                    {
                        "kind": self.kind,
                        "given_name": s.given_name,
                        "family_name": s.family_name,
                        "date_of_birth": s.date_of_birth,
                        "nhs_number": s.nhs_number,
                        "address": s.address,
                        "postcode": s.postcode,
                    }
                ],
                "concern_categories": [concern],
                "what_happened": STORIES[concern],
                "urgency": self.rng.choices(["immediate", "urgent", "routine"], [1, 3, 6])[0],
                "consent": consent,
                # Para 18(2)(c): asking would prejudice the protection.
                "consent_not_sought_reason": "c" if consent == "not_sought" else None,
            }
        )
        referrer = self.rng.choice(self.staff.referrers)
        self.contact = services.receive_contact(self.session, referrer, data, self.practice).contact
        self.later(1, 20, self.acknowledge)
        if self.contact.status != ContactStatus.ROUTED:  # else the allocated worker's
            self.later(0.2, 4, self.rate)

    @property
    def manager(self) -> Actor:
        return self.staff.managers[self.kind]

    def acknowledge(self) -> None:
        assert self.contact is not None
        task = next(
            t for t in self.contact.feedback_tasks if t.kind == FeedbackKind.ACKNOWLEDGEMENT
        )
        message = (
            "Received; the child has an open case, so it has gone to their social worker, "
            "who will be in touch."
            if self.contact.status == ContactStatus.ROUTED
            else "Received and screened by the MASH; thank you."
        )
        decisions.send_feedback(self.session, self.manager, task.id, message)

    def rate(self) -> None:
        assert self.contact is not None
        rating = {"immediate": "red", "urgent": "amber"}.get(
            self.contact.urgency, self.rng.choice(["green", "green", "blue"])
        )
        services.rate_contact(
            self.session,
            self.manager,
            self.contact.id,
            rating,
            "Screened against the threshold document.",
            self.contact.version,
            self.practice,
        )
        if rating == "blue":
            self.later(0.5, 3, self.decide)
        else:
            self.later(0.1, 1, self.ask)

    def ask(self) -> None:
        assert self.contact is not None
        kinds = [AgencyKind.POLICE, AgencyKind.COMMUNITY_HEALTH]
        kinds.append(AgencyKind.SCHOOL if self.kind == "child" else AgencyKind.PROBATION)
        if self.rng.random() < 0.3:
            kinds.append(AgencyKind.MENTAL_HEALTH)
        asked = [self.staff.practitioners[k] for k in kinds if k in self.staff.practitioners]
        made = research.request_research(
            self.session,
            self.manager,
            self.contact.id,
            [agency.id for agency, _ in asked],
            "What does your agency know about this person and their household?",
            self.contact.version,
            self.practice,
        )
        for request in made:
            agency, practitioner = self.staff.practitioners[AgencyKind(request.agency.kind)]
            low, high = ANSWER_HOURS.get(AgencyKind(agency.kind), (1, 8))
            self.later(low, high, self._answer(request.id, practitioner))

    def _answer(self, request_id: int, practitioner: Actor) -> Callable[[], None]:
        def answer() -> None:
            research.answer_research(
                self.session,
                practitioner,
                request_id,
                "Known to us: two contacts in the last year, no current involvement.",
                self.rng.choices(["normal", "sensitive"], [4, 1])[0],
                self.rng.random() < 0.5,
            )
            assert self.contact is not None
            self.session.refresh(self.contact)
            if not any(r.is_open for r in self.contact.research_requests):
                self.later(0.5, 6, self.decide)

        return answer

    def decide(self) -> None:
        assert self.contact is not None
        self.session.refresh(self.contact)
        rating = self.contact.current_rating.rating if self.contact.current_rating else "green"
        asked = frozenset(r.agency_id for r in self.contact.research_requests)
        if rating == "red":
            strategy = "strategy_discussion" if self.kind == "child" else "section_42_enquiry"
            given = DecisionIn(strategy, "Risk of significant harm.", True, "", asked, asked)
        else:
            outcome = {"child": "early_help", "adult": "needs_assessment"}[self.kind]
            if rating == "blue":
                outcome = "information_and_advice"
            given = DecisionIn(outcome, "Needs met without statutory action.", False, "", asked)
        decisions.decide_contact(
            self.session, self.manager, self.contact.id, given, self.contact.version, self.practice
        )
        self.later(1, 30, self.tell_outcome)

    def tell_outcome(self) -> None:
        assert self.contact is not None
        task = next(t for t in self.contact.feedback_tasks if t.kind == FeedbackKind.OUTCOME)
        decisions.send_feedback(
            self.session, self.manager, task.id, "Decided; the allocated team will be in touch."
        )


def _working_days(
    practice: Practice, now: dt.datetime, count: int
) -> list[tuple[dt.datetime, dt.datetime]]:
    """When the hub opened and closed on each of the last `count` working days, oldest first,
    today included."""
    calendar, hours = practice.calendar, practice.opening_hours
    days: list[tuple[dt.datetime, dt.datetime]] = []
    day = now.astimezone(clock.LONDON).date()
    while len(days) < count:
        span = hours.by_weekday[day.weekday()]
        if calendar.is_working_day(day) and span is not None:
            opens, closes = (dt.datetime.combine(day, t, clock.LONDON) for t in span)
            days.append((opens, closes))
        day -= dt.timedelta(days=1)
    return sorted(days)


def _people(session: Session) -> list[AgencyRecord]:
    """People as their GP holds them: everyone registered has an NHS number there."""
    return list(
        session.scalars(
            select(AgencyRecord)
            .join(Agency, Agency.id == AgencyRecord.agency_id)
            .where(
                Agency.kind == AgencyKind.GP_PRACTICE.value,
                AgencyRecord.nhs_number.is_not(None),
                AgencyRecord.date_of_birth.is_not(None),
            )
            .order_by(AgencyRecord.id)
            .limit(2_000)
        )
    )


def _staff(session: Session) -> _Staff | None:
    """The county's staff who use the hub, by role: None when the MASH has no manager."""
    rows = session.execute(
        select(User, RoleGrant.role, Agency)
        .join(Professional, Professional.id == User.professional_id)
        .join(RoleGrant, RoleGrant.professional_id == Professional.id)
        .join(Agency, Agency.id == Professional.agency_id)
        .where(RoleGrant.revoked_at.is_(None), Professional.left_at.is_(None))
        .order_by(Professional.id, RoleGrant.role)
    ).all()
    referrers: list[Actor] = []
    managers: dict[str, Actor] = {}
    practitioners: dict[AgencyKind, tuple[Agency, Actor]] = {}
    for user, role, agency in rows:
        kind = AgencyKind(agency.kind)
        if role == Role.REFERRER and len(referrers) < 200:
            referrers.append(actor_for_user(user))
        elif role == Role.MASH_MANAGER and kind is AgencyKind.CHILDRENS_SOCIAL_CARE:
            managers.setdefault("child", actor_for_user(user))
        elif role == Role.MASH_MANAGER and kind is AgencyKind.ADULT_SOCIAL_CARE:
            managers.setdefault("adult", actor_for_user(user))
        elif role == Role.MASH_PRACTITIONER and kind not in practitioners:
            practitioners[kind] = (agency, actor_for_user(user))
    if not referrers or set(managers) != {"child", "adult"}:
        return None
    return _Staff(referrers, managers, practitioners)
