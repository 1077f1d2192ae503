"""The IG lead's oversight pages: the break-glass alert on the home page, the break-glass uses
with their reviews, who has seen the agency's information, and unusual access.

The people are those of tests/ig_scenario.py: Ian is the police IG lead, Sue social care's;
Bob, a social care MASH manager, opens break-glass over the police's records; Pat, a social care
MASH practitioner, works the cases; Nia does not.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.audit.models import AuditEntry
from joinedup.directory.rules import Role
from joinedup.sharing import services
from joinedup.sharing.models import BreakGlassGrant, BreakGlassReview
from tests.conftest import TEST_NOW
from tests.factories import PASSWORD, create_user
from tests.ig_scenario import JUSTIFICATION, Partnership, draft_terms
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
from tests.web.test_every_page import crawl

TODAY = TEST_NOW.date()
IG_PAGES = ["/break-glass", "/transparency/accesses", "/transparency/unusual"]


@pytest.fixture
def mash(sqlite_db: Session, frozen_clock: clock.Clock) -> Partnership:
    return Partnership(sqlite_db, TODAY, password=PASSWORD)


@pytest.fixture
def ian(client: TestClient, mash: Partnership) -> TestClient:
    return sign_in(client, mash.user("Ian"))


def reviews(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(BreakGlassReview)) or 0


# --- Break-glass ---------------------------------------------------------------------------


def test_the_owners_ig_lead_sees_a_break_glass_alert_on_their_home_page_newest_first(
    ian: TestClient, mash: Partnership, frozen_clock: clock.Clock
) -> None:
    mash.break_glass()
    frozen_clock.advance(dt.timedelta(minutes=20))
    mash.break_glass(justification="Baby left alone; mother arrested, police hold the address.")

    home = page(ian.get("/"))

    assert text_of(home, "#break-glass-heading") == (
        "Break-glass over Nottinghamshire Police records to review"
    )
    assert table_rows(home, "Newest first. Someone opened emergency access") == [
        [
            "24 November 2026 at 10:20am",
            "Bob Archer, Nottinghamshire Children's Services",
            "Baby left alone; mother arrested, police hold the address.",
            "1 hour",
            "Review Bob Archer's use on 24 November 2026 at 10:20am",
        ],
        [
            "24 November 2026 at 10:00am",
            "Bob Archer, Nottinghamshire Children's Services",
            JUSTIFICATION,
            "1 hour",
            "Review Bob Archer's use on 24 November 2026 at 10:00am",
        ],
    ]


def test_break_glass_over_another_agencys_records_is_not_shown_to_this_ig_lead(
    client: TestClient, mash: Partnership
) -> None:
    mash.break_glass()  # over the police's records
    sign_in(client, mash.user("Sue"))

    home = page(client.get("/"))

    assert "There is nothing to review" in text_of(home, "main")
    assert page(client.get("/break-glass")).select("tbody tr") == []


def test_the_break_glass_page_says_who_when_why_how_long_and_what_it_showed(
    ian: TestClient, mash: Partnership
) -> None:
    mash.break_glass()
    mash.look(mash.bob, mash.records[:1], involved=False)

    listed = page(ian.get("/break-glass"))

    assert text_of(listed, "h1") == "Break-glass uses"
    assert table_rows(listed) == [
        [
            "24 November 2026 at 10:00am",
            "Bob Archer Nottinghamshire Children's Services",
            JUSTIFICATION,
            "1 hour Open now",
            "1",
            "To review Review Bob Archer's use on 24 November 2026 at 10:00am",
        ]
    ]


def test_an_ig_lead_marks_a_use_reviewed_with_a_note_and_the_alert_goes(
    ian: TestClient, mash: Partnership, sqlite_db: Session
) -> None:
    grant = mash.break_glass()
    url = f"/break-glass/{grant.id}"
    use = page(ian.get(url))
    assert text_of(use, "h1") == "Break-glass use"
    rows = dict(
        zip(
            texts_of(use, ".govuk-summary-list__key"),
            texts_of(use, ".govuk-summary-list__value"),
            strict=True,
        )
    )
    assert rows["Why"] == JUSTIFICATION
    assert rows["How long"] == "1 hour, open until 24 November 2026 at 11:00am"

    response = post_form(ian, f"{url}/review", {"note": "Justified: the child was found."}, url)

    assert (response.status_code, response.headers["location"]) == (303, "/break-glass")
    assert "There is nothing to review" in text_of(page(ian.get("/")), "main")
    [row] = table_rows(page(ian.get("/break-glass")))
    assert row[-1].startswith("Reviewed by Ian Archer 24 November 2026 at 10:00am")
    reviewed = page(ian.get(url))
    assert "Justified: the child was found." in text_of(reviewed, "main")
    assert reviewed.select("textarea") == []
    sqlite_db.expire_all()
    kept = sqlite_db.get(BreakGlassGrant, grant.id)
    assert kept is not None and kept.justification == JUSTIFICATION
    entry = sqlite_db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == "ig:break_glass:reviewed"


def test_a_review_without_a_note_says_what_to_write_and_records_nothing(
    ian: TestClient, mash: Partnership, sqlite_db: Session
) -> None:
    grant = mash.break_glass()
    url = f"/break-glass/{grant.id}"

    response = post_form(ian, f"{url}/review", {"note": "   "}, url)

    assert response.status_code == 400
    assert error_summary(response) == {
        "#note": "Say what you found: whether the emergency justified it, and anything you did"
    }
    assert reviews(sqlite_db) == 0


def test_a_second_review_is_refused_and_says_who_reviewed_it(
    ian: TestClient, mash: Partnership, sqlite_db: Session
) -> None:
    grant = mash.break_glass()
    url = f"/break-glass/{grant.id}"
    token = form_token(ian.get(url).text)
    ian.post(f"{url}/review", data={"csrf_token": token, "note": "Justified."})

    again = ian.post(f"{url}/review", data={"csrf_token": token, "note": "Again."})

    assert again.status_code == 400
    assert "already reviewed this use on 24 November 2026" in text_of(
        page(again), ".govuk-error-summary"
    )
    assert reviews(sqlite_db) == 1


@pytest.mark.parametrize("token", ["missing", "another session's"])
def test_a_review_without_this_sessions_token_records_nothing(
    client: TestClient, other_client: TestClient, mash: Partnership, sqlite_db: Session, token: str
) -> None:
    grant = mash.break_glass()
    sign_in(client, mash.user("Ian"))
    data = {"note": "Justified."}
    if token == "another session's":
        data["csrf_token"] = form_token(sign_in(other_client, mash.user("Ian")).get("/").text)

    response = client.post(f"/break-glass/{grant.id}/review", data=data)

    assert (response.status_code, heading(response)) == (400, "Your form could not be sent")
    assert reviews(sqlite_db) == 0


# --- Who has seen our information ------------------------------------------------------------


def test_the_ig_lead_sees_who_has_seen_their_agencys_records_and_under_what(
    ian: TestClient, mash: Partnership, frozen_clock: clock.Clock
) -> None:
    mash.look(mash.pat, mash.records[:1])
    frozen_clock.advance(dt.timedelta(minutes=5))
    mash.look(mash.hana, mash.records[:1])

    report = page(ian.get("/transparency/accesses"))

    record = f"agency record {mash.records[0].id} Safeguarding children"
    assert text_of(report, "h1") == "Who has seen our information"
    assert table_rows(report, "accesses from") == [
        [
            "24 November 2026 at 10:05am",
            "Hana Archer Sherwood Forest Hospitals",
            record,
            "Nothing: withheld Withheld: no agreement",
            "Nothing: refused",
        ],
        [
            "24 November 2026 at 10:00am",
            "Pat Archer Nottinghamshire Children's Services",
            record,
            "Demographics, Police intelligence Withheld: category not covered",
            "MASH: safeguarding children",
        ],
    ]
    assert "Page 1 of 1: 2 accesses from 25 October 2026 to 24 November 2026" in (
        text_of(report, "caption")
    )


def test_the_report_covers_the_dates_asked_for_and_pages_through_them(
    client: TestClient, mash: Partnership, frozen_clock: clock.Clock
) -> None:
    mash.look(mash.pat, mash.records[:1])  # 24 November
    frozen_clock.advance(dt.timedelta(days=1))
    for _ in range(20):
        mash.look(mash.pat)  # 60 entries on 25 November
    ian = sign_in(client, mash.user("Ian"))
    day = {"from-day": "25", "from-month": "11", "from-year": "2026"}
    to = {"to-day": "25", "to-month": "11", "to-year": "2026"}

    first = page(ian.get("/transparency/accesses", params=day | to))
    second = page(ian.get("/transparency/accesses", params=day | to | {"page": "2"}))
    the_day_before = page(
        ian.get(
            "/transparency/accesses",
            params={
                "from-day": "24",
                "from-month": "11",
                "from-year": "2026",
                "to-day": "24",
                "to-month": "11",
                "to-year": "2026",
            },
        )
    )

    assert "Page 1 of 2: 60 accesses" in text_of(first, "caption")
    assert len(table_rows(first, "accesses from")) == 50
    assert len(table_rows(second, "accesses from")) == 10
    next_link = first.select_one(".govuk-pagination__next a")
    assert next_link is not None and "page=2" in str(next_link["href"])
    assert "from-day=25" in str(next_link["href"])  # the period is kept
    assert len(table_rows(the_day_before, "1 access from 24 November 2026 to 24 November")) == 1


@pytest.mark.parametrize(
    ("query", "target", "message"),
    [
        (
            {"from-day": "31", "from-month": "2", "from-year": "2026"},
            "#from",
            "The start of the period must be a real date, like 1 November 2026",
        ),
        (
            {"to-day": "x", "to-month": "11", "to-year": "2026"},
            "#to",
            "The end of the period must be a real date, like 1 November 2026",
        ),
        (
            {
                "from-day": "2",
                "from-month": "12",
                "from-year": "2026",
                "to-day": "1",
                "to-month": "12",
                "to-year": "2026",
            },
            "#from",
            "The start of the period must be on or before its end",
        ),
        (
            {"from-day": "1", "from-month": "1", "from-year": "2025"},
            "#from",
            "Choose a period of a year or less",
        ),
    ],
)
@pytest.mark.parametrize("report", ["/transparency/accesses", "/transparency/unusual"])
def test_a_wrong_period_is_named_beside_its_date(
    ian: TestClient, report: str, query: dict[str, str], target: str, message: str
) -> None:
    response = ian.get(report, params=query)

    assert response.status_code == 400
    assert error_summary(response) == {target: message}
    assert page(response).select("tbody") == []


# --- Unusual access --------------------------------------------------------------------------


def test_the_unusual_access_page_shows_break_glass_and_refusals_for_not_working_the_case(
    ian: TestClient, mash: Partnership
) -> None:
    mash.break_glass()
    mash.look(mash.bob, mash.records[:1], involved=False)
    mash.look(mash.nia, mash.records[:1], involved=False)

    report = page(ian.get("/transparency/unusual"))

    assert text_of(report, "h1") == "Unusual access"
    [glass] = table_rows(report, "under break-glass")
    assert glass[1] == "Bob Archer Nottinghamshire Children's Services"
    assert glass[4].startswith("Break-glass")
    [refused] = table_rows(report, "not working the person's contact or case")
    assert refused[1] == "Nia Archer Nottinghamshire Children's Services"
    assert "Withheld: category not covered, not working the case" in refused[3]
    assert "No one was shown many more of your records than their peers" in report.get_text()
    assert "No partner was shown your records while the MASH was closed." in report.get_text()


def test_the_unusual_access_page_names_a_heavy_viewer_against_their_peers(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    mash = Partnership(sqlite_db, TODAY, people=20, password=PASSWORD)
    mash.look(mash.pat)
    mash.look(mash.nia, mash.records[:2])
    sign_in(client, mash.user("Ian"))

    report = page(client.get("/transparency/unusual"))

    assert table_rows(report, "People shown at least 20") == [
        ["Pat Archer", "Nottinghamshire Children's Services", "20", "2"]
    ]


def test_partners_shown_records_out_of_hours_are_listed(
    client: TestClient, mash: Partnership, frozen_clock: clock.Clock
) -> None:
    frozen_clock.set(dt.datetime(2026, 11, 24, 20, 0, tzinfo=dt.UTC))  # Tuesday 8pm
    mash.look(mash.pat, mash.records[:1])
    sign_in(client, mash.user("Ian"))

    report = page(client.get("/transparency/unusual"))

    [late] = table_rows(report, "Outside the MASH's opening hours")
    assert late[:2] == [
        "24 November 2026 at 8:00pm",
        "Pat Archer Nottinghamshire Children's Services",
    ]


# --- Who reaches these pages ---------------------------------------------------------------


def test_no_one_but_an_ig_lead_finds_the_oversight_pages(
    client: TestClient, sqlite_db: Session, mash: Partnership
) -> None:
    grant = mash.break_glass()
    everyone_else = tuple(role for role in Role if role is not Role.IG_LEAD)
    rita = create_user(sqlite_db, "Rita", roles=everyone_else, agency=mash.police)
    sign_in(client, rita)
    token = form_token(client.get("/").text)

    for url in [*IG_PAGES, f"/break-glass/{grant.id}"]:
        response = client.get(url)
        assert (response.status_code, heading(response)) == (404, "Page not found"), url
    review = client.post(
        f"/break-glass/{grant.id}/review", data={"csrf_token": token, "note": "Fine."}
    )
    assert review.status_code == 404
    assert "Break-glass over" not in page(client.get("/")).get_text()
    assert reviews(sqlite_db) == 0


def test_another_agencys_ig_lead_cannot_see_or_review_this_agencys_break_glass(
    client: TestClient, sqlite_db: Session, mash: Partnership
) -> None:
    grant = mash.break_glass()  # over the police's records
    sign_in(client, mash.user("Sue"))
    token = form_token(client.get("/").text)

    shown = client.get(f"/break-glass/{grant.id}")
    review = client.post(
        f"/break-glass/{grant.id}/review", data={"csrf_token": token, "note": "Fine."}
    )
    unknown = client.get("/break-glass/9999")

    assert [r.status_code for r in (shown, review, unknown)] == [404, 404, 404]
    assert reviews(sqlite_db) == 0


def test_an_ig_lead_sees_only_accesses_to_their_own_agencys_records(
    client: TestClient, mash: Partnership
) -> None:
    mash.look(mash.pat, mash.records[:1])  # the police's record
    sign_in(client, mash.user("Sue"))

    report = page(client.get("/transparency/accesses"))

    assert report.select("#accesses") == []
    assert "No one asked for your agency's records" in report.get_text()


def test_every_page_an_ig_lead_can_reach_has_a_title_and_one_heading(
    ian: TestClient, mash: Partnership
) -> None:
    grant = mash.break_glass()
    mash.look(mash.bob, mash.records[:1], involved=False)
    mash.look(mash.nia, mash.records[:1], involved=False)
    draft = services.draft_agreement(mash.db, mash.ian, **draft_terms(TODAY, title="Draft"))  # type: ignore[arg-type]

    seen, problems = crawl(ian, "/")

    assert problems == []
    assert {
        "/agreements",
        f"/agreements/{mash.agreement.id}",
        f"/agreements/{draft.id}/parties/new",
        f"/agreements/{draft.id}/grants/new",
        f"/agreements/{draft.id}/sign",
        f"/agreements/{mash.agreement.id}/suspend",
        "/agreements/new",
        "/break-glass",
        f"/break-glass/{grant.id}",
        "/transparency/unusual",
    } <= seen
