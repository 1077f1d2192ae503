"""A MASH manager deciding who a person a contact names is, among the model's candidates.

With a trained model, intake links a person named to the people index when the model is sure,
and keeps every master person at or above the review threshold as a candidate
(matching.record_candidates). For someone it did not link, a MASH manager judges the
candidates on the contact's page, each by the record that scored best, and decides: the same
person as one of them (`link_subject`), or none of them (`none_of_the_candidates`), always with
the reason. Either way the decision is kept, once: linking fills the subject's
master_person_id, so the contact's page shows them as known (the partners' records of them,
their open cases) and the gate counts them among the contact's people; none of them stops the
candidates being offered.

Linking does not route the contact again (routing.py decides only as a contact arrives): a
contact already with the MASH stays there, and the manager, who now sees the person's open
cases on its page, decides where it goes from here.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.directory.rules import Role
from joinedup.frontdoor.link_models import SubjectLinkDecision
from joinedup.frontdoor.models import Contact, ContactSubject, DomainEvent, SubjectCandidate
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import REASON_LENGTH, FrontDoorError, spoken_time
from joinedup.frontdoor.services import ConcurrentChange, ContactNotFound, claim, record_event
from joinedup.people.models import AgencyRecord


def link_subject(
    session: Session,
    actor: Actor,
    contact_id: int,
    subject_id: int,
    candidate_id: int,
    reason: str,
    expected_version: int,
    practice: Practice,
) -> SubjectLinkDecision:
    """Decide that a person the contact names is the candidate's person, and link them.

    The subject is linked to the master person who holds the candidate's record now (records
    move between master persons as linkage runs and reviewers decide), and the candidate is
    marked linked. Event `contact.matched` (ids and counts), ledger entry
    `manager:contact_subject:linked`. Only a MASH manager may (ContactNotFound to anyone
    else). Raises ConcurrentChange when the contact moved on since expected_version, saying
    who decided whom when that was this person's decision; FrontDoorError naming the field
    for a subject already linked or decided, a candidate not theirs, a record no longer in
    the people index, or a missing or over-long reason. Writes nothing when it raises.
    """
    return _decide(
        session, actor, contact_id, subject_id, candidate_id, reason, expected_version, practice
    )


def none_of_the_candidates(
    session: Session,
    actor: Actor,
    contact_id: int,
    subject_id: int,
    reason: str,
    expected_version: int,
    practice: Practice,
) -> SubjectLinkDecision:
    """Decide that a person the contact names is none of the model's candidates: they are no
    longer offered, and the person stays unlinked. Event `contact.not_matched`, ledger entry
    `manager:contact_subject:not_linked`. Raises as link_subject does."""
    return _decide(session, actor, contact_id, subject_id, None, reason, expected_version, practice)


def _decide(
    session: Session,
    actor: Actor,
    contact_id: int,
    subject_id: int,
    candidate_id: int | None,
    reason: str,
    expected_version: int,
    practice: Practice,
) -> SubjectLinkDecision:
    if not actor.has(Role.MASH_MANAGER) or actor.professional_id is None:
        raise ContactNotFound(contact_id)
    now = clock.now()
    try:
        contact = claim(session, contact_id, expected_version, now, practice)
    except ConcurrentChange as changed:  # claim has rolled back
        raise _decided_meanwhile(session, subject_id) or changed from None
    try:
        _not_anonymised(session, contact)
        subject = _undecided(session, contact, subject_id)
        candidates = candidates_of(session, subject.id)
        chosen = _chosen(candidates, candidate_id)
        person = _person_of(session, chosen) if chosen else None
        reason = _reason(reason, linking=chosen is not None)
    except FrontDoorError:
        session.rollback()  # gives the claimed version back
        raise
    rank = candidates.index(chosen) + 1 if chosen else None
    decision = SubjectLinkDecision(
        contact_subject_id=subject.id,
        linked=chosen is not None,
        master_person_id=person,
        candidate_rank=rank,
        candidates=len(candidates),
        reason=reason,
        decided_by_professional_id=actor.professional_id,
        decided_at=now,
    )
    subject.link_decision = decision
    if chosen is not None:
        subject.master_person_id = person
        chosen.linked = True
    session.flush()
    counts = {"subject_position": subject.position, "candidates": len(candidates)}
    if chosen is not None:
        # As intake's contact.matched, for the chronology: codes, ids and counts.
        record_event(
            session,
            actor,
            "contact.matched",
            contact,
            people_index=1,
            by_manager=True,
            master_person_id=person,
            candidate_rank=rank,
            **counts,
        )
    else:
        record_event(session, actor, "contact.not_matched", contact, by_manager=True, **counts)
    record(
        session,
        actor,
        "manager:contact_subject:linked" if chosen else "manager:contact_subject:not_linked",
        "contact_subject",
        subject.id,
        contact=contact.reference,
        master_person_id=person,
        candidate_rank=rank,
    )
    session.commit()
    return decision


def candidates_of(session: Session, subject_id: int) -> list[SubjectCandidate]:
    """The model's candidates for a person named, best first, as the contact's page shows them."""
    return list(
        session.scalars(
            select(SubjectCandidate)
            .where(SubjectCandidate.contact_subject_id == subject_id)
            .order_by(SubjectCandidate.match_weight.desc(), SubjectCandidate.id)
        )
    )


def _not_anonymised(session: Session, contact: Contact) -> None:
    """The retention job removed who the contact named (its contact.anonymised event says
    so): linking now would name them again."""
    anonymised = session.scalar(
        select(DomainEvent.id).where(
            DomainEvent.contact_id == contact.id, DomainEvent.type == "contact.anonymised"
        )
    )
    if anonymised is not None:
        raise FrontDoorError(
            "This contact was anonymised when its retention period ended: nobody it named can "
            "be linked to the people index now",
            field="candidate",
        )


def _undecided(session: Session, contact: Contact, subject_id: int) -> ContactSubject:
    # Fresh from the database, as the claim that came first: another manager may just have
    # decided.
    subject = session.get(
        ContactSubject,
        subject_id,
        populate_existing=True,
        options=[selectinload(ContactSubject.link_decision)],
    )
    if subject is None or subject.contact_id != contact.id:
        raise FrontDoorError(
            f"Contact {contact.reference} names no person {subject_id}", field="candidate"
        )
    if subject.link_decision is not None or subject.master_person_id is not None:
        raise FrontDoorError(
            "Who this person is has been decided already: the contact's page shows it",
            field="candidate",
        )
    return subject


def _chosen(
    candidates: list[SubjectCandidate], candidate_id: int | None
) -> SubjectCandidate | None:
    if not candidates:
        raise FrontDoorError(
            "The people index put nobody forward for this person, so there is nothing to decide",
            field="candidate",
        )
    if candidate_id is None:
        return None
    chosen = next((c for c in candidates if c.id == candidate_id), None)
    if chosen is None:
        raise FrontDoorError(
            "Select one of the records listed, or None of these", field="candidate"
        )
    return chosen


def _person_of(session: Session, chosen: SubjectCandidate) -> int:
    """Who holds the candidate's record now: the record is what the manager judged."""
    person = session.scalar(
        select(AgencyRecord.master_person_id).where(AgencyRecord.id == chosen.agency_record_id)
    )
    if person is None:
        raise FrontDoorError(
            "That record is no longer linked to anyone in the people index: choose another, "
            "or None of these",
            field="candidate",
        )
    return person


def _reason(reason: str, *, linking: bool) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise FrontDoorError(
            "Enter why this is the same person, like the details that match"
            if linking
            else "Enter why none of these is the same person, like the details that differ",
            field="reason",
        )
    if len(reason) > REASON_LENGTH:
        raise FrontDoorError(
            f"The reason must be {REASON_LENGTH:,} characters or fewer", field="reason"
        )
    return reason


def _decided_meanwhile(session: Session, subject_id: int) -> ConcurrentChange | None:
    """When another manager decided who this person is after the actor read the page: who,
    whom and when (the candidate by its place in the list, which names no one)."""
    decision = session.scalar(
        select(SubjectLinkDecision).where(SubjectLinkDecision.contact_subject_id == subject_id)
    )
    if decision is None:
        return None
    who = f"{decision.decided_by.name} ({decision.decided_by.agency.name})"
    what = (
        f"linked this person to candidate {decision.candidate_rank} of {decision.candidates}"
        if decision.linked
        else "decided that this person is none of the candidates"
    )
    return ConcurrentChange(
        f"{who} {what} at {spoken_time(decision.decided_at)}, after you opened it. Nothing you "
        "sent was saved: their decision and reason are on the contact's page",
        field="version",
    )
