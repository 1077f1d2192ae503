"""The IG lead's agreement pages: the register with its warnings, an agreement's page, drafting,
adding parties and grants, signing, activating and suspending, each error beside its field.

The people are those of tests/ig_scenario.py: Sue is children's social care's IG lead and Ian
the police's; their agreement "MASH: safeguarding children" is active.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.directory.rules import AgencyKind, Role
from joinedup.sharing import services
from joinedup.sharing.models import Agreement
from tests.conftest import TEST_NOW
from tests.factories import PASSWORD, create_agency, create_user
from tests.ig_scenario import Partnership, draft_terms
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

TODAY = TEST_NOW.date()


@pytest.fixture
def mash(sqlite_db: Session, frozen_clock: clock.Clock) -> Partnership:
    return Partnership(sqlite_db, TODAY, password=PASSWORD)


@pytest.fixture
def sue(client: TestClient, mash: Partnership) -> TestClient:
    return sign_in(client, mash.user("Sue"))


def draft_form(**overrides: str) -> dict[str, str]:
    return {
        "title": "MASH: domestic abuse",
        "purpose": "domestic_abuse_risk_management",
        "lawful_basis": "public_task",
        "article_9_condition": "substantial_public_interest",
        "schedule_1_condition": "",
        "onward_sharing": "within_mash",
        "retention_days": "2190",
        "starts_on-day": "24",
        "starts_on-month": "11",
        "starts_on-year": "2026",
        "review_on-day": "24",
        "review_on-month": "11",
        "review_on-year": "2027",
        "ends_on-day": "",
        "ends_on-month": "",
        "ends_on-year": "",
    } | overrides


def a_draft(mash: Partnership, **overrides: Any) -> Agreement:
    return services.draft_agreement(mash.db, mash.sue, **draft_terms(TODAY, **overrides))  # type: ignore[arg-type]


def newest(db: Session) -> Agreement:
    found = db.scalars(select(Agreement).order_by(Agreement.id.desc())).first()
    assert found is not None
    return found


# --- The register --------------------------------------------------------------------------


def test_the_register_lists_the_agencys_agreements_by_status_with_warnings(
    sue: TestClient, mash: Partnership
) -> None:
    a_draft(mash, title="Reviewed soon", review_on=TODAY + dt.timedelta(days=7))
    services.draft_agreement(mash.db, mash.ian, **draft_terms(TODAY, title="Police only"))  # type: ignore[arg-type]

    register = page(sue.get("/agreements"))

    assert text_of(register, "h1") == "Information sharing agreements"
    assert table_rows(register, "Active") == [
        [
            "MASH: safeguarding children",
            "Safeguarding children",
            "2",
            "Active",
            "24 November 2027",
            "23 November 2029",
        ]
    ]
    [draft] = table_rows(register, "Drafts")
    assert draft[0] == "Reviewed soon Waiting for your signature"
    assert draft[3] == "Draft 1 of 1 still to sign"
    assert draft[4] == "1 December 2026 Review due"
    assert texts_of(register, ".govuk-warning-text__text") == [
        "Warning Reviewed soon is due for review on 1 December 2026."
    ]
    assert "Police only" not in register.get_text()  # Sue's agency is not a party


def test_an_ig_lead_finds_the_pages_from_home_and_the_navigation(sue: TestClient) -> None:
    home = page(sue.get("/"))

    links = {a.get_text(strip=True): a["href"] for a in home.select("main a")}
    assert links["Information sharing agreements"] == "/agreements"
    assert links["Who has seen our information"] == "/transparency/accesses"
    assert texts_of(home, ".govuk-service-navigation__list a") == [
        "Home",
        "Agreements",
        "Break-glass",
        "Transparency",
    ]


# --- An agreement's page -------------------------------------------------------------------


def test_an_agreements_page_shows_its_terms_parties_grants_and_history(
    sue: TestClient, mash: Partnership
) -> None:
    shown = page(sue.get(f"/agreements/{mash.agreement.id}"))

    assert text_of(shown, "h1") == "MASH: safeguarding children"
    terms = dict(
        zip(
            texts_of(shown, ".govuk-summary-list__key"),
            texts_of(shown, ".govuk-summary-list__value"),
            strict=True,
        )
    )
    assert terms["Lawful basis"] == "UK GDPR Art 6(1)(e): public task"
    assert terms["Special category data"] == "UK GDPR Art 9(2)(g): substantial public interest"
    assert terms["DPA 2018 Schedule 1 condition"].startswith("DPA 2018 Schedule 1 Part 2 para")
    assert terms["Retention"] == "2,190 days"
    assert table_rows(shown, "signature") == [
        ["Nottinghamshire Children's Services", "Sue Archer", "24 November 2026 at 10:00am"],
        ["Nottinghamshire Police", "Ian Archer", "24 November 2026 at 10:00am"],
    ]
    grants = {row[0]: row[1:] for row in table_rows(shown, "What each party")}
    assert texts_of(shown, "#grants thead th")[1:] == [
        "Nottinghamshire Children's Services: MASH practitioner"
    ]
    assert grants["Police intelligence Criminal offence data (Art 10)"] == ["Yes"]
    assert grants["Demographics"] == ["Yes"]
    assert grants["Health Special category (Art 9)"] == ["No"]
    assert [row[1:3] for row in table_rows(shown, "Every change")] == [
        ["Drafted", "Sue Archer (Nottinghamshire Children's Services)"],
        ["Draft to signed", "Sue Archer (Nottinghamshire Children's Services)"],
        ["Signed to active", "Sue Archer (Nottinghamshire Children's Services)"],
    ]
    buttons = texts_of(shown, ".govuk-button")
    assert "Suspend" in buttons and "Add a party" not in buttons


# --- Drafting ------------------------------------------------------------------------------


def test_an_ig_lead_drafts_an_agreement_and_their_agency_is_its_first_party(
    sue: TestClient, sqlite_db: Session, mash: Partnership
) -> None:
    response = post_form(sue, "/agreements/new", draft_form(), token_from="/agreements/new")

    drafted = newest(sqlite_db)
    assert response.status_code == 303
    assert response.headers["location"] == f"/agreements/{drafted.id}"
    assert (drafted.title, drafted.onward_sharing, drafted.ends_on) == (
        "MASH: domestic abuse",
        "within_mash",
        None,
    )
    shown = page(sue.get(response.headers["location"]))
    assert text_of(shown, "h1") == "MASH: domestic abuse"
    assert table_rows(shown, "signature") == [
        ["Nottinghamshire Children's Services", "Not signed yet"]
    ]
    assert {
        "Add a party",
        "Grant a role a data category",
        "Sign for Nottinghamshire Children's Services",
    } <= set(texts_of(shown, ".govuk-button"))


def test_a_draft_with_nothing_filled_in_names_every_missing_answer_at_once(
    sue: TestClient, sqlite_db: Session, mash: Partnership
) -> None:
    before = newest(sqlite_db).id
    empty = {name: "" for name in draft_form()}

    response = post_form(sue, "/agreements/new", empty, token_from="/agreements/new")

    assert response.status_code == 400
    assert error_summary(response) == {
        "#title": "Enter the agreement's title",
        "#purpose": "Choose the purpose",
        "#lawful_basis": "Choose the lawful basis (usually UK GDPR Art 6(1)(e), public task)",
        "#onward_sharing": "Choose what may happen to information received under it",
        "#retention_days": "Enter how many days information received under it may be kept",
        "#starts_on": "Enter the start date",
        "#review_on": "Enter the review date",
    }
    assert page(response).title.get_text().startswith("Error: ")  # type: ignore[union-attr]
    assert newest(sqlite_db).id == before


@pytest.mark.parametrize(
    ("overrides", "target", "message"),
    [
        ({"retention_days": "six years"}, "#retention_days", "whole number of days, like 2190"),
        ({"retention_days": "0"}, "#retention_days", "Retention must be between 1 and"),
        ({"starts_on-month": ""}, "#starts_on", "The start date must include a month"),
        ({"review_on-day": "31", "review_on-month": "2"}, "#review_on", "must be a real date"),
        (
            {"ends_on-day": "1", "ends_on-month": "1"},
            "#ends_on",
            "The end date must include a year",
        ),
        ({"review_on-year": "2025"}, "#review_on", "must be on or after the start date"),
        (
            {"ends_on-day": "24", "ends_on-month": "11", "ends_on-year": "2026"},
            "#ends_on",
            "The end date must be after the start date",
        ),
        ({"purpose": "curiosity"}, "#purpose", "Choose the purpose: one of"),
        ({"article_9_condition": "9(2)(z)"}, "#article_9_condition", "Choose the Art 9"),
    ],
)
def test_each_wrong_answer_is_named_beside_its_field_and_nothing_is_drafted(
    sue: TestClient,
    sqlite_db: Session,
    mash: Partnership,
    overrides: dict[str, str],
    target: str,
    message: str,
) -> None:
    before = newest(sqlite_db).id

    response = post_form(
        sue, "/agreements/new", draft_form(**overrides), token_from="/agreements/new"
    )

    assert response.status_code == 400
    errors = error_summary(response)
    assert list(errors) == [target]
    assert message in errors[target]
    assert newest(sqlite_db).id == before
    # What was typed stays in the form.
    assert page(response).select_one("#title")["value"] == "MASH: domestic abuse"  # type: ignore[index]


# --- Editing a draft -----------------------------------------------------------------------


def test_an_ig_lead_adds_a_party_and_grants_its_role_a_category(
    sue: TestClient, mash: Partnership
) -> None:
    draft = a_draft(mash)
    url = f"/agreements/{draft.id}"

    added = post_form(sue, f"{url}/parties/new", {"agency": mash.hospital.code}, url)
    granted = post_form(
        sue,
        f"{url}/grants/new",
        {"agency": mash.hospital.code, "role": "mash_practitioner", "category": "health"},
        url,
    )

    assert (added.status_code, granted.status_code) == (303, 303)
    shown = page(sue.get(url))
    assert [row[0] for row in table_rows(shown, "signature")] == [
        "Nottinghamshire Children's Services",
        "Sherwood Forest Hospitals",
    ]
    assert texts_of(shown, "#grants thead th")[1:] == [
        "Sherwood Forest Hospitals: MASH practitioner"
    ]
    grants = {row[0]: row[1:] for row in table_rows(shown, "What each party")}
    assert grants["Health Special category (Art 9)"] == ["Yes"]


def test_the_party_form_offers_only_agencies_not_yet_parties(
    sue: TestClient, mash: Partnership
) -> None:
    draft = a_draft(mash)

    offered = texts_of(page(sue.get(f"/agreements/{draft.id}/parties/new")), "#agency option")

    assert "Sherwood Forest Hospitals" in offered
    assert "Nottinghamshire Children's Services" not in offered


@pytest.mark.parametrize(
    ("sent", "target", "message"),
    [
        ({}, "#agency", "Choose the agency to add as a party"),
        ({"agency": "NO-SUCH"}, "#agency", "There is no agency with the code NO-SUCH"),
    ],
)
def test_adding_a_party_wrongly_says_what_to_fix(
    sue: TestClient, mash: Partnership, sent: dict[str, str], target: str, message: str
) -> None:
    draft = a_draft(mash)
    url = f"/agreements/{draft.id}/parties/new"

    response = post_form(sue, url, sent, url)

    assert response.status_code == 400
    assert error_summary(response) == {target: message}
    assert len(mash.db.get(Agreement, draft.id).parties) == 1  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("sent", "errors"),
    [
        (
            {},
            {
                "#agency": "Choose the party whose staff may see it",
                "#role": "Choose the role",
                "#category": "Choose the data category",
            },
        ),
        (
            {"role": "system_leader", "category": "demographics"},
            {"#role": "A system leader's role never reaches personal data; choose another role"},
        ),
        (
            {"role": "mash_manager", "category": "health", "no_art_9": "yes"},
            {
                "#category": "Health is special category data (UK GDPR Art 9): choose the "
                "agreement's Art 9 condition before granting it"
            },
        ),
        (
            {"role": "mash_manager", "category": "demographics", "twice": "yes"},
            {
                "#category": "Nottinghamshire Children's Services's mash managers already see "
                "demographics"
            },
        ),
    ],
)
def test_granting_wrongly_names_each_problem_beside_its_field(
    sue: TestClient, mash: Partnership, sent: dict[str, str], errors: dict[str, str]
) -> None:
    draft = a_draft(
        mash,
        article_9_condition=None if sent.pop("no_art_9", "") else "substantial_public_interest",
    )
    if sent.pop("twice", ""):
        services.grant(mash.db, mash.sue, draft.id, mash.csc.code, "mash_manager", "demographics")
    if sent:
        sent["agency"] = mash.csc.code
    url = f"/agreements/{draft.id}/grants/new"
    before = len(mash.db.get(Agreement, draft.id).parties[0].grants)  # type: ignore[union-attr]

    response = post_form(sue, url, sent, url)

    assert response.status_code == 400
    assert error_summary(response) == errors
    mash.db.expire_all()
    assert len(mash.db.get(Agreement, draft.id).parties[0].grants) == before  # type: ignore[union-attr]


def test_once_a_party_has_signed_the_terms_cannot_change(
    sue: TestClient, mash: Partnership
) -> None:
    draft = a_draft(mash)
    services.add_party(mash.db, mash.sue, draft.id, mash.police.code)
    services.grant(mash.db, mash.sue, draft.id, mash.csc.code, "mash_manager", "demographics")
    services.sign(mash.db, mash.ian, draft.id)
    url = f"/agreements/{draft.id}"

    shown = page(sue.get(url))
    response = post_form(sue, f"{url}/parties/new", {"agency": mash.hospital.code}, url)

    assert "Add a party" not in texts_of(shown, ".govuk-button")
    assert "these terms can no longer change" in text_of(shown, ".govuk-inset-text")
    assert response.status_code == 400
    assert "its terms can no longer change; draft a new agreement" in text_of(
        page(response), ".govuk-error-summary"
    )


# --- Signing, activating, suspending -------------------------------------------------------


def ready_to_sign(mash: Partnership) -> Agreement:
    draft = a_draft(mash)
    services.add_party(mash.db, mash.sue, draft.id, mash.police.code)
    services.grant(mash.db, mash.sue, draft.id, mash.csc.code, "mash_manager", "demographics")
    return draft


def test_signing_needs_the_ig_lead_to_confirm_for_their_agency(
    sue: TestClient, mash: Partnership
) -> None:
    draft = ready_to_sign(mash)
    url = f"/agreements/{draft.id}/sign"

    response = post_form(sue, url, {}, url)

    assert response.status_code == 400
    assert error_summary(response) == {
        "#confirm": "Confirm that you agree to these terms for Nottinghamshire Children's Services"
    }
    assert all(p.signature is None for p in draft.parties)


def test_each_party_signs_and_the_last_signature_makes_it_signed_then_it_is_activated(
    client: TestClient, other_client: TestClient, mash: Partnership
) -> None:
    draft = ready_to_sign(mash)
    url = f"/agreements/{draft.id}"
    sue, ian = sign_in(client, mash.user("Sue")), sign_in(other_client, mash.user("Ian"))

    first = post_form(sue, f"{url}/sign", {"confirm": "yes"}, f"{url}/sign")
    after_first = page(sue.get(url))
    last = post_form(ian, f"{url}/sign", {"confirm": "yes"}, f"{url}/sign")
    activated = post_form(ian, f"{url}/activate", {}, url)

    assert (first.status_code, last.status_code, activated.status_code) == (303, 303, 303)
    assert text_of(after_first, "h1 + p") == "Draft"
    assert [row[1] for row in table_rows(after_first, "signature")] == [
        "Sue Archer",
        "Not signed yet",
    ]
    shown = page(ian.get(url))
    assert text_of(shown, "h1 + p") == "Active"
    assert [row[1] for row in table_rows(shown, "Every change")] == [
        "Drafted",
        "Draft to signed",
        "Signed to active",
    ]


def test_signing_an_incomplete_draft_says_what_is_missing(
    sue: TestClient, mash: Partnership
) -> None:
    draft = a_draft(mash)  # one party, no grants
    url = f"/agreements/{draft.id}/sign"

    response = post_form(sue, url, {"confirm": "yes"}, url)

    assert response.status_code == 400
    assert "needs at least two parties before it is signed" in text_of(
        page(response), ".govuk-error-summary"
    )
    assert draft.parties[0].signature is None


def test_activating_before_the_start_date_is_refused_with_the_date(
    sue: TestClient, mash: Partnership
) -> None:
    later = TODAY + dt.timedelta(days=10)
    draft = a_draft(mash, starts_on=later, review_on=later + dt.timedelta(days=365))
    services.add_party(mash.db, mash.sue, draft.id, mash.police.code)
    services.grant(mash.db, mash.sue, draft.id, mash.csc.code, "mash_manager", "demographics")
    services.sign(mash.db, mash.ian, draft.id)
    services.sign(mash.db, mash.sue, draft.id)
    url = f"/agreements/{draft.id}"

    response = post_form(sue, f"{url}/activate", {}, url)

    assert response.status_code == 400
    assert text_of(page(response), ".govuk-error-summary__list") == (
        "“MASH: safeguarding children” starts on 4 December 2026; activate it on or after that day"
    )
    assert text_of(page(sue.get(url)), "h1 + p") == "Signed"


def test_suspending_needs_a_reason_and_keeps_it_in_the_history(
    sue: TestClient, mash: Partnership
) -> None:
    url = f"/agreements/{mash.agreement.id}"

    refused = post_form(sue, f"{url}/suspend", {"reason": "  "}, f"{url}/suspend")
    suspended = post_form(
        sue, f"{url}/suspend", {"reason": "Breach under investigation"}, f"{url}/suspend"
    )
    resumed = post_form(sue, f"{url}/activate", {}, url)

    assert refused.status_code == 400
    assert error_summary(refused) == {"#reason": "Say why you are suspending the agreement"}
    assert (suspended.status_code, resumed.status_code) == (303, 303)
    history = table_rows(page(sue.get(url)), "Every change")
    assert [row[1] for row in history] == [
        "Drafted",
        "Draft to signed",
        "Signed to active",
        "Active to suspended",
        "Suspended to active",
    ]
    assert [row[3] for row in history][-2:] == ["Breach under investigation", "resumed"]


# --- Who reaches these pages ---------------------------------------------------------------


def agreement_urls(agreement_id: int) -> list[tuple[str, str]]:
    url = f"/agreements/{agreement_id}"
    return [
        ("GET", url),
        ("GET", f"{url}/sign"),
        ("POST", f"{url}/sign"),
        ("POST", f"{url}/activate"),
        ("GET", f"{url}/suspend"),
        ("POST", f"{url}/suspend"),
        ("GET", f"{url}/parties/new"),
        ("POST", f"{url}/parties/new"),
        ("GET", f"{url}/grants/new"),
        ("POST", f"{url}/grants/new"),
    ]


EVERY_ROLE_BUT_IG_LEAD = tuple(role for role in Role if role is not Role.IG_LEAD)


def test_no_one_but_an_ig_lead_finds_the_agreement_pages(
    client: TestClient, sqlite_db: Session, mash: Partnership
) -> None:
    # Every other role at once, in a party to the agreement.
    rita = create_user(sqlite_db, "Rita", roles=EVERY_ROLE_BUT_IG_LEAD, agency=mash.csc)
    sign_in(client, rita)
    token = form_token(client.get("/").text)
    urls = [("GET", "/agreements"), ("GET", "/agreements/new"), ("POST", "/agreements/new")]

    for method, url in urls + agreement_urls(mash.agreement.id):
        data = {"csrf_token": token, **draft_form(), "reason": "x", "confirm": "yes"}
        response = client.request(method, url, data=data if method == "POST" else None)
        assert (response.status_code, heading(response)) == (404, "Page not found"), url
    mash.db.expire_all()
    assert mash.db.get(Agreement, mash.agreement.id).status == "active"  # type: ignore[union-attr]


def test_an_ig_lead_of_an_agency_not_party_to_it_gets_page_not_found(
    client: TestClient, sqlite_db: Session, mash: Partnership
) -> None:
    hilda = create_user(sqlite_db, "Hilda", roles=(Role.IG_LEAD,), agency=mash.hospital)
    sign_in(client, hilda)
    token = form_token(client.get("/").text)

    for agreement_id in (mash.agreement.id, 9999):
        for method, url in agreement_urls(agreement_id):
            data = {"csrf_token": token, "reason": "x", "confirm": "yes", "agency": "X"}
            response = client.request(method, url, data=data if method == "POST" else None)
            assert (response.status_code, heading(response)) == (404, "Page not found"), url
    mash.db.expire_all()
    assert mash.db.get(Agreement, mash.agreement.id).status == "active"  # type: ignore[union-attr]


def test_the_register_shows_only_the_ig_leads_own_agencys_agreements(
    client: TestClient, sqlite_db: Session, mash: Partnership
) -> None:
    fire = create_agency(sqlite_db, AgencyKind.FIRE_RESCUE, name="Fire and rescue")
    sign_in(client, create_user(sqlite_db, "Fay", roles=(Role.IG_LEAD,), agency=fire))

    register = page(client.get("/agreements"))

    assert "MASH: safeguarding children" not in register.get_text()
    assert "None of your agency's agreements is active" in register.get_text()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/agreements/new", draft_form()),
        ("/agreements/{id}/suspend", {"reason": "Breach under investigation"}),
        ("/agreements/{id}/activate", {}),
        ("/agreements/{id}/sign", {"confirm": "yes"}),
        ("/agreements/{id}/parties/new", {"agency": "{hospital}"}),
        (
            "/agreements/{id}/grants/new",
            {"agency": "{csc}", "role": "referrer", "category": "housing"},
        ),
    ],
)
@pytest.mark.parametrize("token", ["missing", "another session's"])
def test_an_agreement_form_without_this_sessions_token_changes_nothing(
    client: TestClient,
    other_client: TestClient,
    sqlite_db: Session,
    mash: Partnership,
    path: str,
    data: dict[str, str],
    token: str,
) -> None:
    draft = (
        ready_to_sign(mash) if "suspend" not in path and "activate" not in path else mash.agreement
    )
    if "activate" in path:
        services.suspend(mash.db, mash.sue, draft.id, "A breach")
    sign_in(client, mash.user("Sue"))
    sent = {k: v.format(hospital=mash.hospital.code, csc=mash.csc.code) for k, v in data.items()}
    if token == "another session's":
        sent["csrf_token"] = form_token(sign_in(other_client, mash.user("Sue")).get("/").text)
    agreements_before = sqlite_db.scalars(select(Agreement.id)).all()
    status_before = draft.status
    grants_before = sum(len(p.grants) for p in draft.parties)
    parties_before = len(draft.parties)

    response = client.post(path.format(id=draft.id), data=sent)

    assert response.status_code == 400
    assert heading(response) == "Your form could not be sent"
    sqlite_db.expire_all()
    kept = sqlite_db.get(Agreement, draft.id)
    assert kept is not None
    assert sqlite_db.scalars(select(Agreement.id)).all() == agreements_before
    assert (kept.status, len(kept.parties), sum(len(p.grants) for p in kept.parties)) == (
        status_before,
        parties_before,
        grants_before,
    )
    assert all(p.signature is None for p in kept.parties) or kept.status != "draft"
