"""A concern about a child with an open case, in a real Chromium (domain.md step 2).

Children's services hold an open case for Jade, allocated to Sam, a social worker. Pat, a police
officer, raises a concern about her: it goes to Sam, not through the MASH. Sam finds it on his
home page and opens it, sends Pat the acknowledgement (first forgetting the message) and
accepts it into the case's work with a note; Pat is told it was passed to the allocated social
worker and reads Sam's acknowledgement; Bob, the MASH manager, sees Sam accepted it, and brings
it back into the MASH all the same (a wrong match), first forgetting the reason. Every page on
the way passes the accessibility scan.
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
from joinedup.accounts.queries import actor_for_user
from joinedup.db import make_engine
from joinedup.directory.models import Agency
from joinedup.directory.rules import Role
from joinedup.frontdoor import services
from joinedup.frontdoor.cases import load_cases
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.schemas import ContactIn
from joinedup.people.imports import import_extract
from joinedup.people.schemas import COLUMN_NAMES
from joinedup.synthetic import CountyOptions, build_county, write_county
from joinedup.synthetic.load import extract_files, import_extracts, load_county
from tests.browser.conftest import assert_accessible, serving, sign_in
from tests.factories import ADMIN, create_user

pytestmark = pytest.mark.browser
NHS = "9434765919"
ACKNOWLEDGEMENT = "Sam, Jade's social worker, has your concern: I will call you this afternoon."
STAFF = {
    "pat": ("NOTTS-POLICE", Role.REFERRER),
    "bob": ("NCC-CSC", Role.MASH_MANAGER),
    "sam": ("NCC-CSC", Role.REFERRER),
}


@dataclass(frozen=True)
class County:
    url: str
    emails: dict[str, str]
    reference: str


def csc_record() -> io.BytesIO:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMN_NAMES, restval="")
    writer.writeheader()
    writer.writerow(
        {
            "record_id": "CSC-JADE",
            "given_name": "Jade",
            "family_name": "Smith",
            "date_of_birth": "2015-03-27",
            "nhs_number": NHS,
        }
    )
    return io.BytesIO(text.getvalue().encode())


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[County]:
    data_dir = tmp_path_factory.mktemp("routed")
    url = f"sqlite:///{data_dir / 'joinedup.sqlite3'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    built = build_county(CountyOptions(people=100))
    write_county(built, data_dir / "county")
    with Session(engine, expire_on_commit=False) as db:
        load_county(db, built, "a long demo password", seed=1)
        import_extracts(db, extract_files(data_dir / "county" / "extracts"), lambda: None)
        import_extract(db, ADMIN, "NCC-CSC", csc_record(), file_name="jade.csv")
        users = {}
        for name, (code, role) in STAFF.items():
            agency = db.scalars(select(Agency).where(Agency.code == code)).one()
            users[name] = create_user(db, name.title(), roles=(role,), agency=agency)
        emails = {name: user.professional.email for name, user in users.items()}
        load_cases(
            db,
            ADMIN,
            "NCC-CSC",
            (
                "record_id,case_reference,allocated_worker_email,opened_on\n"
                f"CSC-JADE,CIN-4471,{emails['sam']},2026-09-01\n"
            ).encode(),
            "cases.csv",
        )
        concern = ContactIn.model_validate(
            {
                "subjects": [
                    {
                        "kind": "child",
                        "given_name": "Jade",
                        "family_name": "Smith",
                        "date_of_birth": "2015-03-27",
                        "nhs_number": NHS,
                    }
                ],
                "concern_categories": ["neglect"],
                "what_happened": "Jade came to school hungry three days running.",
                "urgency": "urgent",
                "consent": "given",
            }
        )
        reference = services.receive_contact(
            db, actor_for_user(users["pat"]), concern, Practice()
        ).contact.reference
        db.commit()
    engine.dispose()
    with serving(data_dir, url) as base:
        yield County(base, emails, reference)


def as_(browser: Browser, county: County, name: str) -> Page:
    page = browser.new_context(bypass_csp=True).new_page()
    sign_in(page, county.url, county.emails[name])
    return page


def test_a_concern_about_a_child_with_an_open_case_goes_to_her_social_worker(
    browser: Browser, county: County
) -> None:
    reference = county.reference

    sam = as_(browser, county, "sam")
    expect(sam.locator("#cases-heading")).to_have_text("New contacts about your cases")
    assert_accessible(sam, "the social worker's home page")
    sam.get_by_role("link", name=reference).click()
    expect(sam.get_by_role("heading", level=1)).to_have_text(reference)
    expect(sam.locator("#routed")).to_contain_text("Routed to you, open case CIN-4471")
    expect(sam.locator("main")).to_contain_text("Smith")  # through the gate
    assert_accessible(sam, "the routed contact, as its allocated worker sees it")

    sam.get_by_role("link", name="Send the acknowledgement").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text(
        "Send the acknowledgement to the referrer"
    )
    assert_accessible(sam, "the worker's acknowledgement form")
    sam.get_by_role("button", name="Send").click()
    expect(sam.locator(".govuk-error-summary")).to_contain_text("Enter the message")
    assert_accessible(sam, "the acknowledgement form with its error summary")
    sam.get_by_label("Message to the referrer").fill(ACKNOWLEDGEMENT)
    sam.get_by_role("button", name="Send").click()
    expect(sam.locator("main")).to_contain_text("Acknowledgement sent to Pat")

    sam.get_by_role("button", name="Accept this contact").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text(
        "Accept this contact into the case's work"
    )
    assert_accessible(sam, "the accept form")
    sam.get_by_label("Note for the MASH (optional)").fill("Visiting the family today.")
    sam.get_by_role("button", name="I have taken this into the case's work").click()
    expect(sam.locator("#routed")).to_contain_text("Accepted by you")
    assert_accessible(sam, "the routed contact, accepted")
    sam.goto(f"{county.url}/")
    expect(sam.locator("main")).to_contain_text("Accepted in the last 7 days")
    assert_accessible(sam, "the social worker's home page with a contact accepted")

    pat = as_(browser, county, "pat")
    expect(pat.locator("main")).to_contain_text("Passed to the allocated social worker")
    pat.get_by_role("link", name=reference).click()
    expect(pat.locator("main")).not_to_contain_text("CIN-4471")
    expect(pat.locator("main")).to_contain_text(ACKNOWLEDGEMENT)
    assert_accessible(pat, "the routed contact, as its referrer sees it")

    bob = as_(browser, county, "bob")
    expect(bob.locator("main")).to_contain_text("Routed to allocated workers")
    expect(bob.locator("main")).to_contain_text("Accepted by Sam")
    assert_accessible(bob, "the manager's home page with a routed contact")
    bob.locator(f'a[href="/contacts/{reference}#routed"]').click()
    expect(bob.locator("#routed")).to_contain_text("open case CIN-4471")
    expect(bob.locator("#routed")).to_contain_text("Accepted by Sam")
    assert_accessible(bob, "the routed contact, as the manager sees it")
    bob.get_by_role("link", name="Bring it back into the MASH").click()
    expect(bob.locator(".govuk-warning-text")).to_contain_text("accepted into the case's work")
    bob.get_by_role("button", name="Bring it back into the MASH").click()
    expect(bob.locator(".govuk-error-summary")).to_contain_text("Enter why you are bringing")
    assert_accessible(bob, "the bring-back form with its error summary")
    bob.get_by_label("Why you are bringing it back").fill("Wrong match: a different Jade Smith")
    bob.get_by_role("button", name="Bring it back into the MASH").click()
    expect(bob.locator("#routed")).to_contain_text("Brought back into the MASH by Bob")
    expect(bob.get_by_role("link", name="Rate this contact")).to_be_visible()

    sam.goto(f"{county.url}/")
    expect(sam.locator("main")).not_to_contain_text(reference)
    assert re.fullmatch(r"MASH-\d{4}-\d{6}", reference)
