"""A MASH manager asks a partner that has answered a follow-up question from the contact's page;
the partner's practitioner finds it in their queue and answers it seeing their agency's earlier
answer; both answers stay on the contact. In the synthetic county with its demo agreements.

Alice is a police officer; Bob the council's MASH manager; Hana a community health MASH
practitioner; Erin the education service's, who was not asked.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.accounts.models import User
from joinedup.accounts.queries import actor_for_user
from joinedup.directory.models import Agency
from joinedup.directory.rules import Role
from joinedup.frontdoor import research, research_rounds
from joinedup.frontdoor.models import Contact, ResearchRequest
from joinedup.synthetic import County, CountyOptions, build_county
from joinedup.synthetic.load import load_county
from tests.factories import create_user
from tests.frontdoor import PRACTICE, a_contact, rate
from tests.web.conftest import (
    error_summary,
    heading,
    new_client,
    page,
    post_form,
    sign_in,
    table_rows,
    text_of,
)

pytestmark = pytest.mark.usefixtures("frozen_clock")
FIRST_ANSWER = "Seen in A&E in June with a wrist injury."


@pytest.fixture(scope="module")
def county() -> County:
    return build_county(CountyOptions(people=100))


@dataclass
class Asked:
    db: Session
    app: FastAPI
    contact: Contact
    first: ResearchRequest
    health: str  # the community health trust's name
    users: dict[str, User]

    def browser(self, name: str) -> TestClient:
        client = new_client(self.app)
        client.__enter__()
        return sign_in(client, self.users[name])

    @property
    def follow_up_url(self) -> str:
        return f"/contacts/{self.contact.reference}/research/{self.first.id}/follow-up"


@pytest.fixture
def asked(sqlite_db: Session, app: FastAPI, county: County) -> Asked:
    db = sqlite_db
    load_county(db, county, demo_password="demo password for tests", seed=1)
    agencies = {
        code: db.scalars(select(Agency).where(Agency.code == code)).one()
        for code in ("NOTTS-POLICE", "NCC-CSC", "NOTTS-COMMUNITY", "NCC-EDUCATION")
    }
    people = {
        "Alice": ("NOTTS-POLICE", Role.REFERRER),
        "Bob": ("NCC-CSC", Role.MASH_MANAGER),
        "Hana": ("NOTTS-COMMUNITY", Role.MASH_PRACTITIONER),
        "Erin": ("NCC-EDUCATION", Role.MASH_PRACTITIONER),
    }
    users = {
        name: create_user(db, f"{name}-web", roles=(role,), agency=agencies[code])
        for name, (code, role) in people.items()
    }
    bob, hana = actor_for_user(users["Bob"]), actor_for_user(users["Hana"])
    contact = a_contact(db, actor_for_user(users["Alice"]))
    rate(db, bob, contact, "red", "A belt mark on her arm")
    (first,) = research.request_research(
        db,
        bob,
        contact.id,
        [agencies["NOTTS-COMMUNITY"].id],
        "Any injuries this year?",
        contact.version,
        PRACTICE,
    )
    research.answer_research(db, hana, first.id, FIRST_ANSWER, "normal", True)
    return Asked(db, app, contact, first, agencies["NOTTS-COMMUNITY"].name, users)


def current_version(asked: Asked) -> int:
    asked.db.refresh(asked.contact)
    return asked.contact.version


def test_the_manager_asks_a_follow_up_from_the_contacts_page(asked: Asked) -> None:
    bob = asked.browser("Bob")
    contact_url = f"/contacts/{asked.contact.reference}"
    link = page(bob.get(contact_url)).select_one(f"a[href='{asked.follow_up_url}']")
    assert link is not None and "Ask a follow-up question" in link.get_text()

    form = bob.get(asked.follow_up_url)

    assert form.status_code == 200
    assert heading(form) == f"Ask {asked.health} a follow-up question"
    (earlier,) = table_rows(page(form), f"What {asked.health} has been asked so far")
    assert earlier[0].startswith("Any injuries this year?") and FIRST_ANSWER in earlier[1]
    assert "within 4 hours, round the clock (rated Red), counted from when you ask" in text_of(
        page(form), "main"
    )

    version = str(page(form).select_one("input[name=version]")["value"])  # type: ignore[index]
    blank = post_form(
        bob, asked.follow_up_url, {"question": "", "version": version}, asked.follow_up_url
    )
    assert blank.status_code == 400
    assert error_summary(blank) == {
        "#question": f"Enter what you want {asked.health} to find out now"
    }

    sent = post_form(
        bob,
        asked.follow_up_url,
        {"question": "A new bruise today: any attendances since June?", "version": version},
        token_from=asked.follow_up_url,
    )

    assert sent.status_code == 303
    assert sent.headers["location"] == f"{contact_url}#research"
    rows = table_rows(page(bob.get(contact_url)), "Requests to partner agencies")
    assert [row[0] for row in rows] == [
        f"{asked.health} Asked: Any injuries this year?",
        f"{asked.health} (follow-up 1) Asked: A new bruise today: any attendances since June?",
    ]
    assert FIRST_ANSWER in rows[0][2] and rows[1][2] == "Waiting"
    # Until it answers, there is nothing more to ask it.
    waiting = page(bob.get(asked.follow_up_url))
    assert "has not answered the last question yet" in text_of(waiting, "main")
    assert waiting.select_one("main form") is None


def test_the_partner_answers_the_follow_up_from_its_queue_seeing_its_earlier_answer(
    asked: Asked,
) -> None:
    again = research_rounds.follow_up_research(
        asked.db,
        actor_for_user(asked.users["Bob"]),
        asked.contact.id,
        asked.first.agency_id,
        "A new bruise today: any attendances since June?",
        current_version(asked),
        PRACTICE,
    )
    hana = asked.browser("Hana")
    queued = page(hana.get("/")).select_one(
        f"#research-heading ~ table a[href='/research/{again.id}']"
    )
    assert queued is not None

    form = hana.get(f"/research/{again.id}")

    assert heading(form) == "Answer the MASH's follow-up question"
    (earlier,) = table_rows(page(form), "What your agency was asked and answered before")
    assert FIRST_ANSWER in earlier[1]
    answered = post_form(
        hana,
        f"/research/{again.id}",
        {"summary": "Nothing since June.", "sensitivity": "normal", "may_share": "yes"},
        token_from=f"/research/{again.id}",
    )
    assert answered.status_code == 303
    rows = table_rows(
        page(asked.browser("Bob").get(f"/contacts/{asked.contact.reference}")),
        "Requests to partner agencies",
    )
    assert FIRST_ANSWER in rows[0][2] and "Nothing since June." in rows[1][2]


def test_only_the_manager_asks_and_only_the_agency_asked_answers(asked: Asked) -> None:
    again = research_rounds.follow_up_research(
        asked.db,
        actor_for_user(asked.users["Bob"]),
        asked.contact.id,
        asked.first.agency_id,
        "Anything since June?",
        current_version(asked),
        PRACTICE,
    )

    assert asked.browser("Hana").get(asked.follow_up_url).status_code == 404
    assert asked.browser("Erin").get(f"/research/{again.id}").status_code == 404
    assert asked.browser("Alice").get(asked.follow_up_url).status_code == 404
