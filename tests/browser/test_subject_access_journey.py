"""Ian, the police's IG lead, answers a subject access request for Jade in a real Chromium:
from his home page to the search, a mistake named beside the field, what the hub holds about
her (her case at children's services, and a contact routed to its worker), and the downloaded
document, with an accessibility scan of every page and the document.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from joinedup import schema
from joinedup.db import make_engine
from joinedup.sharing.inputs import today
from tests.browser.conftest import assert_accessible, serving, sign_in
from tests.factories import PASSWORD
from tests.governance_cases import JADE, JadeWithCases

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class SarHub:
    url: str
    ian_email: str
    reference: str


@pytest.fixture(scope="module")
def sar_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SarHub]:
    data_dir = tmp_path_factory.mktemp("sar-hub")
    url = f"sqlite:///{data_dir / 'joinedup.sqlite3'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    with Session(engine) as db:
        case = JadeWithCases(db, today(), data_dir, password=PASSWORD)
        case.about(JADE)  # routed to Sam, who holds her case
        db.commit()
        email, reference = case.user("Ian").professional.email, case.reference
    engine.dispose()
    with serving(data_dir, url) as base:
        yield SarHub(base, email, reference)


def test_an_ig_lead_finds_jade_sees_what_is_held_and_downloads_the_document(
    scannable_page: Page, sar_hub: SarHub
) -> None:
    page = scannable_page
    heading = page.get_by_role("heading", level=1)
    sign_in(page, sar_hub.url, sar_hub.ian_email)

    page.get_by_role("link", name="Subject access requests").click()
    expect(heading).to_have_text("Who is the request about?")
    assert_accessible(page, "the subject access search")

    page.get_by_label("Who is the request about?").fill("Jade")
    page.get_by_role("button", name="Find them").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("'Jade' is neither")
    assert_accessible(page, "the search with its error summary")

    page.get_by_label("Who is the request about?").fill("943 476 5919")
    page.get_by_role("button", name="Find them").click()
    expect(heading).to_have_text(f"Everything held about {sar_hub.reference}")
    expect(page.get_by_role("cell", name="Jade Smith").first).to_be_visible()  # two agencies
    expect(page.get_by_role("cell", name="CIN-100")).to_be_visible()
    expect(page.get_by_role("cell", name="With the allocated social worker")).to_be_visible()
    assert_accessible(page, "what the hub holds about Jade")

    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download the document (HTML)").click()
    document = downloading.value
    assert document.suggested_filename.startswith(f"sar-{sar_hub.reference}-")
    path = document.path()
    page.set_content(path.read_text(encoding="utf-8"))
    expect(heading).to_have_text(f"Subject access export: {sar_hub.reference}")
    expect(page.get_by_text("For review").first).to_be_visible()
    expect(page.get_by_role("heading", name="Social care cases")).to_be_visible()
    expect(page.get_by_role("heading", name="case CIN-100, open")).to_be_visible()
    assert_accessible(page, "the downloaded subject access document")
