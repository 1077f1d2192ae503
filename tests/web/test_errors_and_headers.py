"""Error pages in the GOV.UK pattern, and the protective headers on every page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from httpx import Response
from sqlalchemy.orm import Session

from joinedup import __version__, clock
from joinedup.directory.rules import Role
from tests.factories import create_user
from tests.web.conftest import TestClient, heading, new_client, page, sign_in, text_of


def test_an_unknown_address_gets_the_gov_uk_page_not_found(client: TestClient) -> None:
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert heading(response) == "Page not found"
    assert "If you typed the web address, check it is correct." in text_of(page(response), "main")
    soup = page(response)
    assert soup.title is not None and soup.title.get_text() == "Page not found – joinedup"


def test_a_server_error_gets_the_gov_uk_sorry_page_with_the_same_headers(app: FastAPI) -> None:
    def broken() -> None:
        raise RuntimeError("secret detail of what went wrong")

    app.add_api_route("/broken-for-this-test", broken)
    with new_client(app, raise_server_exceptions=False) as client:
        response = client.get("/broken-for-this-test")

    assert response.status_code == 500
    assert heading(response) == "Sorry, there is a problem with the service"
    assert "secret detail" not in response.text
    assert_protective_headers(response)


def signed_out_sign_in_page(client: TestClient, db: Session) -> Response:
    return client.get("/sign-in")


def sign_in_with_errors(client: TestClient, db: Session) -> Response:
    return client.post("/sign-in", data={"csrf_token": client.cookies.get("joinedup_csrf", "")})


def page_not_found(client: TestClient, db: Session) -> Response:
    return client.get("/no/such/page")


def form_without_a_token(client: TestClient, db: Session) -> Response:
    return client.post("/sign-out", data={})


def signed_in_home(client: TestClient, db: Session) -> Response:
    return sign_in(client, create_user(db, "Bob", roles=(Role.MASH_MANAGER,))).get("/")


def admin_page(client: TestClient, db: Session) -> Response:
    return sign_in(client, create_user(db, "Ada", roles=(Role.ADMINISTRATOR,))).get(
        "/admin/directory"
    )


HTML_RESPONSES: list[Callable[[TestClient, Session], Response]] = [
    signed_out_sign_in_page,
    sign_in_with_errors,
    page_not_found,
    form_without_a_token,
    signed_in_home,
    admin_page,
]


@pytest.mark.parametrize("get", HTML_RESPONSES, ids=lambda get: get.__name__)
def test_every_page_carries_a_csp_whose_nonce_matches_its_inline_script(
    client: TestClient,
    sqlite_db: Session,
    frozen_clock: clock.Clock,
    get: Callable[[TestClient, Session], Response],
) -> None:
    client.get("/sign-in")  # for the anonymous CSRF cookie

    response = get(client, sqlite_db)

    assert response.headers["content-type"].startswith("text/html")
    assert_protective_headers(response)


def assert_protective_headers(response: Response) -> None:
    policy = response.headers.get("content-security-policy", "")
    nonce = re.search(r"script-src 'self' 'nonce-([A-Za-z0-9_-]+)'", policy)
    assert nonce is not None, f"no script nonce in the CSP {policy!r}"
    inline = [s for s in page(response).select("script") if not s.has_attr("src")]
    assert inline, "the GOV.UK template's inline script is missing"
    assert all(s.get("nonce") == nonce[1] for s in inline)
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    assert response.headers.get("x-frame-options") == "DENY"
    assert response.headers.get("cache-control") == "no-store"
    assert response.headers.get("x-content-type-options") == "nosniff"


def test_each_response_gets_a_new_nonce(client: TestClient) -> None:
    first, second = (client.get("/sign-in").headers["content-security-policy"] for _ in range(2))

    assert first != second


def test_static_assets_may_be_cached(client: TestClient) -> None:
    response = client.get("/static/app.js")

    assert response.status_code == 200
    assert "cache-control" not in response.headers


def test_the_health_check_says_ok_and_the_version(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}
