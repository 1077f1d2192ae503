"""Retention: six years after Jade's contact was decided (the agreement keeps information 2,190
days), the job anonymises it and deletes drafts abandoned for 30 days, and nothing else; a dry
run changes nothing; a second run finds nothing; the ledger records it and still verifies.

Jade's case is tests/governance.py's; the other contacts are decided later, still open, or
about an adult (no agreement for adults, so no retention period).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.checkpoints import verify_ledger
from joinedup.audit.models import AuditEntry
from joinedup.frontdoor import drafts
from joinedup.frontdoor.drafts import ContactDraft
from joinedup.frontdoor.models import Contact, ContactSubject, DomainEvent
from joinedup.governance.models import AnonymisedContact
from joinedup.governance.retention import ANONYMISED, plan_retention, run_retention
from joinedup.governance.rules import GovernanceError, RetentionPolicy
from joinedup.governance.sar import export_subject_access
from joinedup.people.models import AgencyRecord
from joinedup.sharing.inputs import today
from joinedup.sharing.rules import Purpose
from tests.frontdoor import PRACTICE, rate
from tests.governance import PERSONAL, WHAT_HAPPENED, JadeCase

OPERATOR = Actor.system("retention run")
POLICY = RetentionPolicy()
SIX_YEARS = dt.timedelta(days=2190)


@dataclass
class Hub:
    case: JadeCase
    later: Contact  # decided ten days after Jade's
    still_open: Contact  # rated, never decided
    adult: Contact  # decided, but no agreement covers adults
    old_draft: str  # Alice's, untouched since the start
    new_draft: str  # Hana's, saved just before the run


@pytest.fixture
def hub(db: Session, frozen_clock: clock.Clock) -> Hub:
    case = JadeCase(db, today())
    drafts.start_draft(db, case.alice)
    drafts.save_answers(db, case.alice, {"what_happened": "Started, never sent"})
    frozen_clock.advance(dt.timedelta(days=10))
    later = case.raise_concern()
    case.work_it(later)
    still_open = case.raise_concern()
    rate(db, case.bob, still_open, "green", "Low level")
    adult = case.raise_concern(
        subjects=[{"kind": "adult", "given_name": "Ann", "family_name": "Lee"}]
    )
    case.work_it(adult)
    frozen_clock.advance(SIX_YEARS - dt.timedelta(days=10) + dt.timedelta(hours=1))
    drafts.start_draft(db, case.hana)
    drafts.save_answers(db, case.hana, {"what_happened": "Writing it now"})
    old, new = (drafts.own_draft(db, who) for who in (case.alice, case.hana))
    assert old is not None and new is not None
    return Hub(case, later, still_open, adult, old.id, new.id)


def snapshot(db: Session) -> list[tuple[object, ...]]:
    """Every contact's account and people as stored, and the drafts and ledger, to compare."""
    db.expire_all()
    contacts = db.execute(select(Contact.id, Contact.what_happened, Contact.version)).all()
    people = db.execute(
        select(ContactSubject.id, ContactSubject.given_name, ContactSubject.nhs_number)
    ).all()
    drafts_held = db.scalars(select(ContactDraft.id)).all()
    ledger = db.scalar(select(func.count()).select_from(AuditEntry))
    return [*map(tuple, contacts), *map(tuple, people), tuple(sorted(drafts_held)), (ledger,)]


def test_a_dry_run_says_what_is_due_and_changes_nothing(db: Session, hub: Hub) -> None:
    before = snapshot(db)

    plan = plan_retention(db, POLICY)

    assert [c.reference for c in plan.contacts] == [hub.case.contact.reference]
    assert plan.people == 2  # Jade and Dean
    assert plan.periods[Purpose.SAFEGUARDING_CHILDREN].agreement_id == hub.case.agreement.id
    assert Purpose.SAFEGUARDING_ADULTS not in plan.periods  # the adult's contact is kept
    assert plan.drafts == [hub.old_draft]
    assert plan.audit_entry_id is None
    assert snapshot(db) == before
    assert db.scalar(select(func.count()).select_from(AnonymisedContact)) == 0


