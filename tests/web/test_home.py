"""Each role's home page shows that role's work, and only that role's."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts import services as accounts
from joinedup.accounts.rules import SessionPolicy
from joinedup.directory.rules import AgencyKind, Role
from tests.factories import create_agency, create_area, create_professional, create_user
from tests.web.conftest import TestClient, heading, page, sign_in, table_rows, text_of, texts_of


def headings(client: TestClient) -> list[str]:
    return texts_of(page(client.get("/")), "main h2, main h3")


def test_a_referrer_sees_their_concerns_and_no_mash_work(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    sign_in(client, create_user(sqlite_db, "Alice", roles=(Role.REFERRER,)))

    assert headings(client) == ["Concerns you have raised"]
    assert "MASH work due" not in client.get("/").text


def test_a_mash_manager_sees_contacts_to_rate_decisions_and_feedback_due(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    sign_in(client, create_user(sqlite_db, "Bob", roles=(Role.MASH_MANAGER,)))

    assert headings(client) == [
        "MASH work due",
        "Contacts to rate",
        "Routed to allocated workers",
        "Late partner research",
        "Decisions due",
        "Feedback due to referrers",
    ]


def test_a_mash_practitioner_sees_research_requests_for_their_own_agency(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    school = create_agency(sqlite_db, AgencyKind.SCHOOL, name="Ashfield Academy")
    sign_in(client, create_user(sqlite_db, "Pat", roles=(Role.MASH_PRACTITIONER,), agency=school))

    assert headings(client) == ["Research requests for Ashfield Academy"]


def test_an_ig_lead_sees_refused_sign_ins_to_their_own_agencys_accounts_only(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    police = create_agency(sqlite_db, AgencyKind.POLICE, name="Nottinghamshire Police")
    hospital = create_agency(sqlite_db, AgencyKind.ACUTE_TRUST, name="Sherwood Forest Hospitals")
    constable = create_professional(sqlite_db, "Colin", agency=police)
    nurse = create_professional(sqlite_db, "Nadia", agency=hospital)
    for email in (constable.email, nurse.email):
        with pytest.raises(accounts.SignInFailed):
            accounts.sign_in(sqlite_db, SessionPolicy(), email, "a guess", "192.0.2.7")
    ivy = create_user(sqlite_db, "Ivy", roles=(Role.IG_LEAD,), agency=police)

    sign_in(client, ivy)
    home = page(client.get("/"))

    assert text_of(home, "#ig-heading") == (
        "Refused sign-ins to Nottinghamshire Police accounts in the last 7 days"
    )
    assert table_rows(home, "Most recent first") == [
        ["24 November 2026 at 10:00am", constable.email, "192.0.2.7"]
    ]
    assert nurse.email not in home.get_text()


def test_an_ig_lead_is_told_when_no_one_has_been_refused(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    sign_in(client, create_user(sqlite_db, "Ivy", roles=(Role.IG_LEAD,)))

    assert "No one has been refused sign-in to your agency's accounts in the last 7 days." in (
        text_of(page(client.get("/")), "main")
    )


def test_a_system_leader_sees_how_many_staff_use_joinedup_in_each_area(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    ashfield = create_area(sqlite_db, "ASHFIELD", "Ashfield")
    create_area(sqlite_db, "NEWARK", "Newark and Sherwood")
    police = create_agency(sqlite_db, AgencyKind.POLICE, area=ashfield)
    create_professional(sqlite_db, "Colin", agency=police)
    create_agency(sqlite_db, AgencyKind.FIRE_RESCUE)
    sian = create_user(sqlite_db, "Sian", roles=(Role.SYSTEM_LEADER,), agency=police)

    sign_in(client, sian)
    home = page(client.get("/"))

    assert text_of(home, "#adoption-heading") == "Who uses joinedup, by area"
    # Sian herself is the one of Ashfield's two staff who has signed in; Newark has no
    # agency live yet, and is listed so that the gap shows.
    assert table_rows(home, "Staff in post") == [
        ["Ashfield", "1", "2", "1", "50%"],
        ["Newark and Sherwood", "0", "0", "0", "0%"],
        ["County-wide", "1", "0", "0", "0%"],
    ]


def test_an_administrator_is_pointed_to_the_directory_and_the_api_tokens(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    sign_in(client, create_user(sqlite_db, "Ada", roles=(Role.ADMINISTRATOR,)))

    home = page(client.get("/"))

    links = {a.get_text(strip=True): a["href"] for a in home.select("main a")}
    assert links["Areas, agencies, teams and professionals"] == "/admin/directory"
    assert links["API tokens for partner systems"] == "/admin/tokens"
    navigation = texts_of(home, ".govuk-service-navigation__list a")
    assert navigation == ["Home", "Directory", "API tokens"]


def test_someone_with_no_role_is_told_to_ask_for_one(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    sign_in(client, create_user(sqlite_db, "Nora", roles=()))

    home = page(client.get("/"))

    assert heading(client.get("/")) == "Your work"
    assert "Ask your administrator to give you one." in text_of(home, "main")
    assert texts_of(home, "main h2") == []


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_home_page_shows_who_is_signed_in_and_a_sign_out_button(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock, role: Role
) -> None:
    agency = create_agency(sqlite_db, AgencyKind.HOUSING, name="Ashfield Homes")
    sign_in(client, create_user(sqlite_db, "Hana", roles=(role,), agency=agency))

    response = client.get("/")
    home = page(response)

    assert response.status_code == 200
    assert heading(response) == "Your work"
    who = home.select_one("header .app-account__who")
    assert who is not None
    assert " ".join(who.get_text().split()) == "Signed in as Hana Archer, Ashfield Homes"
    button = home.select_one("header form[action='/sign-out'] button")
    assert button is not None and button.get_text(strip=True) == "Sign out"
