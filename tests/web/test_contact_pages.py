"""A contact's pages in the synthetic county with its demo agreements: the MASH manager rates,
asks partners, decides and sends feedback; each partner answers from its own queue; the
referrer sees the outcome and never the research; nobody else sees the contact at all.

Alice is a police officer (referrer); Bob the council's MASH manager; Hana a community health
MASH practitioner; Erin the education service's MASH practitioner; Pat a police MASH
practitioner, who was not asked; Charlie a teacher, who did not raise it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts.models import User
from joinedup.accounts.queries import actor_for_user
from joinedup.audit.models import AuditEntry
from joinedup.directory.models import Agency
from joinedup.directory.rules import Role
from joinedup.frontdoor import services
from joinedup.frontdoor.models import Contact
from joinedup.frontdoor.schemas import ContactIn
from joinedup.synthetic import County, CountyOptions, build_county
from joinedup.synthetic.load import load_county
from tests.factories import create_user
from tests.frontdoor import PRACTICE
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


@pytest.fixture(scope="module")
def county() -> County:
    return build_county(CountyOptions(people=100))


@dataclass
class Mash:
    db: Session
    app: FastAPI
    contact: Contact
    users: dict[str, User]
    agencies: dict[str, Agency]

    def browser(self, name: str) -> TestClient:
        client = new_client(self.app)
        client.__enter__()
        return sign_in(client, self.users[name])

    @property
    def url(self) -> str:
        return f"/contacts/{self.contact.reference}"


@pytest.fixture
def mash(sqlite_db: Session, app: FastAPI, county: County) -> Mash:
    load_county(sqlite_db, county, demo_password="demo password for tests", seed=1)
    agencies = {
        code: sqlite_db.scalars(select(Agency).where(Agency.code == code)).one()
        for code in ("NOTTS-POLICE", "NCC-CSC", "NOTTS-COMMUNITY", "NCC-EDUCATION")
    }
    people = {
        "Alice": ("NOTTS-POLICE", Role.REFERRER),
        "Bob": ("NCC-CSC", Role.MASH_MANAGER),
        "Hana": ("NOTTS-COMMUNITY", Role.MASH_PRACTITIONER),
        "Erin": ("NCC-EDUCATION", Role.MASH_PRACTITIONER),
        "Pat": ("NOTTS-POLICE", Role.MASH_PRACTITIONER),
        "Charlie": ("NCC-EDUCATION", Role.REFERRER),
    }
    users = {
        name: create_user(sqlite_db, f"{name}-web", roles=(role,), agency=agencies[code])
        for name, (code, role) in people.items()
    }
    contact = services.receive_contact(
        sqlite_db,
        actor_for_user(users["Alice"]),
        ContactIn.model_validate(
            {
                "subjects": [
                    {
                        "kind": "child",
                        "given_name": "Zelda",
                        "family_name": "Quartermaine",
                        "date_of_birth": "2019-03-02",
                    }
                ],
                "concern_categories": ["physical_abuse"],
                "what_happened": "Zelda said her stepfather hit her with a belt.",
                "urgency": "urgent",
                "consent": "not_sought",
                "consent_not_sought_reason": "c",
            }
        ),
        PRACTICE,
    ).contact
    return Mash(sqlite_db, app, contact, users, agencies)


def test_the_manager_sees_the_contact_through_the_gate_and_the_view_is_on_the_ledger(
    mash: Mash,
) -> None:
    bob = mash.browser("Bob")
    response = bob.get(mash.url)

    assert response.status_code == 200
    assert heading(response) == mash.contact.reference
    assert "Quartermaine" in response.text
    assert "hit her with a belt" in response.text
    disclosed = mash.db.scalars(
        select(AuditEntry).where(AuditEntry.action.like("%:contact_subject:disclosed"))
    ).all()
    assert [e.object_id for e in disclosed] == [str(mash.contact.subjects[0].id)]


def test_nobody_else_finds_the_contact(mash: Mash) -> None:
    for name in ("Hana", "Pat", "Charlie"):
        browser = mash.browser(name)
        for path in ("", "/rating", "/research", "/decision"):
            assert browser.get(mash.url + path).status_code == 404, (name, path)


def test_the_whole_journey_through_the_pages(mash: Mash, frozen_clock: clock.Clock) -> None:
    bob, hana, erin, alice = (mash.browser(n) for n in ("Bob", "Hana", "Erin", "Alice"))
    health, education = mash.agencies["NOTTS-COMMUNITY"], mash.agencies["NCC-EDUCATION"]
    version = lambda: str(mash.db.get(Contact, mash.contact.id).version)  # noqa: E731

    # Rate: a reason is required, and the error is named beside its field.
    url = f"{mash.url}/rating"
    refused = post_form(bob, url, {"rating": "red", "reason": "", "version": version()}, url)
    assert refused.status_code == 400
    assert error_summary(refused) == {"#reason": "Enter why you are rating it Red"}
    rated = post_form(
        bob, url, {"rating": "red", "reason": "Injury to a child", "version": version()}, url
    )
    assert rated.status_code == 303

    # Ask health and education.
    url = f"{mash.url}/research"
    none_chosen = post_form(bob, url, {"question": "Known?", "version": version()}, url)
    assert error_summary(none_chosen) == {"#agencies": "Select at least one agency to ask"}
    asked = post_form(
        bob,
        url,
        {
            "agencies": [str(health.id), str(education.id)],
            "question": "Any injuries, missed appointments or absences?",
            "version": version(),
        },
        url,
    )
    assert asked.status_code == 303

    # Each practitioner answers from their own queue; neither can open the other's request.
    queue = table_rows(page(hana.get("/")), "Requests to answer")
    assert [row[0] for row in queue] == [mash.contact.reference]
    hana_link = page(hana.get("/")).select_one("#research-heading ~ table a")
    assert hana_link is not None
    hana_url = str(hana_link["href"])
    assert erin.get(hana_url).status_code == 404
    assert "Quartermaine" in hana.get(hana_url).text  # under the agreement, to answer it
    missing = post_form(hana, hana_url, {"summary": "Known"}, hana_url)
    assert set(error_summary(missing)) == {"#sensitivity"}
    answered = post_form(
        hana,
        hana_url,
        {
            "summary": "Seen in A&E in June with a wrist injury.",
            "sensitivity": "normal",
            "may_share": "no",
        },
        hana_url,
    )
    assert answered.status_code == 303
    erin_link = page(erin.get("/")).select_one("#research-heading ~ table a")
    assert erin_link is not None
    erin_url = str(erin_link["href"])
    post_form(
        erin,
        erin_url,
        {"summary": "Attendance 81% this term.", "sensitivity": "normal", "may_share": "yes"},
        erin_url,
    )

    # The manager reads the answers and decides on a strategy discussion.
    contact_page = bob.get(mash.url).text
    assert "Seen in A&amp;E in June" in contact_page
    url = f"{mash.url}/decision"
    decided = post_form(
        bob,
        url,
        {
            "outcome": "strategy_discussion",
            "rationale": "Disclosure of assault with a belt and a prior injury.",
            "harm_indicated": "yes",
            "took_part": [str(health.id), str(education.id)],
            "invited": [str(health.id), str(education.id), str(mash.contact.referrer_agency_id)],
            "version": version(),
        },
        url,
    )
    assert decided.status_code == 303
    decided_page = page(bob.get(mash.url))
    assert "was not invited" not in decided_page.get_text()
    owed = {row[0]: row[1] for row in table_rows(decided_page, "What the referrer is owed")}
    assert owed.keys() == {"Acknowledgement", "Outcome"}
    assert all("of working time left" in due for due in owed.values())

    # Feedback: the outcome message goes to the referrer.
    feedback_row = table_rows(page(bob.get("/")), "Acknowledgements and outcomes")
    assert [row[1] for row in feedback_row] == ["Acknowledgement", "Outcome"]
    outcome_link = page(bob.get("/")).select("#manager-heading ~ table")[-1].select("a")[-1]
    url = str(outcome_link["href"])
    sent = post_form(bob, url, {"message": "A strategy discussion is being held today."}, url)
    assert sent.status_code == 303

    # The referrer sees the outcome and the message, never the partners' research.
    mine = alice.get(mash.url)
    assert mine.status_code == 200
    text = page(mine).get_text()
    assert "Strategy discussion, leading to section 47 enquiries" in text
    assert "A strategy discussion is being held today." in text
    assert "Outcome from the MASH" in " ".join(text.split())
    assert "wrist injury" not in text and "Attendance" not in text
    assert "Red" not in text_of(page(mine), "main .govuk-summary-list")


def test_a_stale_rating_page_is_told_what_changed(mash: Mash) -> None:
    bob = mash.browser("Bob")
    url = f"{mash.url}/rating"
    read = str(mash.contact.version)
    post_form(bob, url, {"rating": "amber", "reason": "Neglect", "version": read}, url)
    stale = post_form(bob, url, {"rating": "red", "reason": "Worse", "version": read}, url)
    assert stale.status_code == 400
    (message,) = error_summary(stale).values()
    assert "rated this contact Amber" in message and "Nothing you sent was saved" in message


def test_a_contact_is_found_by_its_reference_by_those_working_it(mash: Mash) -> None:
    bob, charlie = mash.browser("Bob"), mash.browser("Charlie")
    lower = mash.contact.reference.lower()

    found = bob.get("/contacts", params={"reference": f" {lower} "})
    assert (found.status_code, found.headers["location"]) == (303, mash.url)
    for browser in (bob, charlie):
        missing = browser.get("/contacts", params={"reference": "MASH-2026-999999"})
        assert missing.status_code == 404
        assert error_summary(missing) == {
            "#reference": "There is no contact MASH-2026-999999 that you can see: check the "
            "reference"
        }
    # Someone not working it is told the same as for a reference that does not exist.
    hidden = charlie.get("/contacts", params={"reference": mash.contact.reference})
    assert hidden.status_code == 404
    assert error_summary(bob.get("/contacts")) == {
        "#reference": "Enter a reference, like MASH-2026-000123"
    }
