"""The hub in process, over HTTP, on a SQLite session that is rolled back after each test.

The app and the test share one session (the `sqlite_db` fixture), so a test can set up data
through the factories, act through HTTP, and then read the database to see what changed.
Pages are parsed with BeautifulSoup and checked for what a person would read.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from bs4 import BeautifulSoup, Tag
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from httpx import Response
from sqlalchemy.orm import Session
from starlette.exceptions import StarletteDeprecationWarning

from joinedup import clock
from joinedup.accounts import passwords
from joinedup.accounts.models import User
from joinedup.config import load_settings
from joinedup.directory.rules import AgencyKind, Role
from joinedup.web.app import create_app
from tests.factories import PASSWORD, create_agency, create_user

with warnings.catch_warnings():
    # Starlette 1.10 asks for the httpx2 package; uv.lock pins httpx, which still works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient as TestClient

BASE_URL = "http://testserver"
# Still argon2id, at the lowest cost: the real parameters take 50-300 ms a hash, which would
# make these tests about the CPU. tests/integration keeps the real cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
FAST_DUMMY_HASH = FAST_HASHER.hash("joinedup-no-such-account")


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "_hasher", FAST_HASHER)
    # The hash an unknown email is checked against, so that it costs the same as a wrong password.
    monkeypatch.setattr(passwords, "_dummy_hash", lambda: FAST_DUMMY_HASH)


@pytest.fixture
def app(sqlite_db: Session, tmp_path: Path) -> FastAPI:
    return create_app(load_settings(data_dir=tmp_path), session_factory=lambda: sqlite_db)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with new_client(app) as client:
        yield client


@pytest.fixture
def other_client(app: FastAPI) -> Iterator[TestClient]:
    """A second browser on the same hub, with cookies of its own."""
    with new_client(app) as client:
        yield client


@pytest.fixture
def admin(client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock) -> TestClient:
    """The client, signed in as Ada, an administrator at the county council."""
    council = create_agency(
        sqlite_db,
        AgencyKind.CHILDRENS_SOCIAL_CARE,
        code="NCC",
        name="Nottinghamshire County Council",
    )
    return sign_in(
        client, create_user(sqlite_db, "Ada", roles=(Role.ADMINISTRATOR,), agency=council)
    )


@dataclass(frozen=True)
class PageRoute:
    """One HTML route: its path, methods, and everything it depends on."""

    path: str
    methods: frozenset[str]
    dependencies: frozenset[Callable[..., object]]


def page_routes(app: FastAPI) -> list[PageRoute]:
    """Every route of the app itself (not of the mounted API or static files), one per method set.

    FastAPI 0.163 keeps included routers whole in `app.routes`; iter_route_contexts flattens
    them, with the router's own dependencies added to each route, as FastAPI serves them.
    """
    found = []
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute):
            found.append(
                PageRoute(
                    route.path, frozenset(route.methods or ()), frozenset(_calls(route.dependant))
                )
            )
    return found


def fill_in(path: str, **values: object) -> str:
    """A route's path with its parameters ({agency_id} or {agency_id:int}) filled in; a
    parameter not given is 1, which names nothing a test has not made."""
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda match: str(values.get(match[1], 1)), path)


def _calls(dependant: Dependant) -> Iterator[Callable[..., object]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def new_client(app: FastAPI, raise_server_exceptions: bool = True) -> TestClient:
    return TestClient(
        app,
        base_url=BASE_URL,
        follow_redirects=False,
        raise_server_exceptions=raise_server_exceptions,
    )


def page(response: Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def form_token(html: str) -> str:
    """The CSRF token in the page's first form."""
    field = BeautifulSoup(html, "html.parser").find("input", attrs={"name": "csrf_token"})
    assert field is not None, "the page has no form with a CSRF token"
    return str(field["value"])


def sign_in(client: TestClient, user: User, password: str = PASSWORD) -> TestClient:
    """Sign `user` in through the form, as a person would; fails the test if that does not work."""
    token = form_token(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={
            "csrf_token": token,
            "email": user.professional.email,
            "password": password,
            "next": "/",
        },
    )
    assert response.status_code == 303, f"sign-in refused: {text_of(page(response), 'main')}"
    return client


def post_form(client: TestClient, url: str, data: dict[str, object], token_from: str) -> Response:
    """POST `data` with the CSRF token read from the page at `token_from`."""
    token = form_token(client.get(token_from).text)
    return client.post(url, data={"csrf_token": token, **data})


def text_of(soup: Tag, selector: str) -> str:
    """The visible text of the first element matching `selector`, whitespace collapsed."""
    found = soup.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return " ".join(found.get_text(" ").split())


def texts_of(soup: Tag, selector: str) -> list[str]:
    return [" ".join(e.get_text(" ").split()) for e in soup.select(selector)]


def heading(response: Response) -> str:
    return text_of(page(response), "h1")


def error_summary(response: Response) -> dict[str, str]:
    """The GOV.UK error summary as {link target: message}; empty when there is none.

    Fails if a link goes nowhere, or its field does not show the same message beside it.
    """
    soup = page(response)
    summary = soup.select_one(".govuk-error-summary")
    if summary is None:
        return {}
    assert text_of(summary, ".govuk-error-summary__title") == "There is a problem"
    errors = {
        str(link["href"]): " ".join(link.get_text(" ").split())
        for link in summary.select(".govuk-error-summary__list a")
    }
    for target, message in errors.items():
        assert soup.select_one(target) is not None, f"the error summary links to a missing {target}"
        beside = soup.select_one(f"{target}-error")
        assert beside is not None and message in beside.get_text(), (
            f"{target} has no message beside it"
        )
    return errors


def table_rows(soup: BeautifulSoup, caption: str | None = None) -> list[list[str]]:
    """The body rows of a table (the one whose caption contains `caption`, else the first)."""
    for table in soup.select("table"):
        found = table.select_one("caption")
        if caption is None or (found is not None and caption in found.get_text()):
            return [
                [" ".join(cell.get_text(" ").split()) for cell in row.select("th, td")]
                for row in table.select("tbody tr")
            ]
    raise AssertionError(f"no table with the caption {caption!r}")
