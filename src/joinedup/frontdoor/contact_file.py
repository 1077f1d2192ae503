"""A contact opened by someone working it: every person-level field through the sharing gate.

Opening a contact discloses, in one call to the gate, the referrer's account, the people it
names, the partners' answers (to MASH staff only), the agency records the people index
holds for the people named (the "match with the child's existing records") and, to a MASH
manager, the records the trained model put forward for people it did not link (until a manager
decided who they are: linking.py), each redacted by the agreements in force and each on the
ledger. The caller commits, so the page and its ledger entries stand or fall together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from joinedup import clock
from joinedup.actor import Actor
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import queries, routing
from joinedup.frontdoor.case_models import ContactRouting, SocialCareCase
from joinedup.frontdoor.disclosure import (
    AccountRecord,
    AnswerRecord,
    SubjectRecord,
    custodian,
    involvement_in,
    is_allocated_worker,
    is_working,
    purpose_of,
)
from joinedup.frontdoor.link_models import SubjectLinkDecision
from joinedup.frontdoor.models import (
    Contact,
    ContactSubject,
    FeedbackTask,
    ResearchRequest,
    SubjectCandidate,
)
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.worklists import Lateness, research_lateness
from joinedup.people.models import AgencyRecord
from joinedup.sharing.gate import Disclosure, PersonRecord, disclose
from joinedup.sharing.rules import MASH_ROLES


@dataclass(frozen=True)
class PersonOnFile:
    """One person the contact names: what the gate lets the actor see, and what is known."""

    subject: ContactSubject  # for its role, kind and position only: details come from `details`
    details: Disclosure
    known: queries.KnownPerson | None  # MASH managers only
    records: list[Disclosure]  # agency records the people index links to this person
    # Their open social care cases, to the MASH manager and the allocated worker only.
    open_cases: list[SocialCareCase]
    # Not linked: the master persons the model found at or above review, best first, each by
    # its best-scoring record through the gate (MASH managers only), until a manager decides.
    candidates: list[CandidateOnFile]
    # A MASH manager's decision among the candidates, with who and why (MASH managers only).
    link_decision: SubjectLinkDecision | None


@dataclass(frozen=True)
class CandidateOnFile:
    candidate: SubjectCandidate  # its weight and each comparison's part
    record: Disclosure  # the record that scored best, as the gate lets the manager see it


@dataclass(frozen=True)
class ResearchOnFile:
    request: ResearchRequest
    answer: Disclosure | None  # None until answered
    lateness: Lateness
    latest: bool  # the agency's latest round: a follow-up question follows on from it


@dataclass(frozen=True)
class FeedbackOnFile:
    task: FeedbackTask
    lateness: Lateness  # by when it was sent, or by now while it waits


@dataclass(frozen=True)
class ContactFile:
    contact: Contact
    account: Disclosure
    people: list[PersonOnFile]
    research: list[ResearchOnFile]
    feedback: list[FeedbackOnFile]
    decision_lateness: Lateness
    is_manager: bool
    # The allocated worker of the open case it was routed to (domain.md step 2).
    is_allocated_worker: bool

    @property
    def routing(self) -> ContactRouting | None:
        """Where intake sent it and whether it was brought back: for the manager and worker."""
        return self.contact.routing if self.is_manager or self.is_allocated_worker else None

    @property
    def agencies_asked(self) -> set[int]:
        return {r.request.agency_id for r in self.research}


def find_contact(session: Session, actor: Actor, reference: str) -> Contact | None:
    """The contact with this reference if the actor works it, else None: reads no one's details."""
    contact = session.scalar(select(Contact).where(Contact.reference == reference.strip().upper()))
    return contact if contact is not None and is_working(actor, contact) else None


