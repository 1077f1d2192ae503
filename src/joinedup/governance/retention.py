"""The retention job: anonymise contacts past their agreements' retention period, and delete
drafts of contacts their authors abandoned. The one place personal data is removed (DESIGN
invariant 4), and on the ledger every time it runs.

**What is due.** A contact, once decided, is kept for the retention period of its purpose
(children or adults at risk, as the gate decides it: frontdoor.disclosure.purpose_of): the
longest period of the agreements ever in force for that purpose (rules.retention_periods). A
contact routed to the allocated worker of an open social care case (and never brought back)
has no decision: its period runs from the day its case closed. A contact still open is never
due: it is work in progress, and so is a routed contact while its case is open. A purpose no
agreement was ever in force for keeps its contacts, and the run says so. A draft untouched
for the policy's `drafts_after` (30 days) is abandoned.

**What anonymising removes.** Everything that could say who the contact was about or what
was said: every person's names, dates, identifiers, address and relationship, and their link
to the people index; the referrer's account; the rating reasons, research questions and
answers, the decision's rationale and reasons, the messages to the referrer, a manager's
reason for bringing a routed contact back into the MASH, the allocated worker's note on
accepting one, and a manager's reason for deciding who a person named is, with whom it linked
them (free text may name anyone). **What
stays:** references, codes (rating, outcome, concerns, urgency, consent), clocks and times,
who worked it (staff act in their jobs), the case it was routed to, the domain events and
the ledger, so insight and the audit chain survive. Each contact gets a row in
`anonymised_contacts`, a `contact.anonymised` domain event, and its version moves on, so a
stale page cannot write over it. Agency records are not touched: each agency's extract is its
own, and follows its own retention (see docs/governance.md); nor are social care's cases (its
case-management system's export), which a routed contact still points at, as its
contact.routed event does.

A run is one transaction: everything due, or nothing. A second run finds nothing more to do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, selectinload

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.services import record
from joinedup.frontdoor.case_models import ContactRouting, SocialCareCase
from joinedup.frontdoor.disclosure import purpose_of
from joinedup.frontdoor.drafts import ContactDraft
from joinedup.frontdoor.link_models import SubjectLinkDecision
from joinedup.frontdoor.models import (
    Contact,
    ContactDecision,
    ContactSubject,
    DomainEvent,
    FeedbackTask,
    Rating,
    ResearchRequest,
)
from joinedup.frontdoor.rules import ContactStatus
from joinedup.governance.models import AnonymisedContact
from joinedup.governance.queries import agreement_periods
from joinedup.governance.rules import (
    GovernanceError,
    RetentionClock,
    RetentionPeriod,
    RetentionPolicy,
    is_due,
    retention_periods,
)
from joinedup.sharing.inputs import is_operator
from joinedup.sharing.rules import Purpose

# What stands where personal data was: it says what happened, and names no one.
ANONYMISED = "Anonymised by the retention job when the agreement's retention period ended."
ANONYMISED_NAME = "Anonymised"
# IN lists this long at most: well inside every database's limit on bound parameters.
_CHUNK = 500
T = TypeVar("T")


@dataclass(frozen=True)
class ContactDue:
    contact_id: int
    reference: str
    purpose: Purpose
    clock: RetentionClock  # what started its period: its decision, or its case's closure
    started_at: dt.datetime
    people: int  # the people it names, all anonymised with it
    period: RetentionPeriod


@dataclass(frozen=True)
class RetentionRun:
    """What a run found due (and, unless it was a dry run, did)."""

    at: dt.datetime
    policy: RetentionPolicy
    periods: dict[Purpose, RetentionPeriod]
    contacts: list[ContactDue]
    drafts: list[str]  # ids of abandoned drafts
    audit_entry_id: int | None = None  # None: a dry run, nothing was changed

    @property
    def people(self) -> int:
        return sum(c.people for c in self.contacts)

    def ledger_detail(self) -> dict[str, Any]:
        """What the ledger keeps of a run: counts and ids, never anyone's details."""
        return {
            "contacts_anonymised": len(self.contacts),
            "contact_ids": [c.contact_id for c in self.contacts],
            # Those routed to a social care case, due from its closure rather than a decision.
            "contact_ids_from_case_closed": [
                c.contact_id for c in self.contacts if c.clock == RetentionClock.CASE_CLOSED
            ],
            "people_anonymised": self.people,
            "drafts_deleted": len(self.drafts),
            "draft_ids": self.drafts,
            "drafts_after_days": self.policy.drafts_after.days,
            "periods": {
                purpose.value: {"agreement_id": p.agreement_id, "days": p.days}
                for purpose, p in sorted(self.periods.items())
            },
        }


