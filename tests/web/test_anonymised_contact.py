"""After the retention job, a contact's pages still open for those who worked it, and say it
was anonymised, with no one's details left to show: a decided contact, and one routed to the
allocated social worker of a case since closed.

Jade's case is tests/governance.py's: Bob decided it; Alice raised it. Sam, at children's
services, held her case (tests/governance_cases.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts import services as accounts
from joinedup.actor import Actor
from joinedup.governance.retention import ANONYMISED, run_retention
from joinedup.governance.rules import RetentionPolicy
from tests.conftest import TEST_NOW
from tests.factories import ADMIN, PASSWORD
from tests.governance import JadeCase
from tests.governance_cases import JADE, JadeWithCases
from tests.web.conftest import heading, new_client, page, sign_in


def test_a_contact_anonymised_by_the_retention_job_still_opens_and_names_no_one(
    app: FastAPI, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    case = JadeCase(sqlite_db, TEST_NOW.date(), password=PASSWORD)
    accounts.set_password(sqlite_db, ADMIN, case.user_ids["Bob"], PASSWORD)
    reference = case.contact.reference
    frozen_clock.advance(dt.timedelta(days=2190, hours=1))
    run_retention(sqlite_db, Actor.system("retention run"), RetentionPolicy())

    shown = {}
    for name in ("Bob", "Alice"):  # the manager who decided it, and the referrer
        with new_client(app) as browser:
            sign_in(browser, case.user(name))
            response = browser.get(f"/contacts/{reference}")
            assert (response.status_code, heading(response)) == (200, reference)
            shown[name] = " ".join(page(response).get_text().split())

    for name, text in shown.items():
        assert not [word for word in ("Jade", "Dean", "Walker", "Smith") if word in text], name
    assert ANONYMISED in shown["Bob"] and "Anonymised" in shown["Bob"]


def test_a_routed_contact_anonymised_after_its_case_closed_still_opens_and_names_no_one(
    app: FastAPI, sqlite_db: Session, frozen_clock: clock.Clock, tmp_path: Path
) -> None:
    case = JadeWithCases(sqlite_db, TEST_NOW.date(), tmp_path, password=PASSWORD)
    accounts.set_password(sqlite_db, ADMIN, case.user_ids["Bob"], PASSWORD)
    routed = case.about(JADE)  # to Sam, who holds Jade's case
    case.accept(routed)  # into her case's work, so it stays with the case as it closes
    case.cases(jade_closed_on=TEST_NOW.date(), kai_closed_on=None)
    frozen_clock.advance(dt.timedelta(days=2190, hours=1))
    done = run_retention(sqlite_db, Actor.system("retention run"), RetentionPolicy())
    assert routed.id in {c.contact_id for c in done.contacts}

    for name in ("Sam", "Bob"):  # the worker it went to, and a MASH manager
        with new_client(app) as browser:
            sign_in(browser, case.user(name))
            response = browser.get(f"/contacts/{routed.reference}")
            assert (response.status_code, heading(response)) == (200, routed.reference), name
            text = " ".join(page(response).get_text().split())
        assert not [word for word in ("Jade", "Smith", "9434765919") if word in text], name
        assert ANONYMISED in text, name
