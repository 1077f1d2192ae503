"""The real hub under uvicorn, on a SQLite file, driven by Debian's Chromium through Playwright.

Playwright cannot download its own browser here, so it drives /usr/bin/chromium; a machine
without it fails these tests (the suite allows no skips) and says how to install it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from sqlalchemy.orm import Session

from joinedup import schema
from joinedup.config import load_settings
from joinedup.db import make_engine
from joinedup.directory.rules import AgencyKind, Role
from joinedup.web.app import create_app
from tests.factories import PASSWORD, create_agency, create_area, create_user

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


@dataclass(frozen=True)
class LiveHub:
    url: str
    email: str  # Bob, the MASH manager
    password: str
    admin_email: str  # Ada, who runs the service


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    """The hub on a free loopback port, with Bob, a MASH manager at the county council, and Ada,
    its administrator."""
    data_dir = tmp_path_factory.mktemp("hub")
    url = f"sqlite:///{data_dir / 'joinedup.sqlite3'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    with Session(engine) as db:
        area = create_area(db, "ASHFIELD", "Ashfield")
        council = create_agency(
            db,
            AgencyKind.CHILDRENS_SOCIAL_CARE,
            code="NCC",
            name="Nottinghamshire County Council",
            area=area,
        )
        bob = create_user(db, "Bob", roles=(Role.MASH_MANAGER,), agency=council)
        ada = create_user(db, "Ada", roles=(Role.ADMINISTRATOR,), agency=council)
        email, admin_email = bob.professional.email, ada.professional.email
    engine.dispose()

    with serving(data_dir, url) as base:
        yield LiveHub(base, email, PASSWORD, admin_email)


@contextmanager
def serving(data_dir: Path, url: str) -> Iterator[str]:
    """The hub on the database at `url`, under uvicorn on a free loopback port: its base URL."""
    app = create_app(load_settings(data_dir=data_dir, database_url=url))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    # Off the main thread uvicorn installs no signal handlers; should_exit stops it.
    thread = threading.Thread(target=server.run, name="joinedup-live-hub", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the hub did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need it "
            "(Debian: apt-get install chromium)",
            pytrace=False,
        )
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page under the hub's real Content-Security-Policy."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def scannable_page(browser: Browser) -> Iterator[Page]:
    """A fresh page that axe-core can be injected into.

    page.add_script_tag() adds an inline <script> with no nonce, which the hub's CSP rightly
    blocks, so this context bypasses the CSP. test_pages_run_their_scripts_under_the_real_csp
    checks the hub's own scripts under the real policy.
    """
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


def assert_accessible(page: Page, what: str) -> None:
    """Run axe-core on the page; fail listing every serious or critical violation."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm ci` in {REPO}", pytrace=False)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        where: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))"""
    )
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"accessibility problems on {what}:\n" + "\n".join(
        f"  {v['impact']}: {v['id']}: {v['help']} at {', '.join(v['where'])}" for v in serious
    )


def assert_accessible_with_reveals(page: Page, what: str) -> None:
    """assert_accessible, for a page whose radios reveal a further question.

    GOV.UK Frontend marks a radio that reveals a question with aria-expanded, which ARIA does
    not allow on a radio, and axe calls that critical. GOV.UK keeps it on purpose, because
    screen readers announce it (a known issue: alphagov/govuk-frontend#979), so exactly that
    finding, on such a radio, is set aside; any other fails the test as on every page.
    """
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => ({
                target: n.target.join(" "), html: n.html,
                attributes: [...n.any, ...n.all, ...n.none]
                    .flatMap(c => (c.data || {}).values || [])
            }))}))"""
    )

    def known(node: dict[str, Any]) -> bool:
        return "govuk-radios__input" in node["html"] and all(
            str(attribute).startswith("aria-expanded=") for attribute in node["attributes"]
        )

    serious = [
        f"  {v['id']}: {v['help']} at {node['target']}"
        for v in violations
        for node in v["nodes"]
        if not (v["id"] == "aria-allowed-attr" and known(node))
    ]
    assert not serious, f"accessibility problems on {what}:\n" + "\n".join(serious)


def sign_in(page: Page, hub: LiveHub | str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person would, and land on the home page."""
    url = hub.url if isinstance(hub, LiveHub) else hub
    page.goto(f"{url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