def open_contact(
    session: Session, actor: Actor, reference: str, practice: Practice
) -> ContactFile | None:
    """The contact with this reference as the actor may see it, or None (404) if they are not
    working it. Appends the gate's ledger entries to the session: the caller commits."""
    contact = session.scalar(
        select(Contact)
        .where(Contact.reference == reference.strip().upper())
        .options(
            selectinload(Contact.subjects)
            .selectinload(ContactSubject.link_decision)
            .selectinload(SubjectLinkDecision.decided_by),
            selectinload(Contact.research_requests).selectinload(ResearchRequest.agency),
            selectinload(Contact.ratings),
            selectinload(Contact.feedback_tasks),
            selectinload(Contact.decision),
            selectinload(Contact.routing)
            .selectinload(ContactRouting.case)
            .options(
                selectinload(SocialCareCase.allocated_worker),
                selectinload(SocialCareCase.agency),
            ),
        )
    )
    if contact is None or not is_working(actor, contact):
        return None
    worker = is_allocated_worker(actor, contact)
    in_mash = bool(actor.roles & MASH_ROLES)
    referrer_kind = AgencyKind(contact.referrer_agency.kind)
    holder = custodian(actor, contact)
    subjects = [SubjectRecord(s, holder) for s in contact.subjects]
    answered = [r for r in contact.research_requests if not r.is_open] if in_mash else []
    answers = [AnswerRecord(r) for r in answered]
    held = _agency_records(session, contact) if in_mash else []
    candidates, candidate_records = _candidates(session, actor, contact)
    records: list[AgencyRecord | PersonRecord] = [
        AccountRecord(contact, referrer_kind, holder),
        *subjects,
        *answers,
        *held,
        *candidate_records,
    ]
    involvement = involvement_in(actor, contact)
    # A manager judging who someone named is works the records the model put forward (as a
    # reviewer works a pair): those, not the rest of the candidates' people.
    involvement = replace(
        involvement,
        records=involvement.records | {("agency_record", r.id) for r in candidate_records},
    )
    disclosed = disclose(session, actor, purpose_of(contact), records, involvement=involvement)
    account, rest = disclosed[0], disclosed[1:]
    of_subjects, rest = rest[: len(subjects)], rest[len(subjects) :]
    of_answers, rest = rest[: len(answers)], rest[len(answers) :]
    of_held, of_candidates = rest[: len(held)], rest[len(held) :]
    candidate_shown = {r.id: d for r, d in zip(candidate_records, of_candidates, strict=True)}
    is_manager = actor.has(Role.MASH_MANAGER)
    known = (
        {k.subject.id: k for k in queries.known_people(session, contact, practice)}
        if is_manager
        else {}
    )
    by_person: dict[int, list[Disclosure]] = {}
    for record, disclosure in zip(held, of_held, strict=True):
        if record.master_person_id is not None:
            by_person.setdefault(record.master_person_id, []).append(disclosure)
    answer_of = {a.request.id: d for a, d in zip(answers, of_answers, strict=True)}
    # Who else holds a case, so the worker and the MASH know (the first subject's took it).
    cases = routing.open_cases_of(session, contact) if is_manager or worker else {}
    now = clock.now()
    return ContactFile(
        contact=contact,
        account=account,
        people=[
            PersonOnFile(
                subject=s,
                details=d,
                known=known.get(s.id),
                records=by_person.get(s.master_person_id, []) if s.master_person_id else [],
                open_cases=cases.get(s.id, []),
                candidates=[
                    CandidateOnFile(c, candidate_shown[c.agency_record_id])
                    for c in candidates.get(s.id, [])
                ],
                link_decision=s.link_decision if is_manager else None,
            )
            for s, d in zip(contact.subjects, of_subjects, strict=True)
        ],
        research=_research(contact, answer_of, practice, now) if in_mash else [],
        feedback=[
            FeedbackOnFile(t, Lateness.working(practice, t.due_at, t.sent_at or now))
            for t in contact.feedback_tasks
        ],
        decision_lateness=Lateness.working(practice, contact.decision_due_at, now),
        is_manager=is_manager,
        is_allocated_worker=worker,
    )


def _research(
    contact: Contact, answer_of: dict[int, Disclosure], practice: Practice, now: dt.datetime
) -> list[ResearchOnFile]:
    """Each agency's requests, by agency and then round, so its answers read in order."""
    requests = sorted(
        contact.research_requests, key=lambda r: (r.agency.name, r.agency_id, r.round)
    )
    latest = {r.agency_id: r.id for r in requests}  # the last of each agency's, in round order
    return [
        ResearchOnFile(
            r,
            answer_of.get(r.id),
            research_lateness(contact, r, practice, now),
            latest=latest[r.agency_id] == r.id,
        )
        for r in requests
    ]


def _candidates(
    session: Session, actor: Actor, contact: Contact
) -> tuple[dict[int, list[SubjectCandidate]], list[AgencyRecord]]:
    """For a MASH manager, the model's candidates for each person named that intake did not
    link and no manager has decided about (by subject id), and the records that scored best
    for them, to disclose."""
    unlinked = {
        s.id for s in contact.subjects if s.master_person_id is None and s.link_decision is None
    }
    found = {
        subject_id: candidates
        for subject_id, candidates in queries.people_index_candidates(
            session, actor, contact
        ).items()
        if subject_id in unlinked
    }
    ids = {c.agency_record_id for candidates in found.values() for c in candidates}
    if not ids:
        return {}, []
    records = list(
        session.scalars(
            select(AgencyRecord).where(AgencyRecord.id.in_(ids)).order_by(AgencyRecord.id)
        )
    )
    return found, records


def _agency_records(session: Session, contact: Contact) -> list[AgencyRecord]:
    people = {s.master_person_id for s in contact.subjects if s.master_person_id is not None}
    if not people:
        return []
    return list(
        session.scalars(
            select(AgencyRecord)
            .where(AgencyRecord.master_person_id.in_(people))
            .order_by(AgencyRecord.master_person_id, AgencyRecord.agency_id, AgencyRecord.id)
        )
    )
