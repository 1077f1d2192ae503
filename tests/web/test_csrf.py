"""Every form carries a CSRF token tied to the browser's session; without it nothing happens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts import services as accounts
from joinedup.accounts.models import ApiToken, SignInAttempt, User
from joinedup.directory.models import Agency, Area, Professional, Team
from joinedup.directory.rules import Role
from joinedup.web.deps import SESSION_COOKIE
from tests.factories import ADMIN, PASSWORD, create_agency, create_professional, create_user
from tests.web.conftest import TestClient, form_token, heading, sign_in


def assert_rejected(response: Response) -> None:
    assert response.status_code == 400
    assert heading(response) == "Your form could not be sent"


def test_signing_in_without_a_token_is_refused_and_not_recorded(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    alice = create_user(sqlite_db)
    client.get("/sign-in")

    response = client.post(
        "/sign-in", data={"email": alice.professional.email, "password": PASSWORD, "next": "/"}
    )

    assert_rejected(response)
    assert SESSION_COOKIE not in client.cookies
    assert sqlite_db.scalar(select(func.count()).select_from(SignInAttempt)) == 0


def test_signing_in_with_another_browsers_token_is_refused(
    client: TestClient, other_client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    alice = create_user(sqlite_db)
    client.get("/sign-in")
    someone_elses = form_token(other_client.get("/sign-in").text)

    response = client.post(
        "/sign-in",
        data={
            "csrf_token": someone_elses,
            "email": alice.professional.email,
            "password": PASSWORD,
            "next": "/",
        },
    )

    assert_rejected(response)
    assert SESSION_COOKIE not in client.cookies


@pytest.mark.parametrize("token", ["missing", "another session's"])
def test_signing_out_without_this_sessions_token_leaves_you_signed_in(
    client: TestClient,
    other_client: TestClient,
    sqlite_db: Session,
    frozen_clock: clock.Clock,
    token: str,
) -> None:
    alice = create_user(sqlite_db)
    sign_in(client, alice)
    # Alice again, in another browser: a real session whose token is not this one's.
    data = (
        {}
        if token == "missing"
        else {"csrf_token": form_token(sign_in(other_client, alice).get("/").text)}
    )

    response = client.post("/sign-out", data=data)

    assert_rejected(response)
    assert heading(client.get("/")) == "Your work"


@dataclass(frozen=True)
class Directory:
    """What the admin forms act on: an agency, a professional without a sign-in, a token."""

    agency: Agency
    professional: Professional
    token: ApiToken
    token_user_email: str


@pytest.fixture
def directory(sqlite_db: Session, frozen_clock: clock.Clock) -> Directory:
    agency = create_agency(sqlite_db, code="NOTTS-POLICE", name="Nottinghamshire Police")
    user = create_user(sqlite_db, "Dan", agency=agency, password=None)
    token, _raw = accounts.create_api_token(sqlite_db, ADMIN, user.professional.email, "Niche")
    carol = create_professional(sqlite_db, "Carol", agency=agency, roles=(Role.REFERRER,))
    return Directory(agency, carol, token, user.professional.email)


def _count(db: Session, model: type[object], *where: object) -> int:
    return db.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


# Each admin form: where it posts, what it sends, and a check that nothing changed.
AdminForm = tuple[
    Callable[[Directory], str],
    Callable[[Directory], dict[str, object]],
    Callable[[Session, Directory], bool],
]
ADMIN_FORMS: dict[str, AdminForm] = {
    "add an area": (
        lambda d: "/admin/areas/new",
        lambda d: {"code": "NEWARK", "name": "Newark"},
        lambda db, d: _count(db, Area, Area.code == "NEWARK") == 0,
    ),
    "add an agency": (
        lambda d: "/admin/agencies/new",
        lambda d: {"code": "ASH-SCHOOL", "name": "Ash", "kind": "school"},
        lambda db, d: _count(db, Agency, Agency.code == "ASH-SCHOOL") == 0,
    ),
    "add a team": (
        lambda d: f"/admin/agencies/{d.agency.id}/teams/new",
        lambda d: {"code": "PPU", "name": "PPU"},
        lambda db, d: _count(db, Team, Team.code == "PPU") == 0,
    ),
    "add a professional": (
        lambda d: f"/admin/agencies/{d.agency.id}/professionals/new",
        lambda d: {
            "given_name": "Eve",
            "family_name": "Evans",
            "email": "eve@police.example",
            "roles": ["referrer"],
        },
        lambda db, d: _count(db, Professional, Professional.email == "eve@police.example") == 0,
    ),
    "give a role": (
        lambda d: f"/admin/professionals/{d.professional.id}/roles",
        lambda d: {"role": "administrator", "change": "grant"},
        lambda db, d: _professional(db, d).active_roles == {"referrer"},
    ),
    "take away a role": (
        lambda d: f"/admin/professionals/{d.professional.id}/roles",
        lambda d: {"role": "referrer", "change": "revoke"},
        lambda db, d: _professional(db, d).active_roles == {"referrer"},
    ),
    "record that someone has left": (
        lambda d: f"/admin/professionals/{d.professional.id}/left",
        lambda d: {},
        lambda db, d: not _professional(db, d).has_left,
    ),
    "give someone a sign-in": (
        lambda d: f"/admin/professionals/{d.professional.id}/sign-in",
        lambda d: {"password": "a long first password"},
        lambda db, d: _count(db, User, User.professional_id == d.professional.id) == 0,
    ),
    "issue an API token": (
        lambda d: "/admin/tokens",
        lambda d: {"name": "Mosaic", "email": d.token_user_email},
        lambda db, d: _count(db, ApiToken) == 1,
    ),
    "revoke an API token": (
        lambda d: f"/admin/tokens/{d.token.id}/revoke",
        lambda d: {},
        lambda db, d: _count(db, ApiToken, ApiToken.revoked_at.is_not(None)) == 0,
    ),
}


def _professional(db: Session, d: Directory) -> Professional:
    db.expire_all()
    found = db.get(Professional, d.professional.id)
    assert found is not None
    return found


@pytest.mark.parametrize("token", ["missing", "another session's"])
@pytest.mark.parametrize("form", ADMIN_FORMS, ids=str)
def test_an_admin_form_without_this_sessions_token_changes_nothing(
    client: TestClient,
    other_client: TestClient,
    sqlite_db: Session,
    directory: Directory,
    form: str,
    token: str,
) -> None:
    url, data, unchanged = ADMIN_FORMS[form]
    admin = create_user(sqlite_db, "Ada", roles=(Role.ADMINISTRATOR,), agency=directory.agency)
    sign_in(client, admin)
    sent = data(directory)
    if token == "another session's":
        # The same administrator signed in elsewhere: a valid token, but not this session's.
        sent["csrf_token"] = form_token(sign_in(other_client, admin).get("/").text)

    response = client.post(url(directory), data=sent)

    assert_rejected(response)
    assert unchanged(sqlite_db, directory), f"{form} changed the database without a CSRF token"


@pytest.mark.parametrize("form", ADMIN_FORMS, ids=str)
def test_the_same_admin_form_with_this_sessions_token_does_change_something(
    client: TestClient, sqlite_db: Session, directory: Directory, form: str
) -> None:
    """The control for the test above: its checks do notice a change when one is made."""
    url, data, unchanged = ADMIN_FORMS[form]
    admin = create_user(sqlite_db, "Ada", roles=(Role.ADMINISTRATOR,), agency=directory.agency)
    sign_in(client, admin)

    response = client.post(
        url(directory), data={**data(directory), "csrf_token": form_token(client.get("/").text)}
    )

    assert response.status_code in (200, 303), heading(response)
    assert not unchanged(sqlite_db, directory)
