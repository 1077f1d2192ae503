"""Raising a concern on the web: one question a page, errors in the GOV.UK style, a check of
every answer, and the reference at once.

Alice is a police officer who raises concerns; Bob, a teacher, must never see her draft.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts.models import User
from joinedup.audit.models import AuditEntry
from joinedup.directory.rules import AgencyKind
from joinedup.frontdoor.drafts import ContactDraft
from joinedup.frontdoor.models import Contact
from tests.factories import create_agency, create_user
from tests.web.conftest import (
    TestClient,
    error_summary,
    form_token,
    heading,
    page,
    sign_in,
    table_rows,
    text_of,
    texts_of,
)

JADE = {
    "kind": "child",
    "given_name": "Jade",
    "family_name": "Smith",
    "date_of_birth-day": "27",
    "date_of_birth-month": "3",
    "date_of_birth-year": "2015",
    "nhs_number": "943 476 5919",
    "upn": "",
    "address": "12 Forest Road, Mansfield",
    "postcode": "ng18 1ab",
}
DEAN = {
    "kind": "adult",
    "given_name": "Dean",
    "family_name": "Walker",
    "relationship": "mother's partner",
}


@pytest.fixture
def alice(client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock) -> TestClient:
    """The client, signed in as Alice, a police officer."""
    police = create_agency(sqlite_db, AgencyKind.POLICE, name="Nottinghamshire Police")
    return sign_in(client, create_user(sqlite_db, "Alice", agency=police))


def _user(db: Session, client: TestClient) -> User:
    """The user a signed-in client is (the newest user, as each test makes its own)."""
    found = db.scalar(select(User).order_by(User.id.desc()))
    assert found is not None
    return found


def post(client: TestClient, path: str, data: dict[str, Any] | None = None) -> Any:
    """Submit a form on the page at `path` (its CSRF token read from that page, as a browser)."""
    token = form_token(client.get(path).text)
    return client.post(path, data={"csrf_token": token, **(data or {})})


def draft_of(db: Session) -> ContactDraft | None:
    db.expire_all()
    return db.scalar(select(ContactDraft))


def start(client: TestClient) -> None:
    response = post(client, "/raise-a-concern")
    assert response.status_code == 303
    assert response.headers["location"] == "/raise-a-concern/people"


def add_person(
    client: TestClient, path: str, person: dict[str, str], index: int | None = None
) -> Any:
    where = path if index is None else f"{path}?index={index}"
    return post(client, where, person)


def answer_everything(client: TestClient) -> None:
    """A whole concern about Jade, with Dean in her household, up to check your answers."""
    start(client)
    assert add_person(client, "/raise-a-concern/person", JADE).status_code == 303
    assert (
        post(client, "/raise-a-concern/people", {"add_another": "no"}).headers["location"]
        == "/raise-a-concern/household"
    )
    post(client, "/raise-a-concern/household", {"add_another": "yes"})
    add_person(client, "/raise-a-concern/household-member", DEAN)
    steps = [
        ("/raise-a-concern/household", {"add_another": "no"}, "/raise-a-concern/concerns"),
        (
            "/raise-a-concern/concerns",
            {"concern_categories": ["neglect", "domestic_abuse"]},
            "/raise-a-concern/what-happened",
        ),
        (
            "/raise-a-concern/what-happened",
            {"what_happened": "Called to a disturbance.\nJade was in the house."},
            "/raise-a-concern/urgency",
        ),
        ("/raise-a-concern/urgency", {"urgency": "urgent"}, "/raise-a-concern/consent"),
        (
            "/raise-a-concern/consent",
            {"consent": "not_sought", "consent_not_sought_reason": "c"},
            "/raise-a-concern/check",
        ),
    ]
    for path, data, then in steps:
        response = post(client, path, data)
        assert response.status_code == 303, error_summary(response)
        assert response.headers["location"] == then


def send(client: TestClient) -> Any:
    check = client.get("/raise-a-concern/check")
    draft_id = page(check).select_one("input[name=draft_id]")
    assert draft_id is not None
    return client.post(
        "/raise-a-concern/check",
        data={"csrf_token": form_token(check.text), "draft_id": draft_id["value"]},
    )


# --- The whole journey ----------------------------------------------------------------------


def test_a_referrer_raises_a_concern_page_by_page_and_gets_its_reference_at_once(
    alice: TestClient, sqlite_db: Session
) -> None:
    home = page(alice.get("/"))
    assert home.select_one("a[href='/raise-a-concern']") is not None
    answer_everything(alice)

    check = alice.get("/raise-a-concern/check")
    assert heading(check) == "Check your answers before sending your concern"
    soup = page(check)
    cards = texts_of(soup, ".govuk-summary-card")
    assert "Jade Smith" in cards[0] and "27 March 2015" in cards[0] and "943 476 5919" in cards[0]
    assert "Dean Walker" in cards[1] and "mother's partner" in cards[1]
    concern = texts_of(soup, ".govuk-summary-list__row")[-4:]
    assert concern[0].startswith("What it is about Neglect, Domestic abuse")
    assert concern[2].startswith("How urgent Urgent")
    assert "(c) seeking it would prejudice the protection" in concern[3]

    response = send(alice)

    assert response.status_code == 303
    location = response.headers["location"]
    reference = location.removeprefix("/raise-a-concern/sent?reference=")
    sent = page(alice.get(location))
    assert text_of(sent, ".govuk-panel") == f"Concern sent Your reference number {reference}"
    rows = table_rows(page(alice.get("/")), "Quote the reference")
    assert [row[0] for row in rows] == [reference]
    contact = sqlite_db.scalar(select(Contact))
    assert contact is not None and contact.reference == reference
    assert contact.channel == "web"
    assert [(s.role, s.given_name, s.nhs_number) for s in contact.subjects] == [
        ("subject", "Jade", "9434765919"),
        ("household_member", "Dean", None),
    ]
    assert contact.subjects[0].postcode == "NG18 1AB"
    assert contact.subjects[1].relationship_to_subject == "mother's partner"
    assert contact.what_happened == "Called to a disturbance.\nJade was in the house."
    assert (contact.urgency, contact.consent, contact.consent_not_sought_reason) == (
        "urgent",
        "not_sought",
        "c",
    )
    assert draft_of(sqlite_db) is None, "the draft is gone once it is sent"
    received = sqlite_db.scalars(
        select(AuditEntry.object_id).where(AuditEntry.action == "referrer:contact:received")
    ).all()
    assert received == [str(contact.id)]
