"""Ada, the administrator, adds an agency and a professional, in a real Chromium.

Every page on the way, and each form with its error summary, passes the accessibility scan.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveHub, assert_accessible

pytestmark = pytest.mark.browser


def test_an_administrator_adds_an_agency_and_a_professional(
    scannable_page: Page, live_hub: LiveHub
) -> None:
    page = scannable_page
    page.goto(f"{live_hub.url}/sign-in")
    page.get_by_label("Email address").fill(live_hub.admin_email)
    page.get_by_label("Password", exact=True).fill(live_hub.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")

    page.get_by_role("link", name="Directory").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory")
    assert_accessible(page, "the directory")

    page.get_by_role("button", name="Add an agency").click()
    page.get_by_role("button", name="Add agency").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    assert_accessible(page, "the agency form with its error summary")

    page.get_by_label("Name").fill("Mansfield Road Primary School")
    page.get_by_label("Code").fill("SCH-MRP")
    page.get_by_label("Kind of agency").select_option("school")
    page.get_by_label("Area it serves").select_option("ASHFIELD")
    page.get_by_role("button", name="Add agency").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mansfield Road Primary School")
    assert_accessible(page, "an agency's page")

    page.get_by_role("button", name="Add a professional").click()
    assert_accessible(page, "the professional form")
    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("Shah")
    page.get_by_label("Work email address").fill("priya.shah@mrp.example")
    page.get_by_label("Referrer").check()
    page.get_by_role("button", name="Add professional").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Shah")
    assert_accessible(page, "a professional's page")

    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    assert_accessible(page, "the API tokens page")
