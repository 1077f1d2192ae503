"""The API's writer: contacts waiting together are taken in together, and one that cannot be
written fails alone."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.frontdoor.models import Contact
from joinedup.frontdoor.services import check_intake
from joinedup.web import intake_batches
from tests.integration.test_frontdoor_intake import PRACTICE, contact_in, professional


def _state(db: Session, data_dir: Path) -> SimpleNamespace:
    """The app state the writer reads: sessions on the test's own transaction."""
    connection = db.connection()

    def session_factory() -> Session:
        return Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    return SimpleNamespace(
        session_factory=session_factory, settings=SimpleNamespace(data_dir=data_dir)
    )


def _on_a_loop(work: Callable[[], Any]) -> Any:
    # A thread of its own: the browser tests keep an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work()).result()


def test_contacts_sent_together_are_each_answered_with_their_own_reference(
    db: Session, frozen_clock: clock.Clock, tmp_path: Path
) -> None:
    alice = professional(db, "Alice")
    intakes = [check_intake(alice, contact_in(), PRACTICE, f"k-{n}") for n in range(5)]
    state = _state(db, tmp_path)

    async def send_all() -> list[intake_batches.Answer]:
        return await asyncio.gather(
            *(intake_batches.take_in(state, intake, PRACTICE) for intake in intakes)
        )

    answers = _on_a_loop(send_all)

    assert [created for _, created in answers] == [True] * 5
    references = [view.reference for view, _ in answers]
    stored = dict(
        db.execute(
            select(Contact.idempotency_key, Contact.reference).where(
                Contact.referrer_professional_id == alice.professional_id
            )
        ).all()
    )
    assert [stored[f"k-{n}"] for n in range(5)] == references


def test_a_contact_that_cannot_be_written_fails_alone(
    db: Session, frozen_clock: clock.Clock, tmp_path: Path
) -> None:
    alice = professional(db, "Alice")
    first = check_intake(alice, contact_in(), PRACTICE, "k-first")
    # A referrer the directory has never held: the database refuses the contact.
    stranger = dataclasses.replace(alice, professional_id=10**9)
    refused = check_intake(stranger, contact_in(), PRACTICE, "k-refused")
    last = check_intake(alice, contact_in(), PRACTICE, "k-last")
    # Written as the writer writes a batch (nobody awaits the answers here).
    batch = [intake_batches._Waiting(i, PRACTICE, None) for i in (first, refused, last)]

    outcomes = intake_batches._take_in(_state(db, tmp_path), batch)

    (view_first, created_first), error, (view_last, created_last) = outcomes
    assert created_first and created_last
    assert isinstance(error, IntegrityError)
    keys = db.scalars(
        select(Contact.idempotency_key).where(
            Contact.reference.in_([view_first.reference, view_last.reference])
        )
    ).all()
    assert sorted(keys) == ["k-first", "k-last"]
    assert db.scalar(select(Contact).where(Contact.idempotency_key == "k-refused")) is None


def test_when_the_writer_cannot_start_a_batch_each_contact_is_told_not_left_waiting(
    db: Session, frozen_clock: clock.Clock, tmp_path: Path
) -> None:
    alice = professional(db, "Alice")
    intakes = [check_intake(alice, contact_in(), PRACTICE, f"k-{n}") for n in range(3)]
    # No settings: finding the matcher fails before any contact is written.
    broken = SimpleNamespace(session_factory=_state(db, tmp_path).session_factory)

    async def send_all() -> list[Any]:
        sent = (intake_batches.take_in(broken, intake, PRACTICE) for intake in intakes)
        return await asyncio.wait_for(asyncio.gather(*sent, return_exceptions=True), 30)

    answers = _on_a_loop(send_all)

    assert [type(answer) for answer in answers] == [AttributeError] * 3
    assert db.scalar(select(Contact).where(Contact.idempotency_key == "k-0")) is None
