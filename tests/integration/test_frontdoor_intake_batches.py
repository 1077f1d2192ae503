"""Several contacts taken in one transaction (the API's bursts): each as if taken alone.

Alice is a police referrer, Charlie a teacher; both raise contacts about Jade.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.audit.checkpoints import verify_ledger
from joinedup.audit.models import AuditEntry
from joinedup.directory.rules import AgencyKind
from joinedup.frontdoor import queries, services
from joinedup.frontdoor.models import Contact, ContactSubject, DomainEvent
from joinedup.frontdoor.rules import Channel
from joinedup.frontdoor.services import check_intake, take_contacts
from tests.integration.test_frontdoor_intake import PRACTICE, contact_in, professional


def _number(reference: str) -> int:
    return int(reference.rsplit("-", 1)[1])


def test_a_batch_numbers_writes_and_records_each_contact_as_its_own_referrer(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice, charlie = professional(db, "Alice"), professional(db, "Charlie", AgencyKind.SCHOOL)
    before = services.receive_contact(db, alice, contact_in(), PRACTICE).contact
    intakes = []
    for referrer in (alice, charlie, alice):
        frozen_clock.advance(dt.timedelta(seconds=1))
        intakes.append(check_intake(referrer, contact_in(), PRACTICE, channel=Channel.API))

    answers = take_contacts(db, intakes, PRACTICE)
    db.commit()

    assert all(answer.created for answer in answers)
    numbers = [_number(answer.contact.reference) for answer in answers]
    assert numbers == [_number(before.reference) + n for n in (1, 2, 3)]
    db.expire_all()
    for answer, referrer in zip(answers, (alice, charlie, alice), strict=True):
        stored = db.get(Contact, answer.contact.id)
        assert stored is not None and stored.reference == answer.contact.reference
        assert stored.referrer_professional_id == referrer.professional_id
        assert [s.given_name for s in stored.subjects] == ["Jade", "Dean"]
        assert [t.kind for t in stored.feedback_tasks] == ["acknowledgement"]
        (entry,) = db.scalars(
            select(AuditEntry).where(
                AuditEntry.object_type == "contact", AuditEntry.object_id == str(stored.id)
            )
        )
        assert (entry.actor_user_id, entry.actor_label) == (referrer.user_id, referrer.label)
    assert verify_ledger(db).intact


def test_a_batch_sees_the_contacts_before_it_in_the_batch_as_known(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice, charlie = professional(db, "Alice"), professional(db, "Charlie", AgencyKind.SCHOOL)
    first = check_intake(alice, contact_in(), PRACTICE)
    frozen_clock.advance(dt.timedelta(minutes=5))
    second = check_intake(charlie, contact_in(), PRACTICE)

    earlier, later = take_contacts(db, [first, second], PRACTICE)
    db.commit()

    def received(contact: Contact) -> DomainEvent:
        return db.scalars(
            select(DomainEvent).where(
                DomainEvent.contact_id == contact.id, DomainEvent.type == "contact.received"
            )
        ).one()

    # Jade was referred five minutes before: a re-referral, as if the two came one by one.
    assert received(later.contact).payload["re_referral"] is True
    assert received(earlier.contact).payload["re_referral"] is False
    (jade, _dean) = queries.known_people(db, later.contact, PRACTICE)
    assert [o.reference for o in jade.earlier_contacts] == [earlier.contact.reference]


def test_a_key_sent_twice_in_a_batch_or_before_it_makes_one_contact(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice, charlie = professional(db, "Alice"), professional(db, "Charlie", AgencyKind.SCHOOL)
    sent_before = services.receive_contact(
        db, alice, contact_in(), PRACTICE, idempotency_key="k-before"
    ).contact
    contacts_before = db.scalar(select(func.count()).select_from(Contact))
    intakes = [
        check_intake(alice, contact_in(), PRACTICE, idempotency_key="k-before"),
        check_intake(alice, contact_in(), PRACTICE, idempotency_key="k-new"),
        check_intake(alice, contact_in(), PRACTICE, idempotency_key="k-new"),
        check_intake(charlie, contact_in(), PRACTICE, idempotency_key="k-new"),
    ]

    retry, new, same_again, charlies = take_contacts(db, intakes, PRACTICE)
    db.commit()

    assert (retry.created, new.created, same_again.created, charlies.created) == (
        False,
        True,
        False,
        True,
    )
    assert retry.contact.id == sent_before.id
    assert same_again.contact is new.contact
    assert charlies.contact.id != new.contact.id
    assert db.scalar(select(func.count()).select_from(Contact)) == contacts_before + 2
    # Only the contacts written took numbers: no gaps.
    assert sorted(_number(c.contact.reference) for c in (new, charlies)) == [
        _number(sent_before.reference) + 1,
        _number(sent_before.reference) + 2,
    ]
    subjects = db.scalar(
        select(func.count())
        .select_from(ContactSubject)
        .where(ContactSubject.contact_id.in_([new.contact.id, charlies.contact.id]))
    )
    assert subjects == 4
