"""Retention of contacts routed to an allocated social worker (domain.md step 2): the MASH never
decides them, so their period runs from the day their case closed (rules.RetentionClock says
why). Past it, the job anonymises them as it does decided contacts; before it, or while the
case is open, it leaves them alone; a manager's reason for bringing one back is anonymised
with its contact. On both databases.

tests/governance_cases.py: Sam, at children's services, holds Jade's case and Kai's.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.checkpoints import verify_ledger
from joinedup.audit.models import AuditEntry
from joinedup.frontdoor import decisions
from joinedup.frontdoor.case_models import ContactRouting
from joinedup.frontdoor.models import Contact, ContactSubject, DomainEvent, FeedbackTask
from joinedup.governance.models import AnonymisedContact
from joinedup.governance.retention import ANONYMISED, plan_retention, run_retention
from joinedup.governance.rules import RetentionClock, RetentionPolicy
from joinedup.governance.sar import export_subject_access
from joinedup.sharing.inputs import today
from tests.frontdoor import PRACTICE
from tests.governance import PERSONAL, WHAT_HAPPENED
from tests.governance_cases import BROUGHT_BACK, JADE, KAI, JadeWithCases

OPERATOR = Actor.system("retention run")
POLICY = RetentionPolicy()
SIX_YEARS = dt.timedelta(days=2190)
ACKNOWLEDGED = "Thank you: Jade's social worker, Sam, will call you today."


@dataclass
class Hub:
    case: JadeWithCases
    routed: Contact  # about Jade: with Sam, whose case for Jade closed ten days later
    brought_back: Contact  # about Kai: routed, brought back into the MASH and decided
    still_open: Contact  # about Kai: with Sam, whose case for Kai is still open
    closed_at: dt.datetime  # the start of the day Jade's case closed


@pytest.fixture
def hub(db: Session, frozen_clock: clock.Clock, tmp_path: Path) -> Hub:
    case = JadeWithCases(db, today(), tmp_path)
    routed = case.about(JADE)
    (acknowledgement,) = routed.feedback_tasks
    decisions.send_feedback(db, case.bob, acknowledgement.id, ACKNOWLEDGED)
    brought_back = case.about(KAI)
    case.bring_back(brought_back)
    case.work_it(brought_back)
    still_open = case.about(KAI)
    assert [c.status for c in (routed, brought_back, still_open)] == [
        "routed",
        "decided",
        "routed",
    ]
    case.accept(routed)  # Sam takes it into her case's work, so it stays with the case
    frozen_clock.advance(dt.timedelta(days=10))
    case.cases(jade_closed_on=today(), kai_closed_on=None)
    assert routed.routing is not None
    db.refresh(routed.routing.case)
    closed_at = routed.routing.case.closed_at
    assert closed_at is not None
    return Hub(case, routed, brought_back, still_open, closed_at)


def stored(db: Session, contact: Contact) -> tuple[object, ...]:
    """A contact's account, version, people, feedback and routing, as the database holds them."""
    db.expire_all()
    found = db.get(Contact, contact.id)
    assert found is not None
    people = db.execute(
        select(
            ContactSubject.given_name, ContactSubject.nhs_number, ContactSubject.master_person_id
        )
        .where(ContactSubject.contact_id == contact.id)
        .order_by(ContactSubject.id)
    ).all()
    messages = db.scalars(
        select(FeedbackTask.message).where(FeedbackTask.contact_id == contact.id)
    ).all()
    routing = db.execute(
        select(
            ContactRouting.case_id,
            ContactRouting.worker_id,
            ContactRouting.brought_back_at,
            ContactRouting.brought_back_reason,
        ).where(ContactRouting.contact_id == contact.id)
    ).one()
    return (found.what_happened, found.version, *map(tuple, people), *messages, tuple(routing))


def test_a_routed_contact_is_kept_until_its_period_since_its_case_closed_has_passed(
    db: Session, hub: Hub, frozen_clock: clock.Clock
) -> None:
    # Six years after the decisions made at the start, but not yet after Jade's case closed.
    frozen_clock.set(hub.closed_at + SIX_YEARS - dt.timedelta(hours=1))
    routed_before = stored(db, hub.routed)

    done = run_retention(db, OPERATOR, POLICY)

    assert {c.contact_id for c in done.contacts} == {hub.case.contact.id, hub.brought_back.id}
    assert {c.clock for c in done.contacts} == {RetentionClock.DECISION}
    assert stored(db, hub.routed) == routed_before
    assert stored(db, hub.routed)[0] == WHAT_HAPPENED
    # The contact brought back was decided: its decision started its period, and the reason
    # Bob gave for bringing it back is free text, anonymised with it; when and who stay.
    back = db.get(ContactRouting, hub.brought_back.routing.id)  # type: ignore[union-attr]
    assert back is not None
    assert back.brought_back_reason == ANONYMISED
    assert back.brought_back_by_professional_id == hub.case.bob.professional_id
    assert back.brought_back_at is not None


