"""A concern's whole way through the MASH, in a real Chromium, in a synthetic county with its
demo agreements (issue 4's journey).

Pat, a police officer, raises a concern about Jade, a child the police already hold a record
of. Bob, the council's MASH manager, sees the match with that record, rates it Red, and asks
community health and the education service. Hana (health) and Erin (education) each answer
from their own queue; Bob asks health a follow-up question, which Hana answers seeing her
first answer. Bob decides on a strategy discussion with his rationale and sends the outcome;
Pat sees the outcome and nothing of the partners' research. Every page on the way passes the
accessibility scan.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import schema
from joinedup.db import make_engine
from joinedup.directory.models import Agency
from joinedup.directory.rules import Role
from joinedup.people.imports import import_extract
from joinedup.people.schemas import COLUMN_NAMES
from joinedup.synthetic import CountyOptions, build_county, write_county
from joinedup.synthetic.load import extract_files, import_extracts, load_county
from tests.browser.conftest import (
    assert_accessible,
    assert_accessible_with_reveals,
    serving,
    sign_in,
)
from tests.factories import ADMIN, create_user

pytestmark = pytest.mark.browser
JADE_NHS = "9434765919"
STAFF = {
    "pat": ("NOTTS-POLICE", Role.REFERRER),
    "bob": ("NCC-CSC", Role.MASH_MANAGER),
    "hana": ("NOTTS-COMMUNITY", Role.MASH_PRACTITIONER),
    "erin": ("NCC-EDUCATION", Role.MASH_PRACTITIONER),
}


@dataclass(frozen=True)
class County:
    url: str
    emails: dict[str, str]


def police_record() -> io.BytesIO:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMN_NAMES, restval="")
    writer.writeheader()
    writer.writerow(
        {
            "record_id": "PNC-JADE-1",
            "given_name": "Jade",
            "family_name": "Smith",
            "date_of_birth": "2015-03-27",
            "nhs_number": JADE_NHS,
            "address": "1 High Street, Mansfield",
            "postcode": "NG18 1AB",
        }
    )
    return io.BytesIO(text.getvalue().encode())


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[County]:
    data_dir = tmp_path_factory.mktemp("mash")
    url = f"sqlite:///{data_dir / 'joinedup.sqlite3'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    built = build_county(CountyOptions(people=100))
    write_county(built, data_dir / "county")
    with Session(engine) as db:
        load_county(db, built, "a long demo password", seed=1)
        import_extracts(db, extract_files(data_dir / "county" / "extracts"), lambda: None)
        import_extract(db, ADMIN, "NOTTS-POLICE", police_record(), file_name="jade.csv")
        emails = {}
        for name, (code, role) in STAFF.items():
            agency = db.scalars(select(Agency).where(Agency.code == code)).one()
            user = create_user(db, name.title(), roles=(role,), agency=agency)
            emails[name] = user.professional.email
        db.commit()
    engine.dispose()
    with serving(data_dir, url) as base:
        yield County(base, emails)


def as_(browser: Browser, county: County, name: str) -> Page:
    """A fresh browser window (axe may be injected) signed in as `name`."""
    page = browser.new_context(bypass_csp=True).new_page()
    sign_in(page, county.url, county.emails[name])
    return page


def heading(page: Page, text: str, what: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text(text)
    assert_accessible(page, what)


def raise_concern(pat: Page) -> str:
    pat.get_by_role("button", name="Raise a concern").click()
    pat.get_by_role("button", name="Start now").click()
    pat.get_by_label("Child", exact=True).check()
    pat.get_by_label("First name").fill("Jade")
    pat.get_by_label("Last name").fill("Smith")
    pat.locator("#date_of_birth-day").fill("27")
    pat.locator("#date_of_birth-month").fill("3")
    pat.locator("#date_of_birth-year").fill("2015")
    pat.get_by_label("NHS number (if known)").fill("943 476 5919")
    pat.get_by_role("button", name="Save and continue").click()
    pat.get_by_label("No").check()
    pat.get_by_role("button", name="Continue").click()
    pat.get_by_label("No").check()  # nobody else in the household to mention
    pat.get_by_role("button", name="Continue").click()
    pat.get_by_label("Physical abuse").check()
    pat.get_by_role("button", name="Continue").click()
    pat.get_by_label("What happened?").fill("Jade said her stepfather hit her with a belt.")
    pat.get_by_role("button", name="Continue").click()
    pat.get_by_label("Urgent", exact=True).check()
    pat.get_by_role("button", name="Continue").click()
    pat.get_by_label("Consent was not sought").check()
    pat.get_by_label("(c) seeking it would prejudice the protection", exact=False).check()
    assert_accessible_with_reveals(pat, "the consent question")
    pat.get_by_role("button", name="Continue").click()
    pat.get_by_role("button", name="Send concern").click()
    found = re.search(r"MASH-\d{4}-\d{6}", pat.locator(".govuk-panel").inner_text())
    assert found is not None
    return found[0]


def answer(page: Page, reference: str, summary: str, share: str, what: str) -> None:
    expect(page.locator("#research-heading")).to_be_visible()
    assert_accessible(page, f"{what}'s research queue")
    page.get_by_role("link", name=reference).click()
    heading(page, "Answer the MASH's request", f"{what}'s answer form")
    expect(page.locator("main")).to_contain_text("Smith")  # shared under the agreement
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a summary")
    assert_accessible(page, f"{what}'s answer form with its error summary")
    page.get_by_label("What your agency knows").fill(summary)
    page.get_by_label("Normal").check()
    page.locator(f"input[name=may_share][value={share}]").check()
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
    expect(page.locator("main")).not_to_contain_text(reference)


def follow_up(browser: Browser, county: County, bob: Page, reference: str) -> None:
    """New information: Bob asks health more; Hana answers from her queue, seeing her answer."""
    bob.get_by_role("link", name=re.compile("Ask a follow-up question of .*Community")).click()
    heading(bob, "a follow-up question", "the follow-up question form")
    bob.get_by_role("button", name="Send the follow-up question").click()
    expect(bob.locator(".govuk-error-summary")).to_contain_text("Enter what you want")
    assert_accessible(bob, "the follow-up question form with its error summary")
    bob.get_by_label(re.compile("to find out now")).fill(
        "A new bruise today: any visits since June?"
    )
    bob.get_by_role("button", name="Send the follow-up question").click()
    expect(bob.get_by_role("table", name="Requests to partner agencies")).to_contain_text(
        "(follow-up 1)"
    )
    hana = as_(browser, county, "hana")
    hana.get_by_role("link", name=reference).click()
    heading(hana, "Answer the MASH's follow-up question", "health's follow-up answer form")
    earlier = hana.get_by_role("table", name=re.compile("asked and answered before"))
    expect(earlier).to_contain_text("wrist injury")
    hana.get_by_label("What your agency knows").fill("No visits since June.")
    hana.get_by_label("Normal").check()
    hana.locator("input[name=may_share][value=no]").check()
    hana.get_by_role("button", name="Send the answer").click()
    expect(hana.get_by_role("heading", level=1)).to_have_text("Your work")
    bob.reload()
    expect(bob.get_by_role("table", name="Requests to partner agencies")).to_contain_text(
        "No visits since June."
    )


def test_a_concern_goes_from_the_police_through_the_mash_and_back(
    browser: Browser, county: County
) -> None:
    pat = as_(browser, county, "pat")
    reference = raise_concern(pat)

    # Bob sees it to rate, with the police's record of Jade matched to her.
    bob = as_(browser, county, "bob")
    assert_accessible(bob, "the MASH manager's home page")
    bob.get_by_role("link", name=reference).first.click()
    heading(bob, reference, "the new contact")
    records = bob.get_by_role("table", name=re.compile("partner agencies' records"))
    expect(records).to_contain_text("PNC-JADE-1")
    bob.get_by_role("link", name="Rate this contact").click()
    heading(bob, "Rate this contact", "the rating form")
    bob.get_by_role("button", name="Save the rating").click()
    expect(bob.locator(".govuk-error-summary")).to_contain_text("Select a rating")
    assert_accessible(bob, "the rating form with its error summary")
    bob.get_by_label("Red").check()
    bob.get_by_label("Why this rating").fill("Disclosure of an assault with a belt.")
    bob.get_by_role("button", name="Save the rating").click()

    bob.get_by_role("link", name="Ask partners").click()
    heading(bob, "Ask partners what they know", "the research request form")
    bob.get_by_label(re.compile("Community")).check()
    bob.get_by_label(re.compile("Education")).check()
    bob.get_by_label("What do you want them to find out?").fill(
        "Any injuries, missed appointments or absences this year?"
    )
    bob.get_by_role("button", name="Send the requests").click()
    expect(bob.get_by_role("table", name="Requests to partner agencies")).to_contain_text("Waiting")
    assert_accessible(bob, "the contact with research out")

    answer(
        as_(browser, county, "hana"),
        reference,
        "Seen in A&E in June with a wrist injury.",
        "no",
        "health",
    )
    answer(as_(browser, county, "erin"), reference, "Attendance 81% this term.", "yes", "education")

    bob.reload()
    expect(bob.get_by_role("table", name="Requests to partner agencies")).to_contain_text(
        "wrist injury"
    )
    follow_up(browser, county, bob, reference)
    bob.get_by_role("link", name="Record the decision").click()
    heading(bob, "Record the decision", "the decision form")
    bob.get_by_label("Strategy discussion, leading to section 47 enquiries").check()
    bob.get_by_label("Rationale").fill("Disclosure of assault and a prior wrist injury.")
    bob.locator("input[name=harm_indicated][value=yes]").check()
    bob.locator("input[name=invited]").first.check()  # not every partner: flagged
    bob.get_by_role("button", name="Record the decision").click()
    heading(bob, reference, "the decided contact")
    expect(bob.locator(".govuk-warning-text").first).to_contain_text("was not invited")

    bob.goto(county.url + "/")
    bob.get_by_role("link", name=reference).last.click()
    heading(bob, "Send the outcome to the referrer", "the feedback form")
    bob.get_by_label("Message to the referrer").fill("A strategy discussion is being held today.")
    bob.get_by_role("button", name="Send").click()

    # Pat sees the outcome and the message, never the partners' research.
    pat.goto(county.url + "/")
    pat.get_by_role("link", name=reference).click()
    heading(pat, reference, "the referrer's view of the decided contact")
    main = pat.locator("main")
    expect(main).to_contain_text("Strategy discussion, leading to section 47 enquiries")
    expect(main).to_contain_text("A strategy discussion is being held today.")
    expect(main).not_to_contain_text("wrist injury")
    expect(main).not_to_contain_text("No visits since June")
    expect(main).not_to_contain_text("Attendance")
