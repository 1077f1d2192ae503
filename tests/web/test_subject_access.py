"""Subject access pages for IG leads: find the person, see what the export holds, download it;
each look on the ledger as a disclosure to the IG lead; everyone else finds nothing.

Jade's case is tests/governance.py's: Ian is the police's IG lead.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.audit.models import AuditEntry
from joinedup.directory.rules import Role
from tests.conftest import TEST_NOW
from tests.factories import PASSWORD, create_user
from tests.governance import JadeCase
from tests.governance_cases import JADE, JadeWithCases
from tests.web.conftest import (
    TestClient,
    error_summary,
    form_token,
    heading,
    page,
    sign_in,
    table_rows,
)

EXPORTED = "user:subject_access:disclosed"


@pytest.fixture
def jade(sqlite_db: Session, frozen_clock: clock.Clock) -> JadeCase:
    return JadeCase(sqlite_db, TEST_NOW.date(), password=PASSWORD)


@pytest.fixture
def ian(client: TestClient, jade: JadeCase) -> TestClient:
    return sign_in(client, jade.user("Ian"))


def exports_by(db: Session, user_id: int | None = None) -> int:
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == EXPORTED)
    if user_id is not None:
        query = query.where(AuditEntry.actor_user_id == user_id)
    return db.scalar(query) or 0


def find(client: TestClient, person: str) -> Response:
    token = form_token(client.get("/subject-access").text)
    return client.post("/subject-access", data={"csrf_token": token, "person": person})


def test_an_ig_lead_finds_jade_by_nhs_number_and_sees_what_the_export_holds(
    ian: TestClient, jade: JadeCase, sqlite_db: Session
) -> None:
    found = find(ian, "943 476 5919")
    assert found.status_code == 303
    assert found.headers["location"] == f"/subject-access/{jade.reference}"
    assert exports_by(sqlite_db) == 0  # finding her showed nothing of her

    response = ian.get(f"/subject-access/{jade.reference}")

    assert response.status_code == 200
    assert heading(response) == f"Everything held about {jade.reference}"
    soup = page(response)
    assert "Jade Smith" in soup.get_text()
    assert ["Agencies' records", "1"] in table_rows(soup, "Items in each section")
    assert table_rows(soup, "Every contact naming them") == [
        [
            jade.contact.reference,
            "24 November 2026 at 10:00am",
            "the person the concern is about",
            "Information and advice",
        ]
    ]
    assert [
        "Another person: information about someone else (UK GDPR Art 15(4); DPA 2018 "
        "Schedule 2 paragraph 16)",
        "1",
    ] in table_rows(soup, "Marks for review")
    # DESIGN invariant 1: the page showed her details, and put that on the ledger for Ian.
    assert exports_by(sqlite_db, jade.user_ids["Ian"]) == 1


def test_the_downloads_are_the_readable_document_and_the_json_each_on_the_ledger(
    ian: TestClient, jade: JadeCase, sqlite_db: Session
) -> None:
    document = ian.get(f"/subject-access/{jade.reference}/sar.html")
    data = ian.get(f"/subject-access/{jade.reference}/sar.json")

    assert document.headers["content-disposition"] == (
        f'attachment; filename="sar-{jade.reference}-2026-11-24.html"'
    )
    assert f"Subject access export: {jade.reference}" in document.text
    assert data.headers["content-type"] == "application/json"
    assert json.loads(data.text)["agency_records"][0]["record_id"] == "NP-JADE"
    assert exports_by(sqlite_db, jade.user_ids["Ian"]) == 2
    for response in (document, data):
        assert response.headers["cache-control"] == "no-store"


def test_her_social_care_case_and_the_contact_routed_to_her_worker_are_on_the_page_and_document(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock, tmp_path: Path
) -> None:
    jade = JadeWithCases(sqlite_db, TEST_NOW.date(), tmp_path, password=PASSWORD)
    routed = jade.about(JADE)
    ian = sign_in(client, jade.user("Ian"))

    soup = page(ian.get(f"/subject-access/{jade.reference}"))
    document = ian.get(f"/subject-access/{jade.reference}/sar.html").text

    assert ["Social care cases", "1"] in table_rows(soup, "Items in each section")
    assert table_rows(soup, "Each social care case held for them") == [
        ["Nottinghamshire Children's Services", "CIN-100", "25 October 2026", "Open"]
    ]
    assert [
        routed.reference,
        "24 November 2026 at 10:00am",
        "the person the concern is about",
        "With the allocated social worker",
    ] in table_rows(soup, "Every contact naming them")
    assert "Nottinghamshire Children&#39;s Services: case CIN-100, open" in document
    assert "Routed to a social care case" in document
    assert exports_by(sqlite_db, jade.user_ids["Ian"]) == 2


def test_a_person_that_is_wrong_or_names_no_one_is_named_beside_the_field(
    ian: TestClient, jade: JadeCase, sqlite_db: Session
) -> None:
    problems = {
        "": "Enter a master person reference like P00000042, or an NHS number like 943 476 5919",
        "Jade Smith": "'Jade Smith' is neither",
        "P99999999": "There is no person P99999999 in the hub: check the reference",
        "943 476 5918": "NHS number 943 476 5918 fails its check digit",
    }
    for typed, message in problems.items():
        response = find(ian, typed)

        assert response.status_code == 400, typed
        errors = error_summary(response)
        assert list(errors) == ["#person"] and message in errors["#person"], typed
        field = page(response).select_one("#person")
        assert field is not None and field.get("value", "") == typed
    for person in ("P99999999", "nobody", "9434765918"):  # typed into the address instead
        assert ian.get(f"/subject-access/{person}").status_code == 404, person
    assert exports_by(sqlite_db) == 0


def test_no_one_but_an_ig_lead_finds_subject_access(
    client: TestClient, jade: JadeCase, sqlite_db: Session
) -> None:
    everyone_else = tuple(role for role in Role if role is not Role.IG_LEAD)
    rita = create_user(sqlite_db, "Rita", roles=everyone_else, agency=jade.police)
    sign_in(client, rita)
    token = form_token(client.get("/").text)

    for url in (
        "/subject-access",
        f"/subject-access/{jade.reference}",
        f"/subject-access/{jade.reference}/sar.html",
        f"/subject-access/{jade.reference}/sar.json",
    ):
        response = client.get(url)
        assert (response.status_code, heading(response)) == (404, "Page not found"), url
    posted = client.post("/subject-access", data={"csrf_token": token, "person": jade.reference})
    assert posted.status_code == 404
    assert "Subject access requests" not in page(client.get("/")).get_text()
    assert exports_by(sqlite_db) == 0


def test_the_search_without_this_sessions_token_is_refused(ian: TestClient, jade: JadeCase) -> None:
    response = ian.post("/subject-access", data={"person": jade.reference})

    assert response.status_code == 400
    assert heading(response) == "Your form could not be sent"


def test_the_ig_leads_home_page_links_to_subject_access_and_each_page_has_a_title(
    ian: TestClient, jade: JadeCase
) -> None:
    home = page(ian.get("/"))
    assert home.select_one('a[href="/subject-access"]') is not None

    for url in ("/subject-access", f"/subject-access/{jade.reference}"):
        soup = page(ian.get(url))
        assert soup.title is not None and soup.title.get_text().endswith(" – joinedup")
        assert len(soup.select("h1")) == 1
