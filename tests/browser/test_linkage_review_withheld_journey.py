"""Hana, a MASH practitioner at the acute trust, opens a pair in the review queue whose
pupil numbers are withheld from her, in a real Chromium: the waterfall shows what she can see
and its total, says what is withheld and why, and shows no score; the page passes the
accessibility scan.
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
    hana_email: str
    scenario: Scenario


@pytest.fixture(scope="module")
def review_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReviewHub]:
    """The county's directory and agreements, one child's three records with a review task for
    each pair, the model that raised them, and Hana, a MASH practitioner at the acute trust."""
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
        trust = db.scalars(select(Agency).where(Agency.code == "ACUTE-TRENT")).one()
        hana = create_user(db, "Hana", roles=(Role.MASH_PRACTITIONER,), agency=trust)
        email = hana.professional.email
    engine.dispose()
    with serving(data_dir, url) as base:
        yield ReviewHub(base, email, scenario)


def test_a_practitioner_sees_what_she_may_of_the_score_and_why_the_rest_is_withheld(
    scannable_page: Page, review_hub: ReviewHub
) -> None:
    page = scannable_page
    sign_in(page, review_hub.url, review_hub.hana_email)
    page.get_by_role("link", name="Records that may be the same person").click()
    task_id = review_hub.scenario.task("ACU-1", "COM-1")

    page.get_by_role("link", name=f"Review task {task_id}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Are these records the same person?")
    withheld = page.locator("#withheld-comparisons")
    expect(withheld).to_contain_text("Unique pupil number. Withheld: no agreement covers education")
    expect(withheld).to_contain_text("The model's score, its total match weight")
    expect(
        page.get_by_role("img", name="Waterfall chart of the comparisons you can see")
    ).to_be_visible()
    expect(page.locator("table").nth(1)).to_contain_text("Total of the comparisons you can see")
    expect(page.locator("main")).not_to_contain_text("likely to be one person")
    assert_accessible(page, "a review task with a comparison withheld")

    page.get_by_role("link", name="see why").click()
    expect(page).to_have_url(f"{review_hub.url}/identities/{task_id}#score")
