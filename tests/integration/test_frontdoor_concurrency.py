"""Contacts arriving at once, retries racing each other, two managers rating or deciding
together, two practitioners answering one request, feedback sent twice.

These need real, committed, concurrent transactions, which the rolled-back `db` fixture cannot
give, so each database here is a fresh one of its own (thrown away after the module).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from joinedup import clock, schema
from joinedup.accounts.queries import actor_for_user
from joinedup.actor import Actor
from joinedup.db import make_engine
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import decisions, research, services
from joinedup.frontdoor.decisions import DecisionIn
from joinedup.frontdoor.models import (
    Contact,
    ContactDecision,
    FeedbackTask,
    Rating,
    ResearchRequest,
)
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import FrontDoorError
from joinedup.frontdoor.schemas import ContactIn
from tests.factories import create_agency, create_user
from tests.frontdoor import person

PRACTICE = Practice()
T = TypeVar("T")
CONTACT = ContactIn.model_validate(
    {
        "subjects": [{"kind": "child", "given_name": "Jade", "family_name": "Smith"}],
        "concern_categories": ["neglect"],
        "what_happened": "Seen hungry and unkempt.",
        "urgency": "routine",
        "consent": "given",
    }
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fresh_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("concurrency") / "hub.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        schema.upgrade(engine)
        yield engine
        engine.dispose()
        return
    server_url = make_url(request.getfixturevalue("postgres_url"))
    name = f"frontdoor_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server_url.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(server_url.set(database=name).render_as_string(hide_password=False))
    schema.upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE "{name}"'))
    admin.dispose()


@pytest.fixture
def people(fresh_engine: Engine, frozen_clock: clock.Clock) -> dict[str, Actor]:
    with Session(fresh_engine, expire_on_commit=False) as session:
        police = create_agency(session, AgencyKind.POLICE)
        council = create_agency(session, AgencyKind.CHILDRENS_SOCIAL_CARE, name="The Council")
        return {
            name: actor_for_user(
                create_user(session, name, roles=roles, agency=agency, password=None)
            )
            for name, roles, agency in (
                ("Alice", (Role.REFERRER,), police),
                ("Bob", (Role.MASH_MANAGER,), council),
                ("Dana", (Role.MASH_MANAGER,), council),
            )
        }


def all_at_once(engine: Engine, calls: list[Callable[[Session], T]]) -> list[T | Exception]:
    """Run each call in its own thread and session, released together; results in order."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[Session], T]) -> T | Exception:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                return call(session)
            except Exception as error:  # reported to the test, which says what it expected
                return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_contacts_arriving_at_once_each_get_their_own_reference(
    fresh_engine: Engine, people: dict[str, Actor]
) -> None:
    alice = people["Alice"]

    def receive(session: Session) -> str:
        return services.receive_contact(session, alice, CONTACT, PRACTICE).contact.reference

    results = all_at_once(fresh_engine, [receive] * 12)

    assert not [r for r in results if isinstance(r, Exception)], results
    references = [str(r) for r in results]
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in references)
    assert numbers == list(range(numbers[0], numbers[0] + 12))  # unique, and no gaps
    with Session(fresh_engine) as session:
        stored = session.scalar(
            select(func.count()).select_from(Contact).where(Contact.reference.in_(references))
        )
    assert stored == 12


def test_retries_racing_with_one_key_make_one_contact(
    fresh_engine: Engine, people: dict[str, Actor]
) -> None:
    alice, key = people["Alice"], f"retry-{uuid.uuid4()}"

    def send(session: Session) -> tuple[int, bool]:
        received = services.receive_contact(session, alice, CONTACT, PRACTICE, idempotency_key=key)
        return received.contact.id, received.created

    results = all_at_once(fresh_engine, [send] * 6)

    assert not [r for r in results if isinstance(r, Exception)], results
    answers: list[Any] = list(results)
    assert len({contact_id for contact_id, _created in answers}) == 1
    assert sum(1 for _id, created in answers if created) == 1
    with Session(fresh_engine) as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Contact).where(Contact.idempotency_key == key)
            )
            == 1
        )


def test_two_managers_rating_at_once_one_wins_and_the_other_is_told(
    fresh_engine: Engine, people: dict[str, Actor]
) -> None:
    with Session(fresh_engine, expire_on_commit=False) as session:
        contact = services.receive_contact(session, people["Alice"], CONTACT, PRACTICE).contact

    def rate_as(name: str, rating: str) -> Callable[[Session], Rating]:
        def rate(session: Session) -> Rating:
            return services.rate_contact(
                session, people[name], contact.id, rating, "Seen it", contact.version, PRACTICE
            )

        return rate

    results = all_at_once(fresh_engine, [rate_as("Bob", "red"), rate_as("Dana", "green")])

    won = [r for r in results if isinstance(r, Rating)]
    told = [r for r in results if isinstance(r, services.ConcurrentChange)]
    assert (len(won), len(told)) == (1, 1), results
    winner = "Bob Archer" if won[0].rating == "red" else "Dana Archer"
    assert str(told[0]).startswith(f"{winner} (The Council) rated this contact")
    with Session(fresh_engine) as session:
        ratings = session.scalars(select(Rating.rating).where(Rating.contact_id == contact.id))
        assert list(ratings) == [won[0].rating]
        assert session.get(Contact, contact.id).version == 2  # type: ignore[union-attr]


