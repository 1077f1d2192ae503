"""Pat, a police officer, raises a concern about a child in a real Chromium: who it is about,
with her NHS number, the mother's partner in her household, what happened, how urgent it is
and why consent was not sought; she checks her answers, sends it, sees its reference at once,
and finds it on her home page.

Every page on the way, and the person form with its error summary, passes the accessibility
scan. Ada, the administrator, first adds Pat to the hub through the directory pages.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LiveHub,
    assert_accessible,
    assert_accessible_with_reveals,
    sign_in,
)

pytestmark = pytest.mark.browser
PAT = "pat.patel@police.example"


def add_police_officer(page: Page, hub: LiveHub) -> None:
    """Ada adds the police, and Pat as a referrer there who can sign in."""
    sign_in(page, hub, hub.admin_email)
    page.goto(f"{hub.url}/admin/agencies/new")
    page.get_by_label("Name").fill("Nottinghamshire Police")
    page.get_by_label("Code").fill("NOTTS-POLICE")
    page.get_by_label("Kind of agency").select_option("police")
    page.get_by_role("button", name="Add agency").click()
    page.get_by_role("button", name="Add a professional").click()
    page.get_by_label("First name").fill("Pat")
    page.get_by_label("Last name").fill("Patel")
    page.get_by_label("Work email address").fill(PAT)
    page.get_by_label("Referrer").check()
    page.get_by_role("button", name="Add professional").click()
    page.get_by_label("First password").fill(hub.password)
    page.get_by_role("button", name="Let them sign in").click()
    expect(page.get_by_text("Can sign in")).to_be_visible()


def continue_(page: Page, heading: str, what: str, reveals: bool = False) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    (assert_accessible_with_reveals if reveals else assert_accessible)(page, what)


def test_a_police_officer_raises_a_concern_and_sees_its_reference_at_once(
    page: Page, scannable_page: Page, live_hub: LiveHub
) -> None:
    add_police_officer(page, live_hub)
    officer = scannable_page
    sign_in(officer, live_hub, PAT)
    assert_accessible(officer, "the home page of a referrer")

    officer.get_by_role("button", name="Raise a concern").click()
    continue_(officer, "Raise a concern", "the start page")
    officer.get_by_role("button", name="Start now").click()

    continue_(officer, "Who is the concern about?", "the person form", reveals=True)
    officer.get_by_label("Child", exact=True).check()
    officer.get_by_label("First name").fill("Jade")
    officer.get_by_label("Last name").fill("Smith")
    officer.locator("#date_of_birth-day").fill("27")
    officer.locator("#date_of_birth-month").fill("3")
    officer.locator("#date_of_birth-year").fill("2015")
    officer.get_by_label("NHS number (if known)").fill("123 456 1234")
    officer.get_by_role("button", name="Save and continue").click()
    summary = officer.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a valid NHS number: 123 456 1234 fails its check digit")
    assert_accessible_with_reveals(officer, "the person form with its error summary")
    officer.get_by_label("NHS number (if known)").fill("943 476 5919")
    officer.get_by_label("Postcode (if known)").fill("NG18 1AB")
    officer.get_by_role("button", name="Save and continue").click()

    continue_(officer, "People the concern is about", "the list of people")
    officer.get_by_label("No").check()
    officer.get_by_role("button", name="Continue").click()

    continue_(officer, "Their household", "the household question")
    officer.get_by_label("Yes").check()
    officer.get_by_role("button", name="Continue").click()
    continue_(
        officer, "Who lives with them or cares for them?", "the household member", reveals=True
    )
    officer.get_by_label("Adult", exact=True).check()
    officer.get_by_label("First name").fill("Dean")
    officer.get_by_label("Last name").fill("Walker")
    officer.get_by_label("Relationship to the person the concern is about").fill("mother's partner")
    officer.get_by_role("button", name="Save and continue").click()
    continue_(officer, "Their household", "the household list")
    officer.get_by_label("No").check()
    officer.get_by_role("button", name="Continue").click()

    continue_(officer, "What is the concern about?", "the concern categories")
    officer.get_by_label("Neglect", exact=True).check()
    officer.get_by_label("Domestic abuse").check()
    officer.get_by_role("button", name="Continue").click()

    continue_(officer, "What happened?", "what happened")
    officer.get_by_label("What happened?").fill(
        "Called to a disturbance at 11pm. Jade was in the house and had not eaten."
    )
    officer.get_by_role("button", name="Continue").click()

    continue_(officer, "How urgent is it?", "the urgency")
    officer.get_by_label("Urgent", exact=True).check()
    officer.get_by_role("button", name="Continue").click()

    continue_(officer, "Did they agree to this referral?", "the consent question", reveals=True)
    officer.get_by_label("Consent was not sought").check()
    reason = officer.get_by_label("(c) seeking it would prejudice the protection", exact=False)
    expect(reason).to_be_visible()  # revealed under "not sought" by GOV.UK Frontend's script
    reason.check()
    assert_accessible_with_reveals(officer, "the consent question with its reasons revealed")
    officer.get_by_role("button", name="Continue").click()

    continue_(officer, "Check your answers", "check your answers")
    expect(officer.locator(".govuk-summary-card").first).to_contain_text("943 476 5919")
    expect(officer.locator(".govuk-summary-card").nth(1)).to_contain_text("mother's partner")
    officer.get_by_role("button", name="Send concern").click()

    panel = officer.locator(".govuk-panel")
    expect(panel).to_contain_text("Concern sent")
    reference = re.search(r"MASH-\d{4}-\d{6}", panel.inner_text())
    assert reference is not None, panel.inner_text()
    assert_accessible(officer, "the confirmation")

    officer.get_by_role("link", name="your home page").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Your work")
    expect(officer.locator("table")).to_contain_text(reference[0])
    assert_accessible(officer, "the home page with the new concern")
