"""The contacts API: raise a contact with a token, retry safely, follow it up, plain errors.

Alice is a police officer whose force's system raises contacts through the API; Charlie, a
teacher, has a token too and must not see Alice's contacts; Bob is a MASH manager.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts import services as accounts
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor.models import Contact
from tests.factories import ADMIN, create_agency, create_user
from tests.web.conftest import TestClient

URL = "/api/v1/contacts"


def token_for(db: Session, name: str, role: Role, kind: AgencyKind) -> dict[str, str]:
    user = create_user(db, name, roles=(role,), agency=create_agency(db, kind), password=None)
    _token, raw = accounts.create_api_token(db, ADMIN, user.professional.email, f"{name}'s system")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def alice(sqlite_db: Session, frozen_clock: clock.Clock) -> dict[str, str]:
    return token_for(sqlite_db, "Alice", Role.REFERRER, AgencyKind.POLICE)


def a_contact(**overrides: Any) -> dict[str, Any]:
    return {
        "subjects": [
            {
                "kind": "child",
                "given_name": "Jade",
                "family_name": "Smith",
                "date_of_birth": "2015-03-27",
                "nhs_number": "943 476 5919",
            }
        ],
        "concern_categories": ["domestic_abuse"],
        "what_happened": "Called to a disturbance; Jade was in the house.",
        "urgency": "urgent",
        "consent": "not_sought",
        "consent_not_sought_reason": "c",
        **overrides,
    }


def contacts_in(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Contact)) or 0


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_without_a_token_the_contacts_api_is_401(client: TestClient, method: str) -> None:
    url = URL if method == "POST" else f"{URL}/MASH-2026-000001"
    response = client.request(method, url, json=a_contact() if method == "POST" else None)

    assert response.status_code == 401
    assert "Authorization: Bearer <token>" in response.json()["detail"]


def test_a_contact_is_created_once_and_a_retry_with_the_same_key_returns_it_with_200(
    client: TestClient, sqlite_db: Session, alice: dict[str, str]
) -> None:
    headers = {**alice, "Idempotency-Key": "niche-occurrence-4411"}
    before = contacts_in(sqlite_db)

    first = client.post(URL, json=a_contact(), headers=headers)
    retry = client.post(URL, json=a_contact(), headers=headers)

    assert first.status_code == 201
    body = first.json()
    assert body["reference"].startswith("MASH-2026-")
    assert body["status"] == "received"
    assert body["status_description"] == "Received: waiting to be screened by the MASH"
    assert body["outcome"] is None
    assert first.headers["location"] == f"/api/v1/contacts/{body['reference']}"
    assert retry.status_code == 200
    assert retry.json() == body
    assert contacts_in(sqlite_db) == before + 1


def test_without_a_key_each_post_is_a_new_contact(
    client: TestClient, sqlite_db: Session, alice: dict[str, str]
) -> None:
    first = client.post(URL, json=a_contact(), headers=alice)
    second = client.post(URL, json=a_contact(), headers=alice)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["reference"] != second.json()["reference"]


def test_an_invalid_nhs_number_is_422_naming_the_field_in_plain_words(
    client: TestClient, sqlite_db: Session, alice: dict[str, str]
) -> None:
    bad = a_contact(subjects=[{"kind": "child", "given_name": "Jade", "nhs_number": "1234561234"}])
    before = contacts_in(sqlite_db)

    response = client.post(URL, json=bad, headers=alice)

    assert response.status_code == 422
    assert response.json() == {
        "detail": "The contact was not accepted: put right each problem listed and send it again",
        "errors": [
            {
                "field": "subjects[0].nhs_number",
                "message": "Enter a valid NHS number: 123 456 1234 fails its check digit",
            }
        ],
    }
    assert contacts_in(sqlite_db) == before


def test_a_wrongly_shaped_contact_gets_every_problem_in_plain_words(
    client: TestClient, alice: dict[str, str]
) -> None:
    bad = a_contact(
        subjects=[{"kind": "toddler", "given_name": "Jade", "date_of_birth": "27/03/2015"}],
        urgency="whenever",
        colour="red",
    )
    del bad["what_happened"]

    response = client.post(URL, json=bad, headers=alice)

    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors == {
        "subjects[0].kind": "subjects[0].kind must be one of 'child', 'adult' or 'unborn'",
        "subjects[0].date_of_birth": (
            "subjects[0].date_of_birth must be a real date written YYYY-MM-DD, like 2015-03-27"
        ),
        "what_happened": "Enter what_happened: it is required",
        "urgency": "urgency must be one of 'immediate', 'urgent' or 'routine'",
        "colour": "colour is not something a contact can hold: check its spelling",
    }


def test_a_body_that_is_not_json_is_422_saying_so(
    client: TestClient, alice: dict[str, str]
) -> None:
    response = client.post(
        URL, content=b"subjects=Jade", headers={**alice, "Content-Type": "application/json"}
    )

    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "body"
    assert error["message"] == "Send the contact as JSON: Expecting value"


def test_a_body_that_is_not_an_object_is_422_saying_what_to_send(
    client: TestClient, alice: dict[str, str]
) -> None:
    response = client.post(URL, json=[a_contact()], headers=alice)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body", "message": "Send the contact as a JSON object in the request body"}
    ]


def test_consent_not_sought_without_the_paragraph_18_reason_is_422(
    client: TestClient, alice: dict[str, str]
) -> None:
    response = client.post(URL, json=a_contact(consent_not_sought_reason=None), headers=alice)

    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "consent_not_sought_reason"


def test_an_unusable_idempotency_key_is_422_naming_the_header(
    client: TestClient, alice: dict[str, str]
) -> None:
    response = client.post(
        URL, json=a_contact(), headers={**alice, "Idempotency-Key": "has spaces in it"}
    )

    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "Idempotency-Key"


def test_the_referrer_follows_up_their_contact_by_reference(
    client: TestClient, alice: dict[str, str]
) -> None:
    reference = client.post(URL, json=a_contact(), headers=alice).json()["reference"]

    response = client.get(f"{URL}/{reference}", headers=alice)

    assert response.status_code == 200
    assert response.json()["reference"] == reference
    assert response.json()["status"] == "received"
    assert set(response.json()) == {
        "reference",
        "received_at",
        "status",
        "status_description",
        "outcome",
        "messages",
    }


def test_another_referrer_asking_for_the_contact_gets_404(
    client: TestClient, sqlite_db: Session, alice: dict[str, str]
) -> None:
    reference = client.post(URL, json=a_contact(), headers=alice).json()["reference"]
    charlie = token_for(sqlite_db, "Charlie", Role.REFERRER, AgencyKind.SCHOOL)

    response = client.get(f"{URL}/{reference}", headers=charlie)
    missing = client.get(f"{URL}/MASH-1999-000001", headers=charlie)

    assert response.status_code == 404
    # The same answer as for a contact that does not exist: nothing learnt about it.
    assert response.json()["detail"].replace(reference, "X") == missing.json()["detail"].replace(
        "MASH-1999-000001", "X"
    )


def test_a_mash_manager_can_follow_up_any_contact(
    client: TestClient, sqlite_db: Session, alice: dict[str, str]
) -> None:
    reference = client.post(URL, json=a_contact(), headers=alice).json()["reference"]
    bob = token_for(sqlite_db, "Bob", Role.MASH_MANAGER, AgencyKind.CHILDRENS_SOCIAL_CARE)

    assert client.get(f"{URL}/{reference}", headers=bob).status_code == 200


def test_the_api_reference_describes_the_contacts_endpoints(client: TestClient) -> None:
    described = client.get("/api/openapi.json").json()

    assert set(described["paths"]["/v1/contacts"]) == {"post"}
    post = described["paths"]["/v1/contacts"]["post"]
    assert {"201", "200", "401", "422"} <= set(post["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert "/v1/contacts/{reference}" in described["paths"]
    subject = described["components"]["schemas"]["SubjectIn"]["properties"]
    assert "check digit" in subject["nhs_number"]["description"]