def rated_contact(engine: Engine, people: dict[str, Actor], ask: int | None = None) -> Contact:
    with Session(engine, expire_on_commit=False) as session:
        contact = services.receive_contact(session, people["Alice"], CONTACT, PRACTICE).contact
        services.rate_contact(
            session, people["Bob"], contact.id, "amber", "Neglect", contact.version, PRACTICE
        )
        if ask is not None:
            research.request_research(
                session, people["Bob"], contact.id, [ask], "Known?", contact.version, PRACTICE
            )
        session.refresh(contact)
        contact.research_requests, contact.feedback_tasks  # noqa: B018 (loaded for the test)
        return contact


def test_two_managers_deciding_at_once_one_decision_stands(
    fresh_engine: Engine, people: dict[str, Actor]
) -> None:
    contact = rated_contact(fresh_engine, people)

    def decide_as(name: str, outcome: str) -> Callable[[Session], ContactDecision]:
        def decide(session: Session) -> ContactDecision:
            given = DecisionIn(outcome, f"{name}'s reasons", False)
            return decisions.decide_contact(
                session, people[name], contact.id, given, contact.version, PRACTICE
            )

        return decide

    results = all_at_once(
        fresh_engine, [decide_as("Bob", "early_help"), decide_as("Dana", "no_further_action")]
    )

    won = [r for r in results if isinstance(r, ContactDecision)]
    told = [r for r in results if isinstance(r, services.ConcurrentChange)]
    assert (len(won), len(told)) == (1, 1), results
    assert "decided this contact" in str(told[0])
    with Session(fresh_engine) as session:
        stored = session.scalars(
            select(ContactDecision).where(ContactDecision.contact_id == contact.id)
        ).all()
        assert [d.outcome for d in stored] == [won[0].outcome]
        outcome_tasks = select(func.count()).where(
            FeedbackTask.contact_id == contact.id, FeedbackTask.kind == "outcome"
        )
        assert session.scalar(outcome_tasks) == 1


def test_two_practitioners_answering_at_once_the_first_answer_stands(
    fresh_engine: Engine, people: dict[str, Actor]
) -> None:
    with Session(fresh_engine, expire_on_commit=False) as session:
        health = create_agency(session, AgencyKind.COMMUNITY_HEALTH)
        hana = person(session, "Hana", (Role.MASH_PRACTITIONER,), health)
        hugh = person(session, "Hugh", (Role.MASH_PRACTITIONER,), health)
    contact = rated_contact(fresh_engine, people, ask=health.id)
    (request_id,) = (r.id for r in contact.research_requests)

    def answer_as(who: Actor, summary: str) -> Callable[[Session], ResearchRequest]:
        def answer(session: Session) -> ResearchRequest:
            return research.answer_research(session, who, request_id, summary, "normal", True)

        return answer

    results = all_at_once(fresh_engine, [answer_as(hana, "Hana's"), answer_as(hugh, "Hugh's")])

    won = [r for r in results if isinstance(r, ResearchRequest)]
    told = [r for r in results if isinstance(r, FrontDoorError)]
    assert (len(won), len(told)) == (1, 1), results
    assert "answered this request at" in str(told[0])
    with Session(fresh_engine) as session:
        stored = session.get(ResearchRequest, request_id)
        assert stored is not None and stored.summary == won[0].summary


def test_feedback_sent_twice_at_once_goes_once(
    fresh_engine: Engine, people: dict[str, Actor]
) -> None:
    contact = rated_contact(fresh_engine, people)
    (task_id,) = (t.id for t in contact.feedback_tasks)

    def send_as(name: str) -> Callable[[Session], FeedbackTask]:
        def send(session: Session) -> FeedbackTask:
            return decisions.send_feedback(session, people[name], task_id, f"From {name}")

        return send

    results = all_at_once(fresh_engine, [send_as("Bob"), send_as("Dana")])

    won = [r for r in results if isinstance(r, FeedbackTask)]
    told = [r for r in results if isinstance(r, FrontDoorError)]
    assert (len(won), len(told)) == (1, 1), results
    with Session(fresh_engine) as session:
        stored = session.get(FeedbackTask, task_id)
        assert stored is not None and stored.message == won[0].message
