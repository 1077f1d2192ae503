"""Drafts of contacts on both databases: one per author, private, sent once.

Alice is a police officer writing a concern; Charlie, a teacher, must not reach her draft.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts.queries import actor_for_user
from joinedup.actor import Actor
from joinedup.audit.models import AuditEntry
from joinedup.directory.rules import AgencyKind
from joinedup.frontdoor import drafts
from joinedup.frontdoor.models import Contact
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import InvalidContact
from tests.factories import create_agency, create_user

PRACTICE = Practice()
ANSWERS = {
    "subjects": [{"kind": "child", "given_name": "Jade", "nhs_number": "943 476 5919"}],
    "household": [{"kind": "adult", "given_name": "Dean", "relationship": "mother's partner"}],
    "concern_categories": ["neglect"],
    "what_happened": "Jade said she had not eaten since yesterday.",
    "urgency": "urgent",
    "consent": "given",
    "consent_not_sought_reason": None,
}


def professional(db: Session, name: str, kind: AgencyKind) -> Actor:
    return actor_for_user(create_user(db, name, agency=create_agency(db, kind), password=None))


def test_each_author_has_one_draft_and_starting_again_resumes_it(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice = professional(db, "Alice", AgencyKind.POLICE)

    first = drafts.start_draft(db, alice)
    drafts.save_answers(db, alice, {"urgency": "urgent"})
    again = drafts.start_draft(db, alice)

    assert again.id == first.id
    assert again.answers == {"urgency": "urgent"}
    assert db.scalar(select(func.count()).select_from(drafts.ContactDraft)) == 1


def test_a_draft_is_sent_once_and_deleted_in_the_same_transaction(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice = professional(db, "Alice", AgencyKind.POLICE)
    draft = drafts.start_draft(db, alice)
    drafts.save_answers(db, alice, ANSWERS)

    first = drafts.send_draft(db, alice, draft.id, PRACTICE)
    again = drafts.send_draft(db, alice, draft.id, PRACTICE)

    assert first.created and not again.created
    assert again.contact.reference == first.contact.reference
    assert first.contact.idempotency_key == draft.id
    assert [s.role for s in first.contact.subjects] == ["subject", "household_member"]
    assert drafts.own_draft(db, alice) is None
    assert db.scalar(select(func.count()).select_from(Contact)) == 1
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "referrer:contact:received")
        )
        == 1
    )


def test_nobody_else_can_read_or_send_a_draft(db: Session, frozen_clock: clock.Clock) -> None:
    alice = professional(db, "Alice", AgencyKind.POLICE)
    charlie = professional(db, "Charlie", AgencyKind.SCHOOL)
    draft = drafts.start_draft(db, alice)
    drafts.save_answers(db, alice, ANSWERS)

    assert drafts.own_draft(db, charlie) is None
    with pytest.raises(drafts.DraftNotFound):
        drafts.send_draft(db, charlie, draft.id, PRACTICE)
    assert drafts.own_draft(db, alice) is not None
    assert db.scalar(select(func.count()).select_from(Contact)) == 0


def test_an_incomplete_draft_is_not_sent_and_says_what_is_missing(
    db: Session, frozen_clock: clock.Clock
) -> None:
    alice = professional(db, "Alice", AgencyKind.POLICE)
    draft = drafts.start_draft(db, alice)
    drafts.save_answers(db, alice, {"subjects": ANSWERS["subjects"], "urgency": "urgent"})

    with pytest.raises(InvalidContact) as refused:
        drafts.send_draft(db, alice, draft.id, PRACTICE)

    assert [p.field for p in refused.value.problems] == [
        "household",
        "concern_categories",
        "what_happened",
        "consent",
    ]
    assert drafts.own_draft(db, alice) is not None


def test_problems_with_household_members_are_named_by_their_place_in_the_household() -> None:
    answers = {
        **ANSWERS,
        "household": [
            {"kind": "adult", "given_name": "Dean"},
            {"kind": "adult", "given_name": "Lee", "nhs_number": "123 456 1234"},
        ],
    }

    problems = drafts.check_answers(answers, PRACTICE, clock.now().date())

    assert [(p.field, p.message) for p in problems] == [
        (
            "household[1].nhs_number",
            "Enter a valid NHS number: 123 456 1234 fails its check digit",
        )
    ]
