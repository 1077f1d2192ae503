"""After the retention job, a contact's pages still open for those who worked it, and say it
was anonymised, with no one's details left to show.

Jade's case is tests/governance.py's: Bob decided it; Alice raised it.
"""

from __future__ import annotations

import datetime as dt

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
