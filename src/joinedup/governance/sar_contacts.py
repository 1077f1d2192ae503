"""The contacts a subject access export holds: every concern naming the person, as the subject
or as a household member, with its ratings, partners' research, the decision and the feedback,
and its routing to a social care case's allocated worker (sar_cases).

A contact is shared work about several people. The person's own details are theirs; everyone
else it names, the referrer, the staff who worked it and every professional's free text are
marked for review (rules.for_review), and a partner's answer is its agency's information.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from joinedup.directory.models import Professional
from joinedup.directory.rules import AgencyKind
from joinedup.frontdoor.case_models import ContactRouting, SocialCareCase
from joinedup.frontdoor.link_models import SubjectLinkDecision
from joinedup.frontdoor.models import (
    Contact,
    ContactDecision,
    ContactSubject,
    DecisionAgency,
    FeedbackTask,
    Rating,
    ResearchRequest,
)
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import ContactStatus, SubjectRole
from joinedup.governance import sar_cases
from joinedup.governance.queries import PersonHeld
from joinedup.governance.rules import ReviewReason, exemption_to_consider, for_review
from joinedup.sharing.redaction import HOLDING_CATEGORY

R = ReviewReason
PERSON_FIELDS = (
    "kind",
    "given_name",
    "family_name",
    "date_of_birth",
    "due_date",
    "nhs_number",
    "upn",
    "address",
    "postcode",
    "relationship_to_subject",
)
ROLE_WORDS = {
    SubjectRole.SUBJECT: "the person the concern is about",
    SubjectRole.HOUSEHOLD_MEMBER: "a member of the household",
}


@dataclass(frozen=True)
class ContactsHeld:
    sections: list[dict[str, Any]]
    own_details: list[dict[str, Any]]  # the person as each contact names them
    subject_ids: list[int]  # the person's own rows in contacts
    contact_ids: list[int]
    # What the gate names on the ledger, and how an export names it: the person's own rows,
    # the contacts' accounts and the partners' answers. {(object type, object id): words}
    records: dict[tuple[str, str], str]


def contacts(session: Session, held: PersonHeld, practice: Practice) -> ContactsHeld:
    """Every contact naming the person: linked to them, or by their NHS number when the contact
    was not linked to anyone. Oldest first."""
    own = list(
        session.scalars(
            select(ContactSubject)
            .where(
                or_(
                    ContactSubject.master_person_id.in_(held.people),
                    and_(
                        ContactSubject.master_person_id.is_(None),
                        ContactSubject.nhs_number.in_(held.nhs_numbers),
                    ),
                )
            )
            .order_by(ContactSubject.id)
        )
    )
    own_ids = {s.id for s in own}
    found = session.scalars(
        select(Contact)
        .where(Contact.id.in_({s.contact_id for s in own}))
        .order_by(Contact.received_at, Contact.id)
        .options(
            selectinload(Contact.subjects)
            .selectinload(ContactSubject.link_decision)
            .selectinload(SubjectLinkDecision.decided_by),
            selectinload(Contact.concerns),
            selectinload(Contact.referrer).selectinload(Professional.agency),
            selectinload(Contact.ratings).selectinload(Rating.rated_by),
            selectinload(Contact.research_requests).selectinload(ResearchRequest.agency),
            selectinload(Contact.research_requests).selectinload(ResearchRequest.requested_by),
            selectinload(Contact.research_requests).selectinload(ResearchRequest.answered_by),
            selectinload(Contact.decision).selectinload(ContactDecision.decided_by),
            selectinload(Contact.decision)
            .selectinload(ContactDecision.agencies)
            .selectinload(DecisionAgency.agency),
            selectinload(Contact.feedback_tasks).selectinload(FeedbackTask.sent_by),
            selectinload(Contact.routing)
            .selectinload(ContactRouting.case)
            .selectinload(SocialCareCase.agency),
            selectinload(Contact.routing).selectinload(ContactRouting.brought_back_by),
            selectinload(Contact.routing).selectinload(ContactRouting.accepted_by),
        )
    ).all()
    workers = sar_cases.workers(session, (c.routing for c in found))
    return ContactsHeld(
        sections=[
            {
                **_contact(c, own_ids, practice),
                "routing": _routing(c.routing, held, workers),
            }
            for c in found
        ],
        own_details=[_person(s) for s in own],
        subject_ids=sorted(own_ids),
        contact_ids=[c.id for c in found],
        records={
            **{
                ("contact_subject", str(s.id)): f"their details in contact {c.reference}"
                for c in found
                for s in c.subjects
                if s.id in own_ids
            },
            **{("contact", str(c.id)): f"the account in contact {c.reference}" for c in found},
            **{
                ("research_answer", str(r.id)): f"the answer from {r.agency.name} in {c.reference}"
                for c in found
                for r in c.research_requests
                if not r.is_open
            },
        },
    )


def _contact(contact: Contact, own_ids: set[int], practice: Practice) -> dict[str, Any]:
    theirs = [s for s in contact.subjects if s.id in own_ids]
    referrer_agency = contact.referrer.agency.name
    return {
        "reference": contact.reference,
        "received_at": contact.received_at.isoformat(),
        "channel": contact.channel,
        "status": ContactStatus(contact.status).value,
        "named_as": [ROLE_WORDS[SubjectRole(s.role)] for s in theirs],
        "as_named": [_person(s) for s in theirs],
        # A MASH manager's decision on who they are, among the model's candidates.
        "who_they_are": [_link_decision(s.link_decision) for s in theirs if s.link_decision],
        "concerns": [practice.concern_label(c) for c in contact.concern_categories],
        "urgency": contact.urgency,
        "consent": contact.consent,
        "consent_not_sought_reason": contact.consent_not_sought_reason,
        "referrer": for_review(
            {"name": contact.referrer.name, "agency": referrer_agency}, R.REFERRER
        ),
        "what_happened": for_review(
            contact.what_happened,
            R.FREE_TEXT,
            f"{R.FREE_TEXT.label}. It is {referrer_agency}'s account: they decide any exemption.",
        ),
        "other_people": [
            for_review({"named_as": ROLE_WORDS[SubjectRole(s.role)], **_person(s)}, R.THIRD_PARTY)
            for s in contact.subjects
            if s.id not in own_ids
        ],
        "ratings": [
            {
                "rating": practice.rating_label(r.rating),
                "reason": for_review(r.reason, R.FREE_TEXT),
                "rated_by": for_review(r.rated_by.name, R.STAFF),
                "rated_at": r.rated_at.isoformat(),
                "replaced": r.replaced_by_id is not None,
            }
            for r in contact.ratings
        ],
        "research": [_research(r) for r in contact.research_requests],
        "decision": _decision(contact.decision, practice) if contact.decision else None,
        "feedback": [
            {
                "kind": f.kind,
                "due_at": f.due_at.isoformat(),
                "sent_at": f.sent_at.isoformat() if f.sent_at else None,
                "sent_by": for_review(f.sent_by.name if f.sent_by else None, R.STAFF),
                "message": for_review(f.message, R.FREE_TEXT),
            }
            for f in contact.feedback_tasks
        ],
    }


def _routing(
    routing: ContactRouting | None, held: PersonHeld, workers: dict[int, str]
) -> dict[str, Any] | None:
    """sar_cases.routing_of, and the allocated worker's accepting it: who and when are staff
    acting in their jobs, their note free text that may name anyone."""
    section = sar_cases.routing_of(routing, held, workers)
    if routing is None or section is None:
        return section
    return {
        **section,
        "accepted_into_the_case_at": (
            routing.accepted_at.isoformat() if routing.accepted_at else None
        ),
        "accepted_by": for_review(
            routing.accepted_by.name if routing.accepted_by else None, R.STAFF
        ),
        "note_on_accepting": for_review(routing.accepted_note, R.FREE_TEXT),
    }


def _research(request: ResearchRequest) -> dict[str, Any]:
    agency = request.agency.name
    exemption = exemption_to_consider(HOLDING_CATEGORY[AgencyKind(request.agency.kind)])
    return {
        "agency": agency,
        "round": request.round,  # 2 and on: follow-up questions to an agency that had answered
        "asked_by": for_review(request.requested_by.name, R.STAFF),
        "asked_at": request.requested_at.isoformat(),
        "due_at": request.due_at.isoformat(),
        "question": for_review(request.question, R.FREE_TEXT),
        "answered_at": request.answered_at.isoformat() if request.answered_at else None,
        "answered_by": for_review(
            request.answered_by.name if request.answered_by else None, R.STAFF
        ),
        "answer": for_review(
            request.summary,
            R.OWNER_EXEMPTION,
            f"An answer from {agency}, which may also name other people"
            + (f": {agency} considers {exemption}" if exemption else ""),
        ),
        "sensitivity": request.sensitivity,
        "may_share_beyond_mash": request.may_share_beyond_mash,
    }


def _decision(decision: ContactDecision, practice: Practice) -> dict[str, Any]:
    return {
        "outcome": practice.outcome_label(decision.outcome),
        "rationale": for_review(decision.rationale, R.FREE_TEXT),
        "harm_indicated": decision.harm_indicated,
        "no_strategy_reason": for_review(decision.no_strategy_reason, R.FREE_TEXT),
        "decided_by": for_review(decision.decided_by.name, R.STAFF),
        "decided_at": decision.decided_at.isoformat(),
        "agencies": [
            {"agency": a.agency.name, "took_part": a.took_part, "invited": a.invited}
            for a in decision.agencies
        ],
    }


def _link_decision(decision: SubjectLinkDecision) -> dict[str, Any]:
    return {
        "decided": "linked to the people index: the same person as candidate "
        f"{decision.candidate_rank} of {decision.candidates}"
        if decision.linked
        else f"none of the {decision.candidates} candidates is this person",
        "reason": for_review(decision.reason, R.FREE_TEXT),
        "decided_by": for_review(decision.decided_by.name, R.STAFF),
        "decided_at": decision.decided_at.isoformat(),
    }


def _person(subject: ContactSubject) -> dict[str, Any]:
    values = {name: getattr(subject, name) for name in PERSON_FIELDS}
    return {
        name: value.isoformat() if hasattr(value, "isoformat") else value
        for name, value in values.items()
        if value is not None
    }