def plan_retention(session: Session, policy: RetentionPolicy) -> RetentionRun:
    """What is due now, changing nothing (a dry run)."""
    at = clock.now()
    periods = retention_periods(agreement_periods(session))
    contacts: list[ContactDue] = []
    if periods:
        cutoff = at - min(p.length for p in periods.values())
        started = _decided_before(session, cutoff) + _case_closed_before(session, cutoff)
        for contact, clock_, started_at in sorted(started, key=lambda s: (s[2], s[0].id)):
            purpose = purpose_of(contact)
            period = periods.get(purpose)
            if period is not None and is_due(started_at, period, at):
                contacts.append(
                    ContactDue(
                        contact.id,
                        contact.reference,
                        purpose,
                        clock_,
                        started_at,
                        len(contact.subjects),
                        period,
                    )
                )
    drafts = list(
        session.scalars(
            select(ContactDraft.id)
            .where(ContactDraft.updated_at <= at - policy.drafts_after)
            .order_by(ContactDraft.updated_at, ContactDraft.id)
        )
    )
    return RetentionRun(at, policy, periods, contacts, drafts)


def run_retention(session: Session, actor: Actor, policy: RetentionPolicy) -> RetentionRun:
    """Anonymise every contact due and delete every abandoned draft, record the run on the
    ledger, and commit once. Only an operator's command runs it (GovernanceError otherwise)."""
    if not is_operator(actor):
        raise GovernanceError("The retention job runs only as an operator's command")
    plan = plan_retention(session, policy)
    entry = record(
        session,
        actor,
        "system:retention:ran",
        "retention_run",
        plan.at.isoformat(),
        **plan.ledger_detail(),
    )
    for due in _chunks(plan.contacts):
        _anonymise(session, actor, plan.at, due, entry.id)
    for drafts in _chunks(plan.drafts):
        session.execute(
            delete(ContactDraft).where(
                ContactDraft.id.in_(drafts),
                # Not one its author came back to while the job ran.
                ContactDraft.updated_at <= plan.at - policy.drafts_after,
            ),
            execution_options={"synchronize_session": False},
        )
    session.commit()
    session.expire_all()  # the rows changed beneath any objects the session held
    return replace(plan, audit_entry_id=entry.id)


