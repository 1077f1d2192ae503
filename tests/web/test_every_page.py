"""Rules every page keeps, checked over all of them so that a new page cannot forget one."""

from __future__ import annotations

from collections import deque
from urllib.parse import urljoin, urlsplit

from fastapi import FastAPI
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts import services as accounts
from joinedup.directory.rules import AgencyKind
from joinedup.web.deps import check_csrf
from tests.factories import ADMIN, create_agency, create_area, create_professional, create_user
from tests.web.conftest import BASE_URL, TestClient, fill_in, page, page_routes, post_form

# The only pages anyone may see without signing in.
PUBLIC = {"/sign-in", "/healthz"}


def test_the_route_walk_finds_the_pages(app: FastAPI) -> None:
    paths = {route.path for route in page_routes(app)}

    assert {"/", "/sign-in", "/sign-out", "/admin/directory", "/healthz"} <= paths


def test_every_form_handler_checks_the_csrf_token(app: FastAPI) -> None:
    """Routers made with page_router() check CSRF on every POST; a bare APIRouter would not."""
    unchecked = [
        route.path
        for route in page_routes(app)
        if "POST" in route.methods and check_csrf not in route.dependencies
    ]

    assert unchecked == [], f"these forms are not checked for CSRF: {unchecked}"


def test_every_page_but_sign_in_needs_you_to_sign_in(app: FastAPI, client: TestClient) -> None:
    open_pages = []
    for route in page_routes(app):
        if "GET" not in route.methods or route.path in PUBLIC:
            continue
        response = client.get(fill_in(route.path, agency_id=1, professional_id=1, token_id=1))
        sent_to_sign_in = (
            response.status_code == 303
            and urlsplit(response.headers["location"]).path == "/sign-in"
        )
        if not (sent_to_sign_in or response.status_code == 404):
            open_pages.append(f"{route.path} ({response.status_code})")

    assert open_pages == [], f"these pages open without signing in: {open_pages}"


def test_every_page_an_administrator_can_reach_has_a_title_and_one_heading(
    admin: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    # A directory with one of everything, so that every kind of page has something to show.
    area = create_area(sqlite_db, "ASHFIELD", "Ashfield")
    police = create_agency(sqlite_db, AgencyKind.POLICE, name="Nottinghamshire Police", area=area)
    post_form(
        admin,
        f"/admin/agencies/{police.id}/teams/new",
        {"name": "PPU", "code": "PPU"},
        token_from=f"/admin/agencies/{police.id}/teams/new",
    )
    create_professional(sqlite_db, "Carol", agency=police)
    tom = create_user(sqlite_db, "Tom", agency=police, password=None)
    accounts.create_api_token(sqlite_db, ADMIN, tom.professional.email, "Niche")

    seen, problems = crawl(admin, "/")

    assert problems == []
    # Home, directory, tokens, the two agencies, their forms, Ada, Carol and Tom at least.
    assert len(seen) >= 12, sorted(seen)


def crawl(client: TestClient, start: str) -> tuple[set[str], list[str]]:
    """Follow every same-site link from `start`; report pages without a title or one <h1>.

    The API reference is Swagger UI's page, not ours, and has no server-rendered heading.
    """
    seen, queue, problems = {start}, deque([start]), []
    while queue:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200:
            problems.append(f"{url}: {response.status_code}")
            continue
        soup = page(response)
        title = soup.title.get_text() if soup.title else ""
        headings = soup.select("h1")
        if not title.endswith(" – joinedup") or len(title) <= len(" – joinedup"):
            problems.append(f"{url}: title {title!r}")
        if len(headings) != 1:
            problems.append(f"{url}: {len(headings)} <h1> elements")
        for link in soup.select("a[href]"):
            target = urljoin(BASE_URL + url, str(link["href"]))
            parts = urlsplit(target)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if (
                target.startswith(BASE_URL)
                and not parts.path.startswith(("/static/", "/api/"))
                and path not in seen
            ):
                seen.add(path)
                queue.append(path)
    return seen, problems
