"""A MASH manager signs in, sees their work, and signs out, in a real Chromium."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from playwright.sync_api import Response as PlaywrightResponse

from tests.browser.conftest import LiveHub, assert_accessible

pytestmark = pytest.mark.browser
# A fixed place (/tmp on Linux) to look at the home page after a run.
SCREENSHOT = Path(tempfile.gettempdir()) / "joinedup-home.png"


def test_a_mash_manager_signs_in_sees_their_work_and_signs_out(
    scannable_page: Page, live_hub: LiveHub
) -> None:
    page = scannable_page
    page.goto(f"{live_hub.url}/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=(/|%2F)$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to joinedup")
    assert_accessible(page, "the sign-in page")

    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    expect(page).to_have_title("Error: Sign in – joinedup")
    assert_accessible(page, "the sign-in page with its error summary")

    page.get_by_label("Email address").fill(live_hub.email)
    page.get_by_label("Password", exact=True).fill(live_hub.password)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
    expect(page.get_by_role("heading", name="Contacts to rate")).to_be_visible()
    expect(page.locator("header")).to_contain_text("Bob Archer, Nottinghamshire County Council")
    assert_accessible(page, "the home page")
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to joinedup")


def test_pages_run_their_scripts_under_the_real_csp(page: Page, live_hub: LiveHub) -> None:
    """The nonce'd inline script and GOV.UK Frontend's module both run, and nothing is refused."""
    problems: list[str] = []

    def note_refusal(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(message.text)

    def note_failure(response: PlaywrightResponse) -> None:
        # Chromium asks for /favicon.ico by itself, when it likes; the page never links to it.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"{response.status} {response.url}")

    page.on("console", note_refusal)
    page.on("response", note_failure)
    page.goto(f"{live_hub.url}/sign-in")

    expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled\b"))
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    # GOV.UK Frontend's password input shows its "Show" button only once its script has run.
    expect(page.get_by_role("button", name="Show password")).to_be_visible()
    assert problems == []
