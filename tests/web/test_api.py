"""The JSON API: bearer tokens, not cookies, and its reference served from the hub itself."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts import services as accounts
from joinedup.directory.rules import AgencyKind, Role
from tests.factories import ADMIN, create_agency, create_user
from tests.web.conftest import TestClient, sign_in


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer jdp_not-a-real-token"}, {"Authorization": "Basic YTpi"}],
    ids=["no token", "an unknown token", "a password instead"],
)
def test_the_api_without_a_valid_token_is_401_saying_how_to_get_one(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.get("/api/v1/me", headers=headers)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert response.headers["www-authenticate"] == "Bearer"
    detail = response.json()["detail"]
    assert "Authorization: Bearer <token>" in detail
    assert "joinedup tokens create" in detail


def test_a_valid_token_acts_as_its_professional_with_their_roles(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    police = create_agency(sqlite_db, AgencyKind.POLICE, name="Nottinghamshire Police")
    tom = create_user(
        sqlite_db,
        "Tom",
        roles=(Role.REFERRER, Role.MASH_PRACTITIONER),
        agency=police,
        password=None,
    )
    _token, raw = accounts.create_api_token(sqlite_db, ADMIN, tom.professional.email, "Niche")

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 200
    assert response.json() == {
        "name": "Tom Archer (Nottinghamshire Police)",
        "agency_kind": "police",
        "roles": ["mash_practitioner", "referrer"],
    }


def test_a_revoked_token_is_401(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    tom = create_user(sqlite_db, "Tom", password=None)
    token, raw = accounts.create_api_token(sqlite_db, ADMIN, tom.professional.email, "Niche")
    accounts.revoke_api_token(sqlite_db, ADMIN, token.id)

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 401


def test_a_signed_in_browser_is_not_let_into_the_api_by_its_cookie(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    # The API takes no CSRF token, so it must not accept the session cookie either.
    sign_in(client, create_user(sqlite_db, "Alice"))

    assert client.get("/api/v1/me").status_code == 401


def test_the_openapi_description_lists_the_api(client: TestClient) -> None:
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    described = response.json()
    assert described["info"]["title"] == "joinedup API"
    assert "/v1/me" in described["paths"]
    assert described["servers"] == [{"url": "/api"}]


def test_the_api_reference_is_swagger_ui_served_by_the_hub_not_a_cdn(client: TestClient) -> None:
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert "<title>joinedup API reference</title>" in response.text
    assert '"/static/vendor/swagger-ui/swagger-ui-bundle.js"' in response.text
    assert '"/static/vendor/swagger-ui/swagger-ui.css"' in response.text
    assert "cdn" not in response.text.lower()
    assert "https://" not in response.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/static/vendor/swagger-ui/{asset}").status_code == 200
