"""Administration is invisible to everyone else: they get 404, as if the pages did not exist."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts import services as accounts
from joinedup.audit.models import AuditEntry
from joinedup.config import load_settings
from joinedup.directory.rules import Role
from joinedup.web.app import create_app
from tests.factories import ADMIN, create_user
from tests.web.conftest import TestClient, fill_in, form_token, heading, page_routes, sign_in

# Every administration URL the app has, found from its routes so that a new one is covered.
ADMIN_ROUTES = sorted(
    (method, route.path)
    for route in page_routes(create_app(load_settings(), session_factory=lambda: None))
    if route.path.startswith("/admin")
    for method in route.methods
)
EVERY_ROLE_BUT_ADMINISTRATOR = tuple(role for role in Role if role is not Role.ADMINISTRATOR)


def admin_changes(db: Session) -> int:
    return (
        db.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("admin:%"))
        )
        or 0
    )


def test_the_admin_routes_were_found() -> None:
    assert ("GET", "/admin/directory") in ADMIN_ROUTES
    assert ("GET", "/admin/tokens") in ADMIN_ROUTES


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES, ids=[" ".join(r) for r in ADMIN_ROUTES])
def test_someone_without_the_administrator_role_gets_page_not_found(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock, method: str, path: str
) -> None:
    # Every other role at once, acting on their own records, which certainly exist.
    rita = create_user(sqlite_db, "Rita", roles=EVERY_ROLE_BUT_ADMINISTRATOR)
    token, _raw = accounts.create_api_token(sqlite_db, ADMIN, rita.professional.email, "Niche")
    sign_in(client, rita)
    url = fill_in(
        path,
        agency_id=rita.professional.agency_id,
        professional_id=rita.professional.id,
        token_id=token.id,
    )
    before = admin_changes(sqlite_db)
    data = {
        "csrf_token": form_token(client.get("/").text),
        "code": "NEWARK",
        "name": "Newark",
        "kind": "police",
        "role": "administrator",
        "change": "grant",
        "password": "a long password",
        "email": rita.professional.email,
        "given_name": "Eve",
        "family_name": "Evans",
    }

    response = client.request(method, url, data=data if method == "POST" else None)

    assert response.status_code == 404
    assert heading(response) == "Page not found"
    assert admin_changes(sqlite_db) == before


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/admin/agencies/9999"),
        ("GET", "/admin/agencies/9999/teams/new"),
        ("POST", "/admin/agencies/9999/teams/new"),
        ("GET", "/admin/agencies/9999/professionals/new"),
        ("POST", "/admin/agencies/9999/professionals/new"),
        ("GET", "/admin/professionals/9999"),
        ("POST", "/admin/professionals/9999/roles"),
        ("POST", "/admin/professionals/9999/left"),
        ("POST", "/admin/professionals/9999/sign-in"),
        ("POST", "/admin/tokens/9999/revoke"),
    ],
)
def test_an_unknown_agency_professional_or_token_is_page_not_found(
    admin: TestClient, method: str, url: str
) -> None:
    data = {
        "csrf_token": form_token(admin.get("/").text),
        "code": "PPU",
        "name": "PPU",
        "role": "referrer",
        "password": "a long password",
        "given_name": "Eve",
        "family_name": "Evans",
        "email": "eve@police.example",
    }

    response = admin.request(method, url, data=data if method == "POST" else None)

    assert response.status_code == 404
    assert heading(response) == "Page not found"


@pytest.mark.parametrize("url", ["/admin/agencies/police", "/admin/professionals/1e3"])
def test_an_address_with_a_mistyped_number_is_page_not_found_not_json(
    admin: TestClient, url: str
) -> None:
    response = admin.get(url)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert heading(response) == "Page not found"
