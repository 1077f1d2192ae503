"""Sessions: signed-out people are sent to sign in; sessions end on sign-out and when idle."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.directory.rules import Role
from joinedup.web.deps import SESSION_COOKIE
from tests.factories import create_user
from tests.web.conftest import TestClient, form_token, heading, page, sign_in, text_of


def redirect_target(location: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(location)
    return parts.path, parse_qs(parts.query)


def test_a_signed_out_visit_to_home_is_sent_to_sign_in_and_back(client: TestClient) -> None:
    response = client.get("/")

    assert response.status_code == 303
    assert redirect_target(response.headers["location"]) == ("/sign-in", {"next": ["/"]})


def test_the_page_asked_for_survives_the_trip_through_sign_in_with_its_query(
    client: TestClient,
) -> None:
    response = client.get("/admin/directory?sort=name&area=NEWARK")

    path, query = redirect_target(response.headers["location"])
    assert (path, query) == ("/sign-in", {"next": ["/admin/directory?sort=name&area=NEWARK"]})
    form = page(client.get(response.headers["location"]))
    assert form.select_one("input[name=next]")["value"] == "/admin/directory?sort=name&area=NEWARK"


def test_after_signing_out_the_old_cookie_no_longer_works(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    alice = create_user(sqlite_db)
    sign_in(client, alice)
    old_cookie = client.cookies[SESSION_COOKIE]

    response = client.post("/sign-out", data={"csrf_token": form_token(client.get("/").text)})

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?signed_out=1"
    assert SESSION_COOKIE not in client.cookies
    assert "You have signed out." in text_of(page(client.get(response.headers["location"])), "main")
    # Someone who copied the cookie before sign-out cannot use it afterwards.
    client.cookies.set(SESSION_COOKIE, old_cookie)
    replayed = client.get("/")
    assert replayed.status_code == 303
    assert urlsplit(replayed.headers["location"]).path == "/sign-in"


def test_after_31_idle_minutes_you_are_asked_to_sign_in_again_and_told_why(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    bob = create_user(sqlite_db, "Bob", roles=(Role.MASH_MANAGER,))
    sign_in(client, bob)
    assert heading(client.get("/")) == "Your work"

    frozen_clock.advance(dt.timedelta(minutes=31))
    response = client.get("/")

    assert response.status_code == 303
    path, query = redirect_target(response.headers["location"])
    assert (path, query) == ("/sign-in", {"next": ["/"], "expired": ["1"]})
    notice = page(client.get(response.headers["location"]))
    assert text_of(notice, ".govuk-notification-banner__content") == (
        "You were signed out because you had not used joinedup for a while."
    )


def test_using_joinedup_within_30_minutes_keeps_you_signed_in(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    bob = create_user(sqlite_db, "Bob", roles=(Role.MASH_MANAGER,))
    sign_in(client, bob)

    for _ in range(3):
        frozen_clock.advance(dt.timedelta(minutes=25))
        assert heading(client.get("/")) == "Your work"


def test_a_session_ends_after_12_hours_however_busy(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    bob = create_user(sqlite_db, "Bob", roles=(Role.MASH_MANAGER,))
    sign_in(client, bob)
    for _ in range(12 * 3 - 1):
        frozen_clock.advance(dt.timedelta(minutes=20))
        assert client.get("/").status_code == 200

    frozen_clock.advance(dt.timedelta(minutes=20))
    response = client.get("/")

    assert response.status_code == 303
    assert urlsplit(response.headers["location"]).path == "/sign-in"
