"""Bob, a MASH manager, works the review queue in a real Chromium: from his home page to the
queue, one pair's records side by side with the waterfall, an answer refused for want of a
reason, then linked, back to the queue with one pair fewer.

Every page on the way, the form's error summary included, passes the accessibility scan.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import schema
from joinedup.db import make_engine
from joinedup.directory.models import Agency
from joinedup.directory.rules import Role
from joinedup.linkage import model_file
from joinedup.synthetic import CountyOptions, build_county
from joinedup.synthetic.load import load_county
from tests.browser.conftest import assert_accessible, serving, sign_in
from tests.factories import create_user
from tests.linkage_county import LINKAGE_GROUP
from tests.linkage_review_scenario import Scenario, load_scenario, saved_model

pytestmark = [pytest.mark.browser, LINKAGE_GROUP]


@dataclass(frozen=True)
class ReviewHub:
    url: str
    bob_email: str
    scenario: Scenario


@pytest.fixture(scope="module")
def review_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReviewHub]:
    """The county's directory and agreements, one child's three records with a review task for
    each pair, the model that raised them, and Bob, a MASH manager in children's social care."""
    model = saved_model(tmp_path_factory)
    data_dir = tmp_path_factory.mktemp("review-hub")
    assert model.path is not None
    folder = model_file.model_folder(data_dir)
    folder.mkdir()
    shutil.copy(model.path, folder / model.path.name)
    url = f"sqlite:///{data_dir / 'joinedup.sqlite3'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    with Session(engine, expire_on_commit=False) as db:
        load_county(db, build_county(CountyOptions(people=100)), "demo password for tests", 1)
        scenario = load_scenario(db, model)
        council = db.scalars(select(Agency).where(Agency.code == "NCC-CSC")).one()
        bob = create_user(db, "Bob", roles=(Role.MASH_MANAGER,), agency=council)
        email = bob.professional.email
    engine.dispose()
    with serving(data_dir, url) as base:
        yield ReviewHub(base, email, scenario)


def test_a_manager_links_two_records_from_the_review_queue(
    scannable_page: Page, review_hub: ReviewHub
) -> None:
    page = scannable_page
    heading = page.get_by_role("heading", level=1)
    sign_in(page, review_hub.url, review_hub.bob_email)
    assert_accessible(page, "the MASH manager's home page")

    page.get_by_role("link", name="Records that may be the same person").click()
    expect(heading).to_have_text("Records that may be the same person")
    expect(page.get_by_role("table")).to_contain_text("3 waiting, oldest first")
    assert_accessible(page, "the review queue")

    task_id = review_hub.scenario.task("POL-1", "COM-1")
    page.get_by_role("link", name=f"Review task {task_id}").click()
    expect(heading).to_have_text("Are these records the same person?")
    expect(page.locator("table").first).to_contain_text("Quilandra")
    expect(page.get_by_role("img", name="Waterfall chart of the match weight")).to_be_visible()
    assert_accessible(page, "a review task")

    page.get_by_label("The same person: link them").check()
    page.get_by_role("button", name="Record the answer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you decided this")
    assert_accessible(page, "a review task with its error summary")

    page.get_by_label("The same person: link them").check()
    page.get_by_label("Why").fill("One letter out in the first name; same birth date and home.")
    page.get_by_role("button", name="Record the answer").click()
    expect(heading).to_have_text("Records that may be the same person")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Your answer to review task {task_id} is recorded"
    )
    expect(page.get_by_role("table")).to_contain_text("2 waiting, oldest first")
    assert_accessible(page, "the review queue after an answer")
