"""Ian, the police's IG lead, in a real Chromium: he drafts an agreement with children's social
care, adds it as a party and grants its MASH managers police intelligence, signs for the police,
then sees that Bob opened break-glass over the police's records and marks it reviewed.

Every page on the way, and each form with its error summary, passes the accessibility scan.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from joinedup import schema
from joinedup.accounts.queries import actor_for_user
from joinedup.config import load_settings
from joinedup.db import make_engine
from joinedup.directory.rules import AgencyKind, Role
from joinedup.sharing import decisions
from joinedup.sharing.inputs import today
from joinedup.web.app import create_app
from tests.browser.conftest import _free_port, assert_accessible
from tests.factories import PASSWORD, create_agency, create_user

pytestmark = pytest.mark.browser
WHY = "Child missing overnight; police hold the last known address."


@dataclass(frozen=True)
class IgHub:
    url: str
    ian_email: str  # the police's IG lead


@pytest.fixture(scope="module")
def ig_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IgHub]:
    """The hub with the police and children's social care, Ian (the police's IG lead), and a
    break-glass that Bob, a social care MASH manager, opened over the police's records."""
    data_dir = tmp_path_factory.mktemp("ig-hub")
    url = f"sqlite:///{data_dir / 'joinedup.sqlite3'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    with Session(engine) as db:
        police = create_agency(
            db, AgencyKind.POLICE, code="NOTTS-POLICE", name="Nottinghamshire Police"
        )
        csc = create_agency(
            db, AgencyKind.CHILDRENS_SOCIAL_CARE, code="NCC-CSC", name="Children's Services"
        )
        ian = create_user(db, "Ian", roles=(Role.IG_LEAD,), agency=police)
        create_user(db, "Sue", roles=(Role.IG_LEAD,), agency=csc)
        bob = create_user(db, "Bob", roles=(Role.MASH_MANAGER,), agency=csc, password=None)
        decisions.open_break_glass(
            db,
            actor_for_user(bob),
            subject_reference="P00000042",
            owner_agency_code=police.code,
            justification=WHY,
        )
        email = ian.professional.email
    engine.dispose()

    app = create_app(load_settings(data_dir=data_dir, database_url=url))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name="joinedup-ig-hub", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the hub did not start")
        time.sleep(0.05)
    try:
        yield IgHub(f"http://127.0.0.1:{port}", email)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_an_ig_lead_drafts_grants_and_signs_an_agreement_then_reviews_break_glass(
    scannable_page: Page, ig_hub: IgHub
) -> None:
    page = scannable_page
    heading = page.get_by_role("heading", level=1)
    page.goto(f"{ig_hub.url}/sign-in")
    page.get_by_label("Email address").fill(ig_hub.ian_email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(heading).to_have_text("Your work")
    expect(page.locator("#break-glass-heading")).to_contain_text("Break-glass over")
    expect(page.get_by_role("table").first).to_contain_text(WHY)
    assert_accessible(page, "the IG lead's home page with a break-glass alert")

    # Draft an agreement, first with nothing filled in.
    page.get_by_role("link", name="Agreements").first.click()
    expect(heading).to_have_text("Information sharing agreements")
    assert_accessible(page, "the agreement register")
    page.get_by_role("button", name="Draft an agreement").click()
    expect(heading).to_have_text("Draft an agreement")
    assert_accessible(page, "the draft form")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the agreement's title")
    assert_accessible(page, "the draft form with its error summary")

    page.get_by_label("Title").fill("MASH: safeguarding children")
    page.get_by_label("Safeguarding children").check()
    page.get_by_label("UK GDPR Art 6(1)(e): public task").check()
    page.get_by_label("UK GDPR Art 9(2)(g): substantial public interest").check()
    page.get_by_label("How long information received").fill("2190")
    starts = today()
    for name, day in {
        "starts_on": starts,
        "review_on": starts + dt.timedelta(days=365),
    }.items():
        page.locator(f"#{name}-day").fill(str(day.day))
        page.locator(f"#{name}-month").fill(str(day.month))
        page.locator(f"#{name}-year").fill(str(day.year))
    page.get_by_role("button", name="Save draft").click()
    expect(heading).to_have_text("MASH: safeguarding children")
    assert_accessible(page, "a draft agreement's page")

    # Add children's social care, and grant its MASH managers police intelligence.
    page.get_by_role("button", name="Add a party").click()
    expect(heading).to_have_text("Add a party")
    assert_accessible(page, "the party form")
    page.get_by_label("Agency").select_option("NCC-CSC")
    page.get_by_role("button", name="Add party").click()
    expect(page.locator("#parties + table")).to_contain_text("Children's Services")

    page.get_by_role("button", name="Grant a role a data category").click()
    expect(heading).to_have_text("Grant a role a data category")
    page.get_by_role("button", name="Grant", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the role")
    assert_accessible(page, "the grant form with its error summary")
    page.get_by_label("Party whose staff may see it").select_option("NCC-CSC")
    page.get_by_label("Role").select_option("mash_manager")
    page.get_by_label("Police intelligence").check()
    page.get_by_role("button", name="Grant", exact=True).click()
    expect(page.locator("#grants")).to_contain_text("Children's Services: MASH manager")
    assert_accessible(page, "the agreement with a party and a grant")

    # Sign for the police.
    page.get_by_role("button", name="Sign for Nottinghamshire Police").click()
    expect(heading).to_have_text("Sign for Nottinghamshire Police")
    assert_accessible(page, "the signing page")
    page.get_by_label("As the information governance lead").check()
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.locator("#parties + table")).to_contain_text("Ian Archer")

    # The break-glass alert: review it.
    page.get_by_role("link", name="Home").click()
    page.get_by_role("link", name="Review Bob Archer's use").click()
    expect(heading).to_have_text("Break-glass use")
    assert_accessible(page, "a break-glass use")
    page.get_by_role("button", name="Mark as reviewed").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what you found")
    assert_accessible(page, "the review form with its error summary")
    page.get_by_label("What did you find?").fill("Justified: the child was found that night.")
    page.get_by_role("button", name="Mark as reviewed").click()
    expect(heading).to_have_text("Break-glass uses")
    expect(page.get_by_role("table")).to_contain_text("Reviewed by Ian Archer")
    assert_accessible(page, "the break-glass uses")

    page.get_by_role("link", name="Home").click()
    expect(page.locator("main")).to_contain_text("There is nothing to review")

    # Transparency: who has seen the police's information, and unusual access.
    page.get_by_role("link", name="Transparency").click()
    expect(heading).to_have_text("Who has seen our information")
    assert_accessible(page, "who has seen our information")
    page.get_by_role("link", name="See only the unusual access in this period").click()
    expect(heading).to_have_text("Unusual access")
    assert_accessible(page, "unusual access")