def _anonymise(
    session: Session, actor: Actor, at: dt.datetime, due: Sequence[ContactDue], entry_id: int
) -> None:
    ids = [c.contact_id for c in due]
    changes: list[tuple[Any, Any, dict[str, Any]]] = [
        (
            ContactSubject,
            ContactSubject.contact_id.in_(ids),
            dict.fromkeys(
                (
                    "given_name",
                    "given_name_norm",
                    "family_name_norm",
                    "date_of_birth",
                    "due_date",
                    "nhs_number",
                    "upn",
                    "address",
                    "postcode",
                    "relationship_to_subject",
                    "master_person_id",
                ),
            )
            | {"family_name": ANONYMISED_NAME},
        ),
        (
            Contact,
            Contact.id.in_(ids),
            {"what_happened": ANONYMISED, "updated_at": at, "version": Contact.version + 1},
        ),
        (Rating, Rating.contact_id.in_(ids), {"reason": ANONYMISED}),
        (ResearchRequest, ResearchRequest.contact_id.in_(ids), {"question": ANONYMISED}),
        # An answer stays an answer (the table holds a summary exactly when answered).
        (
            ResearchRequest,
            ResearchRequest.contact_id.in_(ids) & ResearchRequest.summary.is_not(None),
            {"summary": ANONYMISED},
        ),
        (ContactDecision, ContactDecision.contact_id.in_(ids), {"rationale": ANONYMISED}),
        (
            ContactDecision,
            ContactDecision.contact_id.in_(ids) & ContactDecision.no_strategy_reason.is_not(None),
            {"no_strategy_reason": ANONYMISED},
        ),
        (
            FeedbackTask,
            FeedbackTask.contact_id.in_(ids) & FeedbackTask.message.is_not(None),
            {"message": ANONYMISED},
        ),
        # A contact brought back into the MASH keeps when and by whom; the reason may name
        # anyone ("the wrong Jade Smith"). ANONYMISED stands in: the table requires a reason then.
        (
            ContactRouting,
            ContactRouting.contact_id.in_(ids) & ContactRouting.brought_back_reason.is_not(None),
            {"brought_back_reason": ANONYMISED},
        ),
        # Likewise who accepted it and when stay; the worker's note goes.
        (
            ContactRouting,
            ContactRouting.contact_id.in_(ids) & ContactRouting.accepted_note.is_not(None),
            {"accepted_note": ANONYMISED},
        ),
        # A manager's decision on who a person named is keeps who and when; the reason may
        # name anyone, and whom it linked them to goes as the person's own link does.
        (
            SubjectLinkDecision,
            SubjectLinkDecision.contact_subject_id.in_(
                select(ContactSubject.id).where(ContactSubject.contact_id.in_(ids))
            ),
            {"reason": ANONYMISED, "master_person_id": None},
        ),
    ]
    for table, where, values in changes:
        session.execute(
            update(table).where(where).values(**values),
            execution_options={"synchronize_session": False},
        )
    session.execute(
        insert(AnonymisedContact),
        [
            {
                "contact_id": c.contact_id,
                "anonymised_at": at,
                "purpose": c.purpose.value,
                "agreement_id": c.period.agreement_id,
                "retention_days": c.period.days,
                "audit_entry_id": entry_id,
            }
            for c in due
        ],
    )
    session.execute(
        insert(DomainEvent),
        [
            {
                "type": "contact.anonymised",
                "contact_id": c.contact_id,
                "at": at,
                "actor_user_id": actor.user_id,
                "actor_professional_id": actor.professional_id,
                "actor_agency_id": actor.agency_id,
                "actor_label": actor.label,
                "payload": {
                    "reference": c.reference,
                    "purpose": c.purpose.value,
                    "agreement_id": c.period.agreement_id,
                    "retention_days": c.period.days,
                    "from": c.clock.value,
                    "people": c.people,
                },
            }
            for c in due
        ],
    )


Started = tuple[Contact, RetentionClock, dt.datetime]


def _decided_before(session: Session, cutoff: dt.datetime) -> list[Started]:
    """Decided contacts not yet anonymised, decided at or before `cutoff`."""
    done = select(AnonymisedContact.contact_id)
    query = (
        select(Contact, ContactDecision.decided_at)
        .join(ContactDecision, ContactDecision.contact_id == Contact.id)
        .where(ContactDecision.decided_at <= cutoff, Contact.id.not_in(done))
        .options(selectinload(Contact.subjects))
    )
    return [(c, RetentionClock.DECISION, at) for c, at in session.execute(query)]


def _case_closed_before(session: Session, cutoff: dt.datetime) -> list[Started]:
    """Contacts still routed to an allocated worker (never brought back into the MASH), not
    yet anonymised, whose case closed at or before `cutoff` (rules.RetentionClock says why)."""
    done = select(AnonymisedContact.contact_id)
    query = (
        select(Contact, SocialCareCase.closed_at)
        .join(ContactRouting, ContactRouting.contact_id == Contact.id)
        .join(SocialCareCase, SocialCareCase.id == ContactRouting.case_id)
        .where(
            Contact.status == ContactStatus.ROUTED.value,
            SocialCareCase.closed_at <= cutoff,
            Contact.id.not_in(done),
        )
        .options(selectinload(Contact.subjects))
    )
    return [
        (c, RetentionClock.CASE_CLOSED, at) for c, at in session.execute(query) if at is not None
    ]


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
