"""The allocated worker's side of a routed contact, on both databases: accepting it into the
case's work, acknowledging the referrer, and what a case import does to contacts not yet
accepted (a closed case brings them back into the MASH; a reallocated one takes them along).

test_frontdoor_routing's county: Alice is a police referrer; Bob the MASH manager; Sam and
Tess children's services' social workers: Sam holds Jade's case (CIN-100), Tess Dean's.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.audit.checkpoints import verify_ledger
from joinedup.audit.models import AuditEntry
from joinedup.frontdoor import decisions, queries, routing, worklists
from joinedup.frontdoor.acceptance import accept_contact
from joinedup.frontdoor.bring_back import CASE_CLOSED, bring_back
from joinedup.frontdoor.case_csv import CasesRejected
from joinedup.frontdoor.cases import import_cases
from joinedup.frontdoor.models import Contact
from joinedup.frontdoor.rules import REASON_LENGTH, ContactStatus, FrontDoorError
from joinedup.frontdoor.services import ConcurrentChange, ContactNotFound
from tests.factories import ADMIN
from tests.frontdoor import PRACTICE, a_contact
from tests.integration.test_frontdoor_routing import (
    DEAN,
    JADE,
    County,
    case,
    child,
    email_of,
    events,
)
from tests.integration.test_frontdoor_routing import county as county  # the fixture

NOTE = "Known to me: I will visit the family today and call the officer."


def routed(db: Session, county: County, nhs_number: str = JADE) -> Contact:
    contact = a_contact(db, county.alice, subjects=[child(nhs_number)])
    assert contact.status == ContactStatus.ROUTED
    return contact


def accept(db: Session, county: County, contact: Contact, note: str = "") -> None:
    db.refresh(contact)
    accept_contact(db, county.sam, contact.id, note, contact.version, PRACTICE)
    db.refresh(contact)


def ledger(db: Session, action: str) -> list[dict[str, object]]:
    return [
        json.loads(e.detail)
        for e in db.scalars(select(AuditEntry).where(AuditEntry.action == action))
    ]


def test_the_allocated_worker_accepts_it_into_the_cases_work_with_a_note(
    db: Session, county: County, frozen_clock: clock.Clock
) -> None:
    contact = routed(db, county)
    frozen_clock.advance(dt.timedelta(minutes=40))

    accepted = accept_contact(db, county.sam, contact.id, f"  {NOTE} ", 1, PRACTICE)

    assert accepted.accepted_at == clock.now()
    assert accepted.accepted_by_professional_id == county.sam.professional_id
    assert accepted.accepted_note == NOTE
    assert contact.status == ContactStatus.ROUTED, "still the case's, not the MASH's"
    assert contact.version == 2
    (event,) = events(db, contact, "contact.accepted")
    assert event == {
        "reference": contact.reference,
        "case_id": case(db, "CIN-100").id,
        "worker_id": county.sam.professional_id,
        "with_note": True,
    }, "ids and codes only: never the note"
    (entry,) = ledger(db, "worker:contact:accepted")
    assert NOTE not in json.dumps(entry)
    # Off the worker's new contacts, onto their accepted ones; the managers see who and when.
    assert routing.routed_to_worker(db, county.sam) == []
    assert [r.contact.id for r in routing.accepted_by_worker(db, county.sam)] == [contact.id]
    (for_bob,) = routing.routed_for_manager(db, county.bob)
    assert for_bob.routing.accepted_by is not None
    assert for_bob.routing.accepted_by.name == "Sam Archer"
    assert verify_ledger(db).intact


def test_a_note_is_optional_and_a_long_one_is_refused(db: Session, county: County) -> None:
    contact = routed(db, county)

    with pytest.raises(FrontDoorError, match="The note must be 5,000 characters or fewer"):
        accept_contact(db, county.sam, contact.id, "x" * (REASON_LENGTH + 1), 1, PRACTICE)
    db.refresh(contact)
    assert contact.version == 1 and contact.routing is not None
    assert contact.routing.accepted_at is None

    accept(db, county, contact)
    assert contact.routing.accepted_note is None
    assert events(db, contact, "contact.accepted")[0]["with_note"] is False


@pytest.mark.parametrize("who", ["tess", "bob", "alice"])
def test_only_the_allocated_worker_may_accept_it(db: Session, county: County, who: str) -> None:
    contact = routed(db, county)

    with pytest.raises(ContactNotFound):
        accept_contact(db, getattr(county, who), contact.id, NOTE, 1, PRACTICE)

    db.refresh(contact)
    assert contact.version == 1 and contact.routing is not None
    assert contact.routing.accepted_at is None
    assert events(db, contact, "contact.accepted") == []


def test_a_second_tab_is_told_it_was_already_accepted_and_writes_nothing(
    db: Session, county: County, frozen_clock: clock.Clock
) -> None:
    contact = routed(db, county)
    frozen_clock.advance(dt.timedelta(minutes=5))
    accept(db, county, contact, NOTE)

    with pytest.raises(ConcurrentChange) as stale:
        accept_contact(db, county.sam, contact.id, "Again", 1, PRACTICE)
    with pytest.raises(FrontDoorError) as fresh:
        accept_contact(db, county.sam, contact.id, "Again", contact.version, PRACTICE)

    assert str(stale.value).startswith(
        "Sam Archer (CSC) accepted this contact into the case's work at 10:05am on 24 "
        "November 2026, after you opened it. Nothing you sent was saved"
    )
    assert str(fresh.value) == (
        "Sam Archer accepted this contact into the case's work at 10:05am on 24 November "
        "2026: there is nothing more to accept"
    )
    db.refresh(contact)
    assert contact.version == 2 and contact.routing is not None
    assert contact.routing.accepted_note == NOTE
    assert len(events(db, contact, "contact.accepted")) == 1


def test_a_manager_can_still_bring_back_an_accepted_contact_and_the_event_says_so(
    db: Session, county: County
) -> None:
    contact = routed(db, county)
    accept(db, county, contact, NOTE)

    bring_back(db, county.bob, contact.id, "Wrong match: another Jade", contact.version, PRACTICE)

    assert contact.status == ContactStatus.RECEIVED
    (back,) = events(db, contact, "contact.brought_back")
    assert (back["accepted"], back["case_closed"]) == (True, False)
    assert routing.accepted_by_worker(db, county.sam) == []
    with pytest.raises(ContactNotFound):  # no longer the worker's to accept or acknowledge
        accept_contact(db, county.sam, contact.id, "", contact.version, PRACTICE)


def test_a_case_closing_brings_back_the_contacts_its_worker_had_not_accepted(
    db: Session, county: County, frozen_clock: clock.Clock
) -> None:
    waiting = routed(db, county)
    taken = routed(db, county)
    accept(db, county, taken, NOTE)
    deans = routed(db, county, DEAN)  # Tess's case stays open
    frozen_clock.advance(dt.timedelta(days=1))

    county.cases(db, f"C1,CIN-100,{email_of(db, county.sam)},2026-09-01,2026-11-25")

    db.refresh(waiting)
    assert waiting.status == ContactStatus.RECEIVED and waiting.version == 2
    back = waiting.routing
    assert back is not None
    assert back.brought_back_reason == CASE_CLOSED
    assert back.brought_back_at == clock.now()
    assert back.brought_back_by_professional_id is None, "the hub's doing, not a manager's"
    (event,) = events(db, waiting, "contact.brought_back")
    assert event == {
        "reference": waiting.reference,
        "case_id": case(db, "CIN-100").id,
        "worker_id": county.sam.professional_id,
        "accepted": False,
        "case_closed": True,
    }
    (entry,) = ledger(db, "system:contact:brought_back")
    assert entry == {"case_id": case(db, "CIN-100").id}
    # On the managers' list to rate, off the worker's.
    assert [c.contact.id for c in queries.contacts_to_rate(db, county.bob, PRACTICE)] == [
        waiting.id
    ]
    assert routing.routed_to_worker(db, county.sam) == []
    # The accepted one is in the closed case's work; Dean's is untouched.
    db.refresh(taken)
    db.refresh(deans)
    assert (taken.status, deans.status) == (ContactStatus.ROUTED, ContactStatus.ROUTED)
    assert [r.contact.id for r in routing.accepted_by_worker(db, county.sam)] == [taken.id]
    # No longer the worker's to accept.
    with pytest.raises(ContactNotFound):
        accept_contact(db, county.sam, waiting.id, "", 1, PRACTICE)
    assert verify_ledger(db).intact


def test_the_import_report_names_the_contacts_brought_back(db: Session, county: County) -> None:
    waiting = routed(db, county)
    path = county.tmp_path / "closing.csv"
    path.write_text(
        "record_id,case_reference,allocated_worker_email,opened_on,closed_on\n"
        f"C1,CIN-100,{email_of(db, county.sam)},2026-09-01,2026-11-23\n"
    )
    report = import_cases(db, ADMIN, county.council.code, path)

    assert report.brought_back == (waiting.reference,)
    (imported,) = ledger(db, "admin:case_file:imported")[-1:]
    assert imported["brought_back"] == 1


def test_a_rejected_case_file_closes_nothing_and_brings_nothing_back(
    db: Session, county: County
) -> None:
    waiting = routed(db, county)

    with pytest.raises(CasesRejected):
        county.cases(
            db,
            f"C1,CIN-100,{email_of(db, county.sam)},2026-09-01,2026-11-23",
            "C9,CIN-999,nobody@example.test,2026-09-01,",
        )

    db.refresh(waiting)
    assert waiting.status == ContactStatus.ROUTED
    assert case(db, "CIN-100").is_open
    assert events(db, waiting, "contact.brought_back") == []


def test_a_reallocated_case_takes_its_contacts_to_the_new_worker(
    db: Session, county: County
) -> None:
    waiting = routed(db, county)
    taken = routed(db, county)
    accept(db, county, taken)

    county.cases(db, f"C1,CIN-100,{email_of(db, county.tess)},2026-09-01,")

    assert routing.routed_to_worker(db, county.sam) == []
    assert routing.accepted_by_worker(db, county.sam) == []
    assert [r.contact.id for r in routing.routed_to_worker(db, county.tess)] == [waiting.id]
    assert [r.contact.id for r in routing.accepted_by_worker(db, county.tess)] == [taken.id]
    with pytest.raises(ContactNotFound):
        accept_contact(db, county.sam, waiting.id, "", waiting.version, PRACTICE)
    accept_contact(db, county.tess, waiting.id, "", waiting.version, PRACTICE)
    assert waiting.routing is not None and waiting.routing.worker_id == county.sam.professional_id
    assert waiting.routing.accepted_by_professional_id == county.tess.professional_id


def test_the_worker_acknowledges_the_referrer_and_the_managers_list_lets_it_go(
    db: Session, county: County
) -> None:
    contact = routed(db, county)
    (task,) = contact.feedback_tasks

    with pytest.raises(ContactNotFound):
        decisions.send_feedback(db, county.tess, task.id, "Not mine")
    sent = decisions.send_feedback(db, county.sam, task.id, "I hold her case: I will call you.")

    assert sent.sent_by_professional_id == county.sam.professional_id
    (event,) = events(db, contact, "feedback.sent")
    assert event == {
        "reference": contact.reference,
        "kind": "acknowledgement",
        "late": False,
        "sent_by": "allocated_worker",
    }
    assert len(ledger(db, "worker:feedback:sent")) == 1
    assert worklists.feedback_due(db, county.bob, PRACTICE) == []
    with pytest.raises(FrontDoorError, match="Sam Archer sent this to the referrer"):
        decisions.send_feedback(db, county.bob, task.id, "Received")


def test_a_worker_cannot_acknowledge_a_contact_brought_back_into_the_mash(
    db: Session, county: County
) -> None:
    contact = routed(db, county)
    bring_back(db, county.bob, contact.id, "Wrong match", contact.version, PRACTICE)
    (task,) = contact.feedback_tasks

    with pytest.raises(ContactNotFound):
        decisions.send_feedback(db, county.sam, task.id, "I have it")
    decisions.send_feedback(db, county.bob, task.id, "We are screening it")  # the MASH's now


def test_the_workers_lists_run_by_the_acknowledgement_clock_and_accepted_ones_age_off(
    db: Session, county: County, frozen_clock: clock.Clock
) -> None:
    first = routed(db, county)
    frozen_clock.advance(dt.timedelta(hours=1))
    second = routed(db, county)
    decisions.send_feedback(db, county.sam, first.feedback_tasks[0].id, "I have it")

    new = worklists.new_contacts_about_cases(db, county.sam, PRACTICE)

    # The one still owed first (due at 11am tomorrow), then the acknowledged one.
    assert [(d.routed.contact.id, d.lateness is not None) for d in new] == [
        (second.id, True),
        (first.id, False),
    ]
    assert new[0].lateness is not None and not new[0].lateness.is_overdue

    accept(db, county, first)
    accept(db, county, second)
    frozen_clock.advance(routing.ACCEPTED_RECENTLY + dt.timedelta(days=1))
    # A week on: the acknowledged one is in the case's work, off every list; the other is
    # still owed its acknowledgement (overdue), so it stays on the worker's.
    (owed,) = worklists.accepted_recently(db, county.sam, PRACTICE)
    assert owed.routed.contact.id == second.id
    assert owed.lateness is not None and owed.lateness.is_overdue
    assert routing.routed_for_manager(db, county.bob) == []
    assert worklists.new_contacts_about_cases(db, county.sam, PRACTICE) == []
