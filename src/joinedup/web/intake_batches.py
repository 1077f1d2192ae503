"""The API's intake, a batch at a time: one writer in each process takes in everything waiting.

Every intake waits for the one before it to commit (the year's reference counter; SQLite's one
writer), so taken one by one, a burst queues transactions, each with its own BEGIN, counter,
ledger append and COMMIT. Instead, contacts checked on the event loop wait here, and one
writer takes everything waiting (up to MAX_BATCH) in one transaction on a worker thread
(frontdoor.intake.take_contacts), answers each, and goes on to the batch that gathered
meanwhile. A contact that arrives alone is written at once, as before: batching adds no wait.

Each contact is still acknowledged only after its transaction commits. If a batch fails, it
is rolled back whole and each of its contacts is taken in alone, so one contact's failure
answers that contact only.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from sqlalchemy.orm import Session

from joinedup.frontdoor import matching, queries, services
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.schemas import ContactForReferrer

# Enough to carry a burst's backlog in one transaction, few enough that one batch's rows stay
# small. Measured at 8 clients, batches held 1 to 4 contacts on average.
MAX_BATCH = 50

Answer = tuple[ContactForReferrer, bool]  # the referrer's view, and whether it was created


@dataclass(frozen=True)
class _Waiting:
    intake: services.Intake
    practice: Practice
    answer: asyncio.Future[Answer]


class _Writer:
    """The contacts waiting in one event loop, and whether its writer is at work."""

    def __init__(self) -> None:
        self.waiting: deque[_Waiting] = deque()
        self.task: asyncio.Task[None] | None = None

    async def run(self, state: Any) -> None:
        try:
            while self.waiting:
                batch = self._next_batch()
                try:
                    outcomes = await to_thread.run_sync(_take_in, state, batch)
                except asyncio.CancelledError:  # the server is stopping: nobody gets an answer
                    for waiting in (*batch, *self.waiting):
                        waiting.answer.cancel()
                    raise
                except Exception as error:  # before any contact (the matcher): each is told
                    outcomes = [error] * len(batch)
                _answer(batch, outcomes)
        finally:
            self.task = None

    def _next_batch(self) -> list[_Waiting]:
        """Everything waiting, in order, up to MAX_BATCH, under one practice."""
        first = self.waiting.popleft()
        batch = [first]
        while (
            self.waiting and len(batch) < MAX_BATCH and self.waiting[0].practice is first.practice
        ):
            batch.append(self.waiting.popleft())
        return batch


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Writer] = (
    weakref.WeakKeyDictionary()
)


async def take_in(state: Any, intake: services.Intake, practice: Practice) -> Answer:
    """Take the checked contact in with whatever else is waiting; its answer once committed.

    `state` is the app's state: its session factory and settings (for the resident matcher).
    """
    loop = asyncio.get_running_loop()
    writer = _writers.get(loop)
    if writer is None:
        writer = _writers[loop] = _Writer()
    waiting = _Waiting(intake, practice, loop.create_future())
    writer.waiting.append(waiting)
    if writer.task is None:
        writer.task = loop.create_task(writer.run(state))
    return await waiting.answer


def _answer(batch: list[_Waiting], outcomes: list[Answer | Exception]) -> None:
    for waiting, outcome in zip(batch, outcomes, strict=True):
        if waiting.answer.done():  # its client went away; the contact stands
            continue
        if isinstance(outcome, Exception):
            waiting.answer.set_exception(outcome)
        else:
            waiting.answer.set_result(outcome)


def _take_in(state: Any, batch: list[_Waiting]) -> list[Answer | Exception]:
    """The batch in one transaction; if that fails, each contact in a transaction of its own."""
    practice = batch[0].practice
    # The process's online matcher when a model is trained; otherwise exact identifiers.
    matcher = matching.resident(state.settings.data_dir)
    intakes = [waiting.intake for waiting in batch]
    try:
        return list(_commit(state, intakes, practice, matcher))
    except Exception as error:
        if len(batch) == 1:
            return [error]
    outcomes: list[Answer | Exception] = []
    for intake in intakes:
        try:
            outcomes.extend(_commit(state, [intake], practice, matcher))
        except Exception as error:
            outcomes.append(error)
    return outcomes


def _commit(
    state: Any,
    intakes: list[services.Intake],
    practice: Practice,
    matcher: matching.SubjectMatcher | None,
) -> list[Answer]:
    session: Session = state.session_factory()
    try:
        received = services.take_contacts(session, intakes, practice, matcher)
        session.commit()
        return [(queries.referrer_view(r.contact, practice), r.created) for r in received]
    finally:
        session.close()