def test_past_its_period_a_routed_contact_is_anonymised_with_its_free_text_and_keeps_its_case(
    db: Session, hub: Hub, frozen_clock: clock.Clock
) -> None:
    frozen_clock.set(hub.closed_at + SIX_YEARS + dt.timedelta(hours=1))
    version = hub.routed.version
    still_open_before = stored(db, hub.still_open)

    plan = plan_retention(db, POLICY)
    (due,) = [c for c in plan.contacts if c.contact_id == hub.routed.id]
    assert (due.clock, due.started_at) == (RetentionClock.CASE_CLOSED, hub.closed_at)
    done = run_retention(db, OPERATOR, POLICY)

    assert hub.routed.id in {c.contact_id for c in done.contacts}
    what_happened, after_version, *rest = stored(db, hub.routed)
    assert (what_happened, after_version) == (ANONYMISED, version + 1)
    (person, acknowledgement, routing) = rest
    assert person == (None, None, None)  # no name, no NHS number, no link to Jade
    assert acknowledgement == ANONYMISED
    # Who it went to and which case stay: social care's record, and the contact's history.
    assert routing == (
        hub.routed.routing.case_id,  # type: ignore[union-attr]
        hub.case.sam.professional_id,
        None,
        None,
    )
    marker = db.get(AnonymisedContact, hub.routed.id)
    assert marker is not None and marker.retention_days == 2190
    (event,) = db.scalars(
        select(DomainEvent.payload).where(
            DomainEvent.contact_id == hub.routed.id, DomainEvent.type == "contact.anonymised"
        )
    )
    assert event["from"] == "case_closed"
    # Kai's case is open: the contact with Sam about him is work in progress.
    assert stored(db, hub.still_open) == still_open_before


def test_the_ledger_records_the_routed_contact_and_a_second_run_changes_nothing(
    db: Session, hub: Hub, frozen_clock: clock.Clock
) -> None:
    frozen_clock.set(hub.closed_at + SIX_YEARS + dt.timedelta(hours=1))

    done = run_retention(db, OPERATOR, POLICY)
    after = [stored(db, c) for c in (hub.routed, hub.brought_back, hub.still_open)]
    again = run_retention(db, OPERATOR, POLICY)

    entry = db.get(AuditEntry, done.audit_entry_id)
    assert entry is not None and entry.action == "system:retention:ran"
    detail = json.loads(entry.detail)
    assert set(detail["contact_ids"]) == {
        hub.case.contact.id,
        hub.brought_back.id,
        hub.routed.id,
    }
    assert detail["contact_ids_from_case_closed"] == [hub.routed.id]
    assert not [word for word in (*PERSONAL, BROUGHT_BACK) if word in entry.detail]
    assert again.contacts == []
    assert [stored(db, c) for c in (hub.routed, hub.brought_back, hub.still_open)] == after
    assert db.scalar(select(func.count()).select_from(AnonymisedContact)) == 3
    assert verify_ledger(db).intact


def test_a_case_reopened_before_its_period_ended_keeps_its_routed_contacts(
    db: Session, hub: Hub, frozen_clock: clock.Clock
) -> None:
    hub.case.cases(jade_closed_on=None, kai_closed_on=None)  # the next export reopens it
    frozen_clock.set(hub.closed_at + SIX_YEARS + dt.timedelta(hours=1))

    done = run_retention(db, OPERATOR, POLICY)

    assert hub.routed.id not in {c.contact_id for c in done.contacts}
    assert stored(db, hub.routed)[0] == WHAT_HAPPENED


def test_after_retention_her_export_holds_her_case_but_not_the_contact_routed_to_it(
    db: Session, hub: Hub, frozen_clock: clock.Clock
) -> None:
    frozen_clock.set(hub.closed_at + SIX_YEARS + dt.timedelta(hours=1))
    run_retention(db, OPERATOR, POLICY)

    made = export_subject_access(db, hub.case.ian, hub.case.reference, PRACTICE, form="json")

    assert hub.routed.reference not in {c["reference"] for c in made.document["contacts"]}
    # The case is children's services' record, kept under its own schedule, not the hub's.
    assert [c["case_reference"] for c in made.document["social_care_cases"]] == ["CIN-100"]
