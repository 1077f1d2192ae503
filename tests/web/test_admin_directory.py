"""An administrator keeps the directory: areas, agencies, teams, professionals and their roles."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts.models import User
from joinedup.directory.models import Agency, Area, Professional, Team
from joinedup.directory.rules import Role
from tests.factories import create_agency, create_area, create_professional, create_user
from tests.web.conftest import (
    TestClient,
    error_summary,
    form_token,
    heading,
    page,
    post_form,
    sign_in,
    table_rows,
    text_of,
    texts_of,
)

NOW = "24 November 2026 at 10:00am"


def count(db: Session, model: type[object]) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def summary_list(soup: BeautifulSoup) -> dict[str, str]:
    return dict(
        zip(
            texts_of(soup, ".govuk-summary-list__key"),
            texts_of(soup, ".govuk-summary-list__value"),
            strict=True,
        )
    )


def follow(client: TestClient, response: Response) -> BeautifulSoup:
    assert response.status_code == 303, f"expected a redirect, got {heading(response)!r}"
    return page(client.get(response.headers["location"]))


def test_an_administrator_adds_an_area_and_sees_it_in_the_directory(
    admin: TestClient, sqlite_db: Session
) -> None:
    form = admin.get("/admin/areas/new")
    assert heading(form) == "Add an area"

    response = post_form(
        admin,
        "/admin/areas/new",
        {"name": "Newark and Sherwood", "code": "newark"},
        token_from="/admin/areas/new",
    )

    assert response.headers["location"] == "/admin/directory"
    directory = follow(admin, response)
    assert "Newark and Sherwood (NEWARK)" in texts_of(directory, "main li")


def test_an_administrator_adds_an_agency_serving_an_area(
    admin: TestClient, sqlite_db: Session
) -> None:
    create_area(sqlite_db, "ASHFIELD", "Ashfield")
    options = texts_of(page(admin.get("/admin/agencies/new")), "select#area option")
    assert options == ["The whole county", "Ashfield"]

    response = post_form(
        admin,
        "/admin/agencies/new",
        {"name": "Ashfield Academy", "code": "ASH-ACAD", "kind": "school", "area": "ASHFIELD"},
        token_from="/admin/agencies/new",
    )

    agency_page = follow(admin, response)
    assert text_of(agency_page, "h1") == "Ashfield Academy"
    assert text_of(agency_page, ".govuk-caption-l") == "School"
    assert summary_list(agency_page) == {
        "Code": "ASH-ACAD",
        "Area": "Ashfield",
        "In the directory since": NOW,
    }
    directory = page(admin.get("/admin/directory"))
    assert ["Ashfield Academy", "School", "Ashfield", "0"] in table_rows(
        directory, "Partner agencies"
    )


def test_an_administrator_adds_a_team_to_an_agency(admin: TestClient, sqlite_db: Session) -> None:
    police = create_agency(sqlite_db, name="Nottinghamshire Police")
    form_url = f"/admin/agencies/{police.id}/teams/new"
    assert text_of(page(admin.get(form_url)), ".govuk-caption-l") == "Nottinghamshire Police"

    response = post_form(
        admin, form_url, {"name": "Public protection unit", "code": "ppu"}, token_from=form_url
    )

    assert response.headers["location"] == f"/admin/agencies/{police.id}"
    assert texts_of(follow(admin, response), "main ul li") == ["Public protection unit (PPU)"]


def test_an_administrator_adds_a_professional_with_a_team_and_roles(
    admin: TestClient, sqlite_db: Session
) -> None:
    police = create_agency(sqlite_db, name="Nottinghamshire Police")
    post_form(
        admin,
        f"/admin/agencies/{police.id}/teams/new",
        {"name": "Public protection unit", "code": "PPU"},
        token_from=f"/admin/agencies/{police.id}/teams/new",
    )
    form_url = f"/admin/agencies/{police.id}/professionals/new"

    response = post_form(
        admin,
        form_url,
        {
            "given_name": "Eve",
            "family_name": "Evans",
            "email": "Eve.Evans@Police.Example",
            "job_title": "Detective constable",
            "team": "PPU",
            "roles": ["referrer", "mash_practitioner"],
        },
        token_from=form_url,
    )

    professional_page = follow(admin, response)
    assert text_of(professional_page, "h1") == "Eve Evans"
    assert summary_list(professional_page) == {
        "Email": "eve.evans@police.example",
        "Job title": "Detective constable",
        "Team": "Public protection unit",
        "In the directory since": NOW,
        "Sign-in": "Cannot sign in",
    }
    roles = table_rows(professional_page, "Roles held")
    assert sorted(row[:3] for row in roles) == [
        ["MASH practitioner", NOW, "Still held"],
        ["Referrer", NOW, "Still held"],
    ]
    agency_page = page(admin.get(f"/admin/agencies/{police.id}"))
    assert [
        "Eve Evans",
        "Detective constable Public protection unit",
        "MASH practitioner, Referrer",
        "In post",
    ] in table_rows(agency_page, "Professionals at")


def test_a_duplicate_area_code_is_shown_beside_the_code_and_nothing_is_added(
    admin: TestClient, sqlite_db: Session
) -> None:
    create_area(sqlite_db, "NEWARK", "Newark and Sherwood")

    response = post_form(
        admin,
        "/admin/areas/new",
        {"name": "Newark again", "code": "NEWARK"},
        token_from="/admin/areas/new",
    )

    assert response.status_code == 400
    assert error_summary(response) == {"#code": "There is already an area with the code NEWARK"}
    soup = page(response)
    assert soup.title is not None and soup.title.get_text() == "Error: Add an area – joinedup"
    assert soup.select_one("#name")["value"] == "Newark again"
    assert count(sqlite_db, Area) == 1


def test_an_agency_needs_a_kind_and_a_code_no_other_agency_has(
    admin: TestClient, sqlite_db: Session
) -> None:
    create_agency(sqlite_db, code="NOTTS-POLICE")
    before = count(sqlite_db, Agency)

    no_kind = post_form(
        admin,
        "/admin/agencies/new",
        {"name": "Ash", "code": "ASH", "kind": ""},
        token_from="/admin/agencies/new",
    )
    taken = post_form(
        admin,
        "/admin/agencies/new",
        {"name": "Notts Police", "code": "notts-police", "kind": "police"},
        token_from="/admin/agencies/new",
    )
    no_area = post_form(
        admin,
        "/admin/agencies/new",
        {"name": "Ash", "code": "ASH", "kind": "school", "area": "NOWHERE"},
        token_from="/admin/agencies/new",
    )

    assert error_summary(no_kind) == {"#kind": "Select what kind of agency this is"}
    assert error_summary(taken) == {
        "#code": "There is already an agency with the code NOTTS-POLICE"
    }
    assert error_summary(no_area) == {"#area": "There is no area with the code NOWHERE"}
    assert count(sqlite_db, Agency) == before


def test_a_team_code_must_be_new_within_its_agency(admin: TestClient, sqlite_db: Session) -> None:
    police = create_agency(sqlite_db, name="Nottinghamshire Police")
    form_url = f"/admin/agencies/{police.id}/teams/new"
    post_form(
        admin, form_url, {"name": "Public protection unit", "code": "PPU"}, token_from=form_url
    )

    response = post_form(admin, form_url, {"name": "Another", "code": "PPU"}, token_from=form_url)

    assert response.status_code == 400
    assert error_summary(response) == {
        "#code": "Nottinghamshire Police already has a team with the code PPU"
    }
    assert count(sqlite_db, Team) == 1


def test_a_professional_needs_names_and_an_email_in_the_right_format(
    admin: TestClient, sqlite_db: Session
) -> None:
    police = create_agency(sqlite_db)
    form_url = f"/admin/agencies/{police.id}/professionals/new"
    before = count(sqlite_db, Professional)

    empty = post_form(admin, form_url, {}, token_from=form_url)
    bad_email = post_form(
        admin,
        form_url,
        {"given_name": "Eve", "family_name": "Evans", "email": "eve at police"},
        token_from=form_url,
    )

    assert empty.status_code == bad_email.status_code == 400
    assert error_summary(empty) == {
        "#given_name": "Enter their first name",
        "#family_name": "Enter their last name",
        "#email": "Enter their work email address",
    }
    assert error_summary(bad_email) == {
        "#email": "Enter an email address in the correct format, like name@example.org"
    }
    assert page(bad_email).select_one("#given_name")["value"] == "Eve"
    assert count(sqlite_db, Professional) == before


def test_an_unknown_role_is_refused_and_nothing_is_added(
    admin: TestClient, sqlite_db: Session
) -> None:
    police = create_agency(sqlite_db)
    form_url = f"/admin/agencies/{police.id}/professionals/new"
    before = count(sqlite_db, Professional)

    response = post_form(
        admin,
        form_url,
        {
            "given_name": "Eve",
            "family_name": "Evans",
            "email": "eve@police.example",
            "roles": ["referrer", "wizard"],
        },
        token_from=form_url,
    )

    assert response.status_code == 400
    errors = error_summary(response)
    assert list(errors) == ["#roles"]
    assert errors["#roles"].startswith("Role 'wizard' is not known; roles are: referrer,")
    assert page(response).select_one("input[name=roles][value=referrer]").has_attr("checked")
    assert count(sqlite_db, Professional) == before


def test_a_role_is_given_and_taken_away_and_its_history_is_kept(
    admin: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    carol = create_professional(sqlite_db, "Carol", roles=(Role.REFERRER,))
    url = f"/admin/professionals/{carol.id}"

    given = post_form(admin, f"{url}/roles", {"role": "ig_lead", "change": "grant"}, token_from=url)
    assert ["Information governance lead", NOW, "Still held"] in [
        row[:3] for row in table_rows(follow(admin, given), "Roles held")
    ]
    frozen_clock.advance(dt.timedelta(minutes=20))  # inside the 30 idle minutes
    taken = post_form(
        admin, f"{url}/roles", {"role": "ig_lead", "change": "revoke"}, token_from=url
    )

    roles = table_rows(follow(admin, taken), "Roles held")
    assert [row[:3] for row in roles] == [
        ["Referrer", NOW, "Still held"],
        ["Information governance lead", NOW, "24 November 2026 at 10:20am"],
    ]
    # Only a role still held can be taken away.
    assert roles[0][3] == "Take away the Referrer role"
    assert roles[1][3] == ""


def test_giving_a_role_needs_a_role_chosen(admin: TestClient, sqlite_db: Session) -> None:
    carol = create_professional(sqlite_db, "Carol")
    url = f"/admin/professionals/{carol.id}"

    response = post_form(admin, f"{url}/roles", {"role": "", "change": "grant"}, token_from=url)

    assert response.status_code == 400
    assert error_summary(response) == {"#role": "Select a role to give"}


def test_someone_recorded_as_left_can_no_longer_sign_in(
    admin: TestClient, other_client: TestClient, sqlite_db: Session
) -> None:
    police = create_agency(sqlite_db, name="Nottinghamshire Police")
    leo = create_user(sqlite_db, "Leo", roles=(Role.REFERRER,), agency=police)
    sign_in(other_client, leo)
    url = f"/admin/professionals/{leo.professional.id}"

    response = post_form(admin, f"{url}/left", {}, token_from=url)

    professional_page = follow(admin, response)
    assert "Left on 24 November 2026 at 10:00am. They cannot sign in; their history stays." in (
        text_of(professional_page, ".govuk-warning-text")
    )
    assert professional_page.select("main form") == []
    assert (
        table_rows(page(admin.get(f"/admin/agencies/{police.id}")), "Professionals at")[0][3]
        == "Left"
    )
    # Their open session ends, and they cannot start another.
    assert other_client.get("/").status_code == 303
    other_client.cookies.clear()
    refused = other_client.post(
        "/sign-in",
        data={
            "csrf_token": _token(other_client),
            "email": leo.professional.email,
            "password": "correct horse battery staple",
            "next": "/",
        },
    )
    assert error_summary(refused) == {"#email": "Enter a correct email address and password"}


def _token(client: TestClient) -> str:
    return form_token(client.get("/sign-in").text)


def test_an_administrator_gives_someone_a_sign_in_with_a_first_password(
    admin: TestClient, other_client: TestClient, sqlite_db: Session
) -> None:
    gail = create_professional(sqlite_db, "Gail", roles=(Role.MASH_MANAGER,))
    url = f"/admin/professionals/{gail.id}"
    assert summary_list(page(admin.get(url)))["Sign-in"] == "Cannot sign in"

    weak = post_form(admin, f"{url}/sign-in", {"password": "short"}, token_from=url)
    assert error_summary(weak) == {"#password": "Password must be at least 12 characters long"}
    assert count(sqlite_db, User) == 1  # Ada's own
    response = post_form(
        admin, f"{url}/sign-in", {"password": "a long first password"}, token_from=url
    )

    professional_page = follow(admin, response)
    assert summary_list(professional_page)["Sign-in"] == "Can sign in"
    assert "Let them sign in" not in texts_of(professional_page, "h2")
    signed_in = other_client.post(
        "/sign-in",
        data={
            "csrf_token": _token(other_client),
            "email": gail.email,
            "password": "a long first password",
            "next": "/",
        },
    )
    assert signed_in.status_code == 303
    assert "Contacts to rate" in texts_of(page(other_client.get("/")), "h3")


def test_an_administrator_sets_a_password_for_an_account_that_has_none(
    admin: TestClient, other_client: TestClient, sqlite_db: Session
) -> None:
    hana = create_user(sqlite_db, "Hana", roles=(Role.REFERRER,), password=None)
    url = f"/admin/professionals/{hana.professional_id}"
    assert summary_list(page(admin.get(url)))["Sign-in"] == "Has an account with no password yet"

    weak = post_form(admin, f"{url}/password", {"password": "short"}, token_from=url)
    assert error_summary(weak) == {"#password": "Password must be at least 12 characters long"}
    response = post_form(admin, f"{url}/password", {"password": "hana's first one"}, token_from=url)

    assert summary_list(follow(admin, response))["Sign-in"] == "Can sign in"
    signed_in = other_client.post(
        "/sign-in",
        data={
            "csrf_token": _token(other_client),
            "email": hana.professional.email,
            "password": "hana's first one",
            "next": "/",
        },
    )
    assert signed_in.status_code == 303
