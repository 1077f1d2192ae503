"""Signing in: the form, its errors, where it sends you, and throttling."""

from __future__ import annotations

import pytest
from httpx import Response
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.web.deps import SESSION_COOKIE
from tests.factories import PASSWORD, create_user
from tests.web.conftest import TestClient, error_summary, form_token, heading, page, text_of


def submit_sign_in(client: TestClient, email: str, password: str, next_url: str = "/") -> Response:
    token = form_token(client.get("/sign-in").text)
    return client.post(
        "/sign-in",
        data={"csrf_token": token, "email": email, "password": password, "next": next_url},
    )


def test_the_sign_in_page_has_one_heading_and_a_joinedup_title(client: TestClient) -> None:
    response = client.get("/sign-in")

    soup = page(response)
    assert response.status_code == 200
    assert [h.get_text(strip=True) for h in soup.select("h1")] == ["Sign in to joinedup"]
    assert soup.title is not None and soup.title.get_text() == "Sign in – joinedup"
    assert soup.select_one("label[for=email]").get_text(strip=True) == "Email address"
    assert soup.select_one("label[for=password]").get_text(strip=True) == "Password"


def test_an_empty_email_and_password_are_both_shown_in_an_error_summary(
    client: TestClient, frozen_clock: clock.Clock
) -> None:
    response = submit_sign_in(client, "", "")

    soup = page(response)
    assert response.status_code == 400
    assert error_summary(response) == {
        "#email": "Enter your email address",
        "#password": "Enter your password",
    }
    assert soup.title is not None and soup.title.get_text() == "Error: Sign in – joinedup"
    assert "Enter your email address" in text_of(soup, "#email-error")
    assert "Enter your password" in text_of(soup, "#password-error")


def test_a_wrong_password_and_an_unknown_email_get_the_same_message(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    alice = create_user(sqlite_db)

    wrong_password = submit_sign_in(client, alice.professional.email, "not her password")
    unknown_email = submit_sign_in(client, "nobody@nowhere.example", PASSWORD)

    assert wrong_password.status_code == unknown_email.status_code == 400
    message = {"#email": "Enter a correct email address and password"}
    assert error_summary(wrong_password) == error_summary(unknown_email) == message
    # The email stays filled in so they can correct the password.
    assert page(wrong_password).select_one("#email")["value"] == alice.professional.email
    assert SESSION_COOKIE not in client.cookies


def test_signing_in_redirects_to_the_page_asked_for_and_sets_an_http_only_cookie(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    alice = create_user(sqlite_db)

    response = submit_sign_in(client, alice.professional.email, PASSWORD, "/?tab=concerns")

    assert response.status_code == 303
    assert response.headers["location"] == "/?tab=concerns"
    cookie = next(
        header
        for header in response.headers.get_list("set-cookie")
        if header.startswith(f"{SESSION_COOKIE}=")
    )
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert heading(client.get("/")) == "Your work"


def test_the_email_address_is_not_case_sensitive(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    alice = create_user(sqlite_db)

    response = submit_sign_in(client, f"  {alice.professional.email.upper()} ", PASSWORD)

    assert response.status_code == 303


@pytest.mark.parametrize(
    "next_url",
    [
        "//evil.example",
        "https://evil.example",
        "https://evil.example/sign-in",
        "/\\evil.example",
        "evil.example",
    ],
)
def test_an_off_site_next_address_sends_you_home_instead(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock, next_url: str
) -> None:
    alice = create_user(sqlite_db, password=PASSWORD)

    response = submit_sign_in(client, alice.professional.email, PASSWORD, next_url)

    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_an_off_site_next_address_is_not_put_in_the_sign_in_form(client: TestClient) -> None:
    response = client.get("/sign-in", params={"next": "//evil.example"})

    assert page(response).select_one("input[name=next]")["value"] == "/"


def test_after_five_failures_even_the_right_password_is_refused_for_15_minutes(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    alice = create_user(sqlite_db)
    email = alice.professional.email
    for attempt in range(5):
        refused = submit_sign_in(client, email, f"guess number {attempt}")
        assert error_summary(refused) == {"#email": "Enter a correct email address and password"}

    sixth = submit_sign_in(client, email, PASSWORD)

    assert sixth.status_code == 400
    assert error_summary(sixth) == {
        "#email": "There have been too many attempts to sign in to this account. "
        "Wait 15 minutes and try again"
    }
    assert SESSION_COOKIE not in client.cookies


def test_a_signed_in_person_visiting_sign_in_goes_straight_to_their_page(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    alice = create_user(sqlite_db)
    submit_sign_in(client, alice.professional.email, PASSWORD)

    response = client.get("/sign-in", params={"next": "/admin/directory"})

    assert response.status_code == 303
    assert response.headers["location"] == "/admin/directory"
