"""An administrator issues API tokens for partner systems, sees each once, and revokes them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.accounts import services as accounts
from joinedup.accounts.models import ApiToken
from joinedup.directory.rules import AgencyKind
from tests.factories import ADMIN, create_agency, create_user
from tests.web.conftest import TestClient, error_summary, page, post_form, table_rows, text_of

NOW = "24 November 2026 at 10:00am"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_shown_once_when_issued_and_never_again(
    admin: TestClient, sqlite_db: Session
) -> None:
    police = create_agency(sqlite_db, AgencyKind.POLICE, name="Nottinghamshire Police")
    tom = create_user(sqlite_db, "Tom", agency=police, password=None)

    issued = post_form(
        admin,
        "/admin/tokens",
        {"name": "Police records system", "email": tom.professional.email},
        token_from="/admin/tokens",
    )

    assert issued.status_code == 200
    soup = page(issued)
    assert text_of(soup, ".govuk-panel__title") == "Token created"
    # The token itself, ready to copy: not wrapped in visible markup.
    assert "<code" not in text_of(soup, ".govuk-panel")
    raw = text_of(soup, ".govuk-panel code")
    assert raw.startswith("jdp_")
    # The panel sits under the page's own heading, so the page keeps one <h1>.
    assert [h.get_text(strip=True) for h in soup.select("h1")] == ["API tokens"]
    assert "cannot be shown again" in text_of(soup, ".govuk-warning-text")
    later = admin.get("/admin/tokens")
    assert raw not in later.text
    assert page(later).select(".govuk-panel") == []
    [row] = table_rows(page(later), "Tokens")
    assert row == [
        "Police records system",
        "Tom Archer Nottinghamshire Police",
        raw[:10],
        "Never",
        "Revoke Police records system",
    ]
    me = admin.get("/api/v1/me", headers=bearer(raw))
    assert me.status_code == 200
    assert me.json()["name"] == "Tom Archer (Nottinghamshire Police)"
    assert table_rows(page(admin.get("/admin/tokens")), "Tokens")[0][3] == NOW


def test_a_revoked_token_no_longer_opens_the_api(admin: TestClient, sqlite_db: Session) -> None:
    tom = create_user(sqlite_db, "Tom", password=None)
    _token, raw = accounts.create_api_token(sqlite_db, ADMIN, tom.professional.email, "Mosaic")
    assert admin.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    revoke = page(admin.get("/admin/tokens")).select_one("form[action$='/revoke']")
    assert revoke is not None

    response = post_form(admin, str(revoke["action"]), {}, token_from="/admin/tokens")

    assert response.status_code == 303
    assert response.headers["location"] == "/admin/tokens"
    [row] = table_rows(page(admin.get("/admin/tokens")), "Tokens")
    assert row[4] == f"Revoked {NOW}"
    assert admin.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_a_token_needs_a_name_and_someone_who_can_sign_in(
    admin: TestClient, sqlite_db: Session
) -> None:
    tom = create_user(sqlite_db, "Tom", password=None)

    unnamed = post_form(
        admin,
        "/admin/tokens",
        {"name": " ", "email": tom.professional.email},
        token_from="/admin/tokens",
    )
    nobody = post_form(
        admin,
        "/admin/tokens",
        {"name": "Mosaic", "email": "nobody@nowhere.example"},
        token_from="/admin/tokens",
    )

    assert unnamed.status_code == nobody.status_code == 400
    assert error_summary(unnamed) == {
        "#name": "Give the token a name that says which system uses it"
    }
    assert list(error_summary(nobody)) == ["#email"]
    assert error_summary(nobody)["#email"].startswith("nobody@nowhere.example cannot sign in")
    assert sqlite_db.scalar(select(func.count()).select_from(ApiToken)) == 0
