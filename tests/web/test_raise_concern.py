"""Raising a concern on the web: one question a page, errors in the GOV.UK style, a check of
every answer, and the reference at once.

Alice is a police officer who raises concerns; Bob, a teacher, must never see her draft.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from joinedup import clock
from joinedup.accounts.models import User
from joinedup.audit.models import AuditEntry
from joinedup.directory.rules import AgencyKind
from joinedup.frontdoor.drafts import ContactDraft
from joinedup.frontdoor.models import Contact
from tests.factories import create_agency, create_user
from tests.web.conftest import (
    TestClient,
    error_summary,
    form_token,
    heading,
    page,
    sign_in,
    table_rows,
    text_of,
    texts_of,
)

JADE = {
    "kind": "child",
    "given_name": "Jade",
    "family_name": "Smith",
    "date_of_birth-day": "27",
    "date_of_birth-month": "3",
    "date_of_birth-year": "2015",
    "nhs_number": "943 476 5919",
    "upn": "",
    "address": "12 Forest Road, Mansfield",
    "postcode": "ng18 1ab",
}
DEAN = {
    "kind": "adult",
    "given_name": "Dean",
    "family_name": "Walker",
    "relationship": "mother's partner",
}


@pytest.fixture
def alice(client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock) -> TestClient:
    """The client, signed in as Alice, a police officer."""
    police = create_agency(sqlite_db, AgencyKind.POLICE, name="Nottinghamshire Police")
    return sign_in(client, create_user(sqlite_db, "Alice", agency=police))


def newest_user(db: Session) -> User:
    """The user made last, with their professional loaded to sign in with."""
    found = db.scalar(
        select(User).options(selectinload(User.professional)).order_by(User.id.desc())
    )
    assert found is not None
    return found


def post(
    client: TestClient, path: str, data: dict[str, Any] | None = None, token_from: str = ""
) -> Any:
    """Submit a form on the page at `path` (its CSRF token read from that page, as a browser)."""
    token = form_token(client.get(token_from or path).text)
    return client.post(path, data={"csrf_token": token, **(data or {})})


def draft_of(db: Session) -> ContactDraft | None:
    db.expire_all()
    return db.scalar(select(ContactDraft))


def start(client: TestClient) -> None:
    response = post(client, "/raise-a-concern")
    assert response.status_code == 303
    assert response.headers["location"] == "/raise-a-concern/people"


def add_person(
    client: TestClient, path: str, person: dict[str, str], index: int | None = None
) -> Any:
    where = path if index is None else f"{path}?index={index}"
    return post(client, where, person)


def answer_everything(client: TestClient) -> None:
    """A whole concern about Jade, with Dean in her household, up to check your answers."""
    start(client)
    assert add_person(client, "/raise-a-concern/person", JADE).status_code == 303
    assert (
        post(client, "/raise-a-concern/people", {"add_another": "no"}).headers["location"]
        == "/raise-a-concern/household"
    )
    post(client, "/raise-a-concern/household", {"add_another": "yes"})
    add_person(client, "/raise-a-concern/household-member", DEAN)
    steps = [
        ("/raise-a-concern/household", {"add_another": "no"}, "/raise-a-concern/concerns"),
        (
            "/raise-a-concern/concerns",
            {"concern_categories": ["neglect", "domestic_abuse"]},
            "/raise-a-concern/what-happened",
        ),
        (
            "/raise-a-concern/what-happened",
            {"what_happened": "Called to a disturbance.\nJade was in the house."},
            "/raise-a-concern/urgency",
        ),
        ("/raise-a-concern/urgency", {"urgency": "urgent"}, "/raise-a-concern/consent"),
        (
            "/raise-a-concern/consent",
            {"consent": "not_sought", "consent_not_sought_reason": "c"},
            "/raise-a-concern/check",
        ),
    ]
    for path, data, then in steps:
        response = post(client, path, data)
        assert response.status_code == 303, error_summary(response)
        assert response.headers["location"] == then


def send(client: TestClient) -> Any:
    check = client.get("/raise-a-concern/check")
    draft_id = page(check).select_one("input[name=draft_id]")
    assert draft_id is not None
    return client.post(
        "/raise-a-concern/check",
        data={"csrf_token": form_token(check.text), "draft_id": draft_id["value"]},
    )


# --- The whole journey ----------------------------------------------------------------------


def test_a_referrer_raises_a_concern_page_by_page_and_gets_its_reference_at_once(
    alice: TestClient, sqlite_db: Session
) -> None:
    home = page(alice.get("/"))
    assert home.select_one("a[href='/raise-a-concern']") is not None
    answer_everything(alice)

    check = alice.get("/raise-a-concern/check")
    assert heading(check) == "Check your answers before sending your concern"
    soup = page(check)
    cards = texts_of(soup, ".govuk-summary-card")
    assert "Jade Smith" in cards[0] and "27 March 2015" in cards[0] and "943 476 5919" in cards[0]
    assert "Dean Walker" in cards[1] and "mother's partner" in cards[1]
    concern = texts_of(soup, ".govuk-summary-list__row")[-4:]
    assert concern[0].startswith("What it is about Neglect, Domestic abuse")
    assert concern[2].startswith("How urgent Urgent")
    assert "(c) seeking it would prejudice the protection" in concern[3]

    response = send(alice)

    assert response.status_code == 303
    location = response.headers["location"]
    reference = location.removeprefix("/raise-a-concern/sent?reference=")
    sent = page(alice.get(location))
    assert text_of(sent, ".govuk-panel") == f"Concern sent Your reference number {reference}"
    rows = table_rows(page(alice.get("/")), "Quote the reference")
    assert [row[0] for row in rows] == [reference]
    contact = sqlite_db.scalar(select(Contact))
    assert contact is not None and contact.reference == reference
    assert contact.channel == "web"
    assert [(s.role, s.given_name, s.nhs_number) for s in contact.subjects] == [
        ("subject", "Jade", "9434765919"),
        ("household_member", "Dean", None),
    ]
    assert contact.subjects[0].postcode == "NG18 1AB"
    assert contact.subjects[1].relationship_to_subject == "mother's partner"
    assert contact.what_happened == "Called to a disturbance.\nJade was in the house."
    assert (contact.urgency, contact.consent, contact.consent_not_sought_reason) == (
        "urgent",
        "not_sought",
        "c",
    )
    assert draft_of(sqlite_db) is None, "the draft is gone once it is sent"
    received = sqlite_db.scalars(
        select(AuditEntry.object_id).where(AuditEntry.action == "referrer:contact:received")
    ).all()
    assert received == [str(contact.id)]


# --- People: add, change, remove ------------------------------------------------------------


def test_people_are_added_changed_and_removed_with_a_confirmation(
    alice: TestClient, sqlite_db: Session
) -> None:
    start(alice)
    add_person(alice, "/raise-a-concern/person", JADE)
    post(alice, "/raise-a-concern/people", {"add_another": "yes"})
    add_person(alice, "/raise-a-concern/person", {"kind": "child", "given_name": "Kai"})

    listed = page(alice.get("/raise-a-concern/people"))
    assert texts_of(listed, ".govuk-summary-list__key") == ["Jade Smith", "Kai"]
    assert texts_of(listed, "legend") == ["Is the concern about anyone else?"]

    changed = add_person(alice, "/raise-a-concern/person", {**JADE, "family_name": "Smyth"}, 0)
    assert changed.headers["location"] == "/raise-a-concern/people"
    refilled = page(alice.get("/raise-a-concern/person?index=0"))
    assert refilled.select_one("#family_name")["value"] == "Smyth"  # type: ignore[index]
    assert refilled.select_one("#date_of_birth-month")["value"] == "3"  # type: ignore[index]

    confirm = alice.get("/raise-a-concern/person/remove?index=1")
    assert heading(confirm) == "Are you sure you want to remove Kai?"
    kept = post(alice, "/raise-a-concern/person/remove?index=1", {"remove": "no"})
    assert kept.headers["location"] == "/raise-a-concern/people"
    post(alice, "/raise-a-concern/person/remove?index=1", {"remove": "yes"})

    listed = page(alice.get("/raise-a-concern/people"))
    assert texts_of(listed, ".govuk-summary-list__key") == ["Jade Smyth"]
    draft = draft_of(sqlite_db)
    assert draft is not None
    assert [p["given_name"] for p in draft.answers["subjects"]] == ["Jade"]


def test_removing_everyone_the_concern_is_about_asks_who_it_is_about_again(
    alice: TestClient,
) -> None:
    start(alice)
    add_person(alice, "/raise-a-concern/person", JADE)

    post(alice, "/raise-a-concern/person/remove?index=0", {"remove": "yes"})

    response = alice.get("/raise-a-concern/people")
    assert response.headers["location"] == "/raise-a-concern/person"


def test_a_household_member_is_asked_their_relationship_and_nobody_is_an_answer(
    alice: TestClient, sqlite_db: Session
) -> None:
    start(alice)
    add_person(alice, "/raise-a-concern/person", JADE)
    household = page(alice.get("/raise-a-concern/household"))
    assert texts_of(household, "legend") == ["Does anyone live with them or care for them?"]
    form = page(alice.get("/raise-a-concern/household-member"))
    assert form.select_one("#relationship") is not None
    assert page(alice.get("/raise-a-concern/person")).select_one("#relationship") is None

    response = post(alice, "/raise-a-concern/household", {"add_another": "no"})

    assert response.headers["location"] == "/raise-a-concern/concerns"
    draft = draft_of(sqlite_db)
    assert draft is not None and draft.answers["household"] == []


def test_a_person_who_is_not_in_the_list_is_not_found(alice: TestClient) -> None:
    start(alice)
    add_person(alice, "/raise-a-concern/person", JADE)

    for path in (
        "/raise-a-concern/person?index=1",
        "/raise-a-concern/person?index=first",
        "/raise-a-concern/person/remove?index=3",
        "/raise-a-concern/person/remove",
        "/raise-a-concern/household-member?index=0",
    ):
        assert alice.get(path).status_code == 404, path


def test_no_more_than_fifty_people_can_be_named_in_one_concern(
    alice: TestClient, sqlite_db: Session
) -> None:
    start(alice)
    add_person(alice, "/raise-a-concern/person", JADE)
    draft = draft_of(sqlite_db)
    assert draft is not None
    draft.answers = {**draft.answers, "subjects": [{"kind": "child", "given_name": "Jade"}] * 50}
    sqlite_db.commit()

    response = post(alice, "/raise-a-concern/people", {"add_another": "yes"})

    assert error_summary(response) == {
        "#add_another": "You can name up to 50 people in one concern: raise another concern "
        "for anyone else"
    }


# --- Errors, page by page -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"nhs_number": "123 456 1234"},
            {"#nhs_number": "Enter a valid NHS number: 123 456 1234 fails its check digit"},
        ),
        (
            {"nhs_number": "12345"},
            {"#nhs_number": "NHS number must be 10 digits, like 943 476 5919"},
        ),
        (
            {"given_name": "", "family_name": ""},
            {"#given_name": "Enter their first name or last name, or both"},
        ),
        ({"given_name": "J" * 101}, {"#given_name": "First name must be 100 characters or fewer"}),
        ({"kind": ""}, {"#kind": "Select whether they are a child, an adult or an unborn baby"}),
        (
            {"date_of_birth-year": "2027"},
            {"#date_of_birth": "Date of birth must be today or in the past"},
        ),
        (
            {"date_of_birth-month": ""},
            {"#date_of_birth": "Date of birth must include a month"},
        ),
        (
            {"date_of_birth-day": "", "date_of_birth-year": ""},
            {"#date_of_birth": "Date of birth must include a day and a year"},
        ),
        (
            {"date_of_birth-day": "31", "date_of_birth-month": "2"},
            {"#date_of_birth": "Date of birth must be a real date"},
        ),
        (
            {"date_of_birth-year": "15"},
            {"#date_of_birth": "Date of birth must include a year with 4 numbers, like 2015"},
        ),
        (
            {"date_of_birth-year": "1990"},
            {"#date_of_birth": "A child is under 18: check the date of birth, or choose adult"},
        ),
        (
            {"upn": "H891234524002"},
            {"#upn": "Enter a valid UPN: H891234524002 fails its check letter"},
        ),
        ({"postcode": "not known"}, {"#postcode": "Enter a real postcode, like NG18 1AB"}),
        (
            {
                "kind": "unborn",
                "date_of_birth-day": "",
                "date_of_birth-month": "",
                "date_of_birth-year": "",
            },
            {"#due_date": "Enter the due date of the unborn baby"},
        ),
        (
            {"kind": "unborn"},
            {
                "#due_date": "Enter the due date of the unborn baby",
                "#date_of_birth": "An unborn baby has no date of birth: give the due date",
            },
        ),
        (
            {"kind": "", "nhs_number": "123 456 1234"},
            {
                "#kind": "Select whether they are a child, an adult or an unborn baby",
                "#nhs_number": "Enter a valid NHS number: 123 456 1234 fails its check digit",
            },
        ),
    ],
)
def test_each_problem_with_a_person_is_named_beside_its_field_and_nothing_is_saved(
    alice: TestClient, sqlite_db: Session, changes: dict[str, str], errors: dict[str, str]
) -> None:
    start(alice)

    response = add_person(alice, "/raise-a-concern/person", {**JADE, **changes})

    assert response.status_code == 400
    assert error_summary(response) == errors
    assert page(response).title.get_text().startswith("Error: ")  # type: ignore[union-attr]
    typed = page(response).select_one("#address")
    assert typed is not None and typed.get_text() == JADE["address"], "what was typed stays"
    draft = draft_of(sqlite_db)
    assert draft is not None and "subjects" not in draft.answers


def test_an_unborn_baby_is_saved_with_its_due_date_and_a_stale_due_date_is_not(
    alice: TestClient, sqlite_db: Session
) -> None:
    start(alice)
    due = {"due_date-day": "14", "due_date-month": "2", "due_date-year": "2027"}
    add_person(alice, "/raise-a-concern/person", {"kind": "unborn", **due})
    add_person(alice, "/raise-a-concern/person", {**JADE, **due}, 0)  # changed to a child

    draft = draft_of(sqlite_db)
    assert draft is not None
    assert draft.answers["subjects"][0]["due_date"] is None
    add_person(alice, "/raise-a-concern/person", {"kind": "unborn", **due}, 0)
    draft = draft_of(sqlite_db)
    assert draft is not None and draft.answers["subjects"][0]["due_date"] == "2027-02-14"


@pytest.mark.parametrize(
    ("path", "data", "errors"),
    [
        (
            "/raise-a-concern/people",
            {},
            {"#add_another": "Select yes if the concern is about anyone else"},
        ),
        (
            "/raise-a-concern/household",
            {},
            {"#add_another": "Select yes if anyone lives with them or cares for them"},
        ),
        (
            "/raise-a-concern/person/remove?index=0",
            {},
            {"#remove": "Select yes if you want to remove Jade Smith"},
        ),
        (
            "/raise-a-concern/concerns",
            {},
            {"#concern_categories": "Select what the concern is about"},
        ),
        (
            "/raise-a-concern/concerns",
            {"concern_categories": ["arson"]},
            {
                "#concern_categories": "'arson' is not a concern category; use one of: "
                "child_criminal_exploitation, child_sexual_exploitation, domestic_abuse, "
                "emotional_abuse, financial_abuse, modern_slavery, neglect, other, "
                "physical_abuse, radicalisation, self_neglect, sexual_abuse"
            },
        ),
        (
            "/raise-a-concern/what-happened",
            {"what_happened": "  "},
            {"#what_happened": "Enter what happened"},
        ),
        (
            "/raise-a-concern/what-happened",
            {"what_happened": "x" * 20_001},
            {"#what_happened": "What happened must be 20,000 characters or fewer"},
        ),
        ("/raise-a-concern/urgency", {}, {"#urgency": "Select how urgent it is"}),
        ("/raise-a-concern/urgency", {"urgency": "soon"}, {"#urgency": "Select how urgent it is"}),
        (
            "/raise-a-concern/consent",
            {},
            {"#consent": "Select whether they agreed to this referral"},
        ),
        (
            "/raise-a-concern/consent",
            {"consent": "not_sought"},
            {
                "#consent_not_sought_reason": "Select why consent was not sought: (a) it cannot "
                "be given, (b) you cannot reasonably be expected to get it, or (c) seeking it "
                "would prejudice protection"
            },
        ),
    ],
)
def test_each_question_left_unanswered_or_wrong_says_how_to_put_it_right(
    alice: TestClient,
    sqlite_db: Session,
    path: str,
    data: dict[str, Any],
    errors: dict[str, str],
) -> None:
    start(alice)
    add_person(alice, "/raise-a-concern/person", JADE)
    before = draft_of(sqlite_db)
    assert before is not None
    answers = dict(before.answers)

    response = post(alice, path, data)

    assert response.status_code == 400
    assert error_summary(response) == errors
    after = draft_of(sqlite_db)
    assert after is not None and after.answers == answers, "nothing is saved"


def test_a_reason_for_not_seeking_consent_is_kept_only_when_consent_was_not_sought(
    alice: TestClient, sqlite_db: Session
) -> None:
    start(alice)

    post(alice, "/raise-a-concern/consent", {"consent": "given", "consent_not_sought_reason": "b"})

    draft = draft_of(sqlite_db)
    assert draft is not None
    assert (draft.answers["consent"], draft.answers["consent_not_sought_reason"]) == ("given", None)
    shown = page(alice.get("/raise-a-concern/consent"))
    assert shown.select_one("#consent").has_attr("checked")  # type: ignore[union-attr]
    assert shown.select_one("#conditional-consent-3") is not None  # the reasons, revealed by JS


# --- The draft: kept, resumed, private --------------------------------------------------------


def test_the_draft_is_kept_on_the_server_and_resumed_after_signing_in_again(
    alice: TestClient, other_client: TestClient, sqlite_db: Session
) -> None:
    start(alice)
    add_person(alice, "/raise-a-concern/person", JADE)
    post(alice, "/raise-a-concern/people", {"add_another": "no"})

    elsewhere = sign_in(other_client, newest_user(sqlite_db))
    start_page = page(elsewhere.get("/raise-a-concern"))
    assert "You started raising a concern at 24 November 2026 at 10:00am" in text_of(
        start_page, ".govuk-inset-text"
    )
    resumed = post(elsewhere, "/raise-a-concern")

    assert resumed.headers["location"] == "/raise-a-concern/household"
    listed = page(elsewhere.get("/raise-a-concern/people"))
    assert texts_of(listed, ".govuk-summary-list__key") == ["Jade Smith"]


def test_a_draft_can_be_deleted_to_start_again(alice: TestClient, sqlite_db: Session) -> None:
    start(alice)
    add_person(alice, "/raise-a-concern/person", JADE)

    response = post(alice, "/raise-a-concern/discard", token_from="/raise-a-concern")

    assert response.headers["location"] == "/raise-a-concern"
    assert draft_of(sqlite_db) is None
    assert alice.get("/raise-a-concern/people").headers["location"] == "/raise-a-concern"


def test_every_question_page_without_a_draft_goes_to_the_start(alice: TestClient) -> None:
    for path in (
        "/raise-a-concern/people",
        "/raise-a-concern/person",
        "/raise-a-concern/household",
        "/raise-a-concern/household-member",
        "/raise-a-concern/person/remove?index=0",
        "/raise-a-concern/concerns",
        "/raise-a-concern/what-happened",
        "/raise-a-concern/urgency",
        "/raise-a-concern/consent",
        "/raise-a-concern/check",
    ):
        response = alice.get(path)
        assert (response.status_code, response.headers.get("location")) == (
            303,
            "/raise-a-concern",
        ), path


def test_another_professional_never_sees_the_draft(
    alice: TestClient, other_client: TestClient, sqlite_db: Session
) -> None:
    answer_everything(alice)
    check = alice.get("/raise-a-concern/check")
    draft_id = page(check).select_one("input[name=draft_id]")["value"]  # type: ignore[index]
    bob = sign_in(
        other_client,
        create_user(sqlite_db, "Bob", agency=create_agency(sqlite_db, AgencyKind.SCHOOL)),
    )

    for path in ("/raise-a-concern/check", "/raise-a-concern/people", "/raise-a-concern/urgency"):
        assert bob.get(path).headers["location"] == "/raise-a-concern", path
    assert "Jade" not in bob.get("/raise-a-concern").text
    stolen = bob.post(
        "/raise-a-concern/check",
        data={"csrf_token": form_token(bob.get("/").text), "draft_id": draft_id},
    )

    assert stolen.status_code == 404
    assert "Jade" not in stolen.text
    assert sqlite_db.scalar(select(func.count()).select_from(Contact)) == 0
    assert draft_of(sqlite_db) is not None, "Alice's draft is untouched"
    reference = send(alice).headers["location"].split("=")[1]
    assert bob.get(f"/raise-a-concern/sent?reference={reference}").status_code == 404
    assert bob.get("/raise-a-concern/sent").status_code == 404


# --- Sending ---------------------------------------------------------------------------------


def test_sending_twice_makes_one_contact(alice: TestClient, sqlite_db: Session) -> None:
    answer_everything(alice)
    check = alice.get("/raise-a-concern/check")
    form = {
        "csrf_token": form_token(check.text),
        "draft_id": page(check).select_one("input[name=draft_id]")["value"],  # type: ignore[index]
    }

    first = alice.post("/raise-a-concern/check", data=form)
    # A double click, or the back button and "Send concern" again: the same form once more.
    second = alice.post("/raise-a-concern/check", data=form)

    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert sqlite_db.scalar(select(func.count()).select_from(Contact)) == 1
    assert page(alice.get(second.headers["location"])).select_one(".govuk-panel") is not None


def test_check_answers_has_a_change_link_for_every_answer(alice: TestClient) -> None:
    answer_everything(alice)
    soup = page(alice.get("/raise-a-concern/check"))

    changes = {
        str(a["href"])
        for a in soup.select(".govuk-summary-list__actions a, .govuk-summary-card__actions a")
    }

    assert changes == {
        "/raise-a-concern/person?index=0",
        "/raise-a-concern/person/remove?index=0",
        "/raise-a-concern/household-member?index=0",
        "/raise-a-concern/household-member/remove?index=0",
        "/raise-a-concern/concerns",
        "/raise-a-concern/what-happened",
        "/raise-a-concern/urgency",
        "/raise-a-concern/consent",
    }
    for href in changes:
        assert alice.get(href).status_code == 200, href
    changed = post(alice, "/raise-a-concern/urgency", {"urgency": "routine"})
    assert changed.headers["location"] == "/raise-a-concern/check", "a change goes back to check"


def test_an_answer_that_no_longer_passes_is_shown_on_check_answers_and_nothing_is_sent(
    alice: TestClient, sqlite_db: Session
) -> None:
    answer_everything(alice)
    draft = draft_of(sqlite_db)
    assert draft is not None
    # As if the hub stopped using a category between the question and sending.
    draft.answers = {**draft.answers, "concern_categories": ["bullying"]}
    sqlite_db.commit()

    response = send(alice)

    assert response.status_code == 400
    assert list(error_summary(response)) == ["#concern_categories"]
    assert sqlite_db.scalar(select(func.count()).select_from(Contact)) == 0


def test_check_answers_before_every_question_is_answered_goes_to_the_next_question(
    alice: TestClient,
) -> None:
    start(alice)
    add_person(alice, "/raise-a-concern/person", JADE)

    assert alice.get("/raise-a-concern/check").headers["location"] == "/raise-a-concern/household"


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    alice: TestClient, sqlite_db: Session
) -> None:
    start(alice)

    for path, data in (
        ("/raise-a-concern/person", JADE),
        ("/raise-a-concern/urgency", {"urgency": "urgent"}),
        ("/raise-a-concern/discard", {}),
    ):
        response = alice.post(path, data=data)
        assert response.status_code == 400, path
    draft = draft_of(sqlite_db)
    assert draft is not None and draft.answers == {}