def test_a_run_anonymises_exactly_the_contact_due_and_keeps_its_codes_clocks_and_events(
    db: Session, hub: Hub
) -> None:
    jade_contact = hub.case.contact
    version = jade_contact.version

    done = run_retention(db, OPERATOR, POLICY)

    assert [c.contact_id for c in done.contacts] == [jade_contact.id]
    contact = db.get(Contact, jade_contact.id)
    assert contact is not None
    assert (contact.what_happened, contact.version) == (ANONYMISED, version + 1)
    for person in contact.subjects:
        assert person.family_name == "Anonymised"
        assert person.given_name is None and person.nhs_number is None
        assert person.date_of_birth is None and person.relationship_to_subject is None
        assert person.master_person_id is None
    assert [r.reason for r in contact.ratings] == [ANONYMISED]
    assert [(r.question, r.summary) for r in contact.research_requests] == [
        (ANONYMISED, ANONYMISED)
    ]
    assert contact.decision is not None and contact.decision.rationale == ANONYMISED
    assert {f.message for f in contact.feedback_tasks} == {ANONYMISED}
    # What insight and the audit chain need stays.
    assert contact.reference == jade_contact.reference
    assert contact.current_rating is not None and contact.current_rating.rating == "amber"
    assert contact.decision.outcome == "information_and_advice"
    assert [s.kind for s in contact.subjects] == ["child", "adult"]
    marker = db.get(AnonymisedContact, contact.id)
    assert marker is not None
    assert (marker.agreement_id, marker.retention_days) == (hub.case.agreement.id, 2190)
    assert (
        db.scalar(
            select(func.count())
            .select_from(DomainEvent)
            .where(DomainEvent.contact_id == contact.id, DomainEvent.type == "contact.anonymised")
        )
        == 1
    )
    # Nothing else: the later, the open and the adult's contacts, and the police's record.
    for kept in (hub.later, hub.still_open, hub.adult):
        assert db.get(Contact, kept.id).what_happened == WHAT_HAPPENED  # type: ignore[union-attr]
    assert db.get(AgencyRecord, hub.case.jade_record.id).given_name == "Jade"  # type: ignore[union-attr]
    assert set(db.scalars(select(ContactDraft.id))) == {hub.new_draft}


def test_the_run_is_on_the_ledger_with_counts_and_ids_and_the_ledger_still_verifies(
    db: Session, hub: Hub
) -> None:
    done = run_retention(db, OPERATOR, POLICY)

    entry = db.get(AuditEntry, done.audit_entry_id)
    assert entry is not None
    assert (entry.action, entry.object_type) == ("system:retention:ran", "retention_run")
    detail = json.loads(entry.detail)
    assert detail["contact_ids"] == [hub.case.contact.id]
    assert (detail["contacts_anonymised"], detail["people_anonymised"]) == (1, 2)
    assert (detail["drafts_deleted"], detail["draft_ids"]) == (1, [hub.old_draft])
    assert detail["periods"] == {
        "safeguarding_children": {"agreement_id": hub.case.agreement.id, "days": 2190}
    }
    assert not [word for word in PERSONAL if word in entry.detail]
    assert verify_ledger(db).intact


def test_a_second_run_finds_nothing_more_to_do(db: Session, hub: Hub) -> None:
    run_retention(db, OPERATOR, POLICY)
    after_first = snapshot(db)

    again = run_retention(db, OPERATOR, POLICY)

    assert (again.contacts, again.drafts) == ([], [])
    assert snapshot(db)[:-1] == after_first[:-1]  # only the second run's own ledger entry
    assert snapshot(db)[-1] == (after_first[-1][0] + 1,)  # type: ignore[operator]


def test_after_retention_a_subject_access_export_no_longer_holds_the_contact(
    db: Session, hub: Hub
) -> None:
    run_retention(db, OPERATOR, POLICY)

    made = export_subject_access(db, hub.case.ian, hub.case.reference, PRACTICE, form="json")

    assert [c["reference"] for c in made.document["contacts"]] == [
        hub.later.reference,
        hub.still_open.reference,
    ]


def test_only_an_operators_command_runs_the_job(db: Session, hub: Hub) -> None:
    with pytest.raises(GovernanceError, match="only as an operator's command"):
        run_retention(db, hub.case.ian, POLICY)
