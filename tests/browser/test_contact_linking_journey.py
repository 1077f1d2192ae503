"""A MASH manager decides who a person a contact names is, in a real Chromium.

Pat, a police officer, raised a concern about Jade; the trained model (a stand-in,
tests/candidates.py) put forward children's services' record of Jade Smith, which has an open
case Sam holds, and a GP practice's record of a Jayde Smyth, linking neither. Bob, the MASH
manager, decides: first forgetting to choose, then choosing children's services' record with
his reason. The contact then shows Jade as known, with her open case. Every page on the way
passes the accessibility scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session

from joinedup import schema
from joinedup.accounts.queries import actor_for_user
from joinedup.db import make_engine
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor.cases import load_cases
from tests.browser.conftest import assert_accessible, serving, sign_in
from tests.candidates import ModelPutsForward, candidate, contact_about_jade, import_record
from tests.factories import ADMIN, create_agency, create_user

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Hub:
    url: str
    bob: str  # his email
    reference: str


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    data_dir = tmp_path_factory.mktemp("linking")
    url = f"sqlite:///{data_dir / 'joinedup.sqlite3'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    with Session(engine, expire_on_commit=False) as db:
        police = create_agency(db, AgencyKind.POLICE, name="Nottinghamshire Police")
        council = create_agency(
            db, AgencyKind.CHILDRENS_SOCIAL_CARE, code="NCC-CSC", name="Children's Services"
        )
        create_agency(db, AgencyKind.GP_PRACTICE, code="GP-1", name="Meadow Practice")
        pat = create_user(db, "Pat", agency=police)
        bob = create_user(db, "Bob", roles=(Role.MASH_MANAGER,), agency=council)
        sam = create_user(db, "Sam", agency=council)
        import_record(db, "NCC-CSC", "CSC-JADE", "Jade", "Smith", file_name="csc.csv")
        import_record(db, "GP-1", "GP-7", "Jayde", "Smyth", file_name="gp.csv")
        load_cases(
            db,
            ADMIN,
            "NCC-CSC",
            "record_id,case_reference,allocated_worker_email,opened_on\n"
            f"CSC-JADE,CIN-4471,{sam.professional.email},2026-09-01\n".encode(),
            "cases.csv",
        )
        model = ModelPutsForward(
            candidate(db, "NCC-CSC", "CSC-JADE", 3.5), candidate(db, "GP-1", "GP-7", 2.9)
        )
        contact = contact_about_jade(db, actor_for_user(pat), model)
        db.commit()
        found = Hub("", bob.professional.email, contact.reference)
    engine.dispose()
    with serving(data_dir, url) as base:
        yield Hub(base, found.bob, found.reference)


def test_a_manager_links_a_person_to_the_model_s_candidate(browser: Browser, hub: Hub) -> None:
    bob = browser.new_context(bypass_csp=True).new_page()
    sign_in(bob, hub.url, hub.bob)
    bob.goto(f"{hub.url}/contacts/{hub.reference}")
    expect(bob.get_by_role("table", name=re.compile("Not linked"))).to_be_visible()
    assert_accessible(bob, "the contact with the model's candidates")

    bob.get_by_role("link", name="Decide who this is").click()
    expect(bob.get_by_role("heading", level=1)).to_have_text("Who is this person?")
    assert_accessible(bob, "the form deciding who a person is")
    bob.get_by_label("Why").fill("Same name and date of birth; the school confirms it.")
    bob.get_by_role("button", name="Save the decision").click()
    expect(bob.locator(".govuk-error-summary")).to_contain_text(
        "Select the record that is the same person, or None of these"
    )
    assert_accessible(bob, "the form deciding who a person is, with its error summary")

    bob.get_by_label("Candidate 1: csc CSC-JADE").check()
    bob.get_by_role("button", name="Save the decision").click()

    expect(bob.get_by_role("heading", level=1)).to_have_text(hub.reference)
    main = bob.locator("main")
    expect(main).to_contain_text("Linked to the people index by Bob Archer")
    expect(main).to_contain_text("Open case: CIN-4471, allocated to Sam Archer")
    records = bob.get_by_role("table", name=re.compile("partner agencies' records"))
    expect(records).to_contain_text("CSC-JADE")
    expect(main).not_to_contain_text("Decide who this is")
    assert_accessible(bob, "the contact with the person linked")
