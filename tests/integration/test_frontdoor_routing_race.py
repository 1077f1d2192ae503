"""A contact taken in while a case import closes its subject's case: intake waits for the
import (hold_intake), reads the case closed and keeps the contact with the MASH, so it never
sits on a closed case that the import's bring-back did not see. Real, committed, concurrent
transactions on a fresh database of each kind."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.frontdoor import services
from joinedup.frontdoor.case_models import SocialCareCase
from joinedup.frontdoor.intake import hold_intake
from joinedup.frontdoor.models import Contact
from joinedup.frontdoor.rules import ContactStatus
from joinedup.frontdoor.schemas import ContactIn
from tests.integration.test_frontdoor_concurrency import PRACTICE
from tests.integration.test_frontdoor_concurrency import fresh_engine as fresh_engine
from tests.integration.test_frontdoor_concurrency import people as people
from tests.integration.test_frontdoor_routed_accept_concurrency import routed_contact

NHS_NUMBER = "9434765919"


def _about_jade(engine: Engine, referrer: Actor) -> Contact:
    data = ContactIn.model_validate(
        {
            "subjects": [{"kind": "child", "given_name": "Jade", "nhs_number": NHS_NUMBER}],
            "concern_categories": ["neglect"],
            "what_happened": "Seen hungry again.",
            "urgency": "routine",
            "consent": "given",
        }
    )
    with Session(engine, expire_on_commit=False) as session:
        return services.receive_contact(session, referrer, data, PRACTICE).contact


def test_a_contact_arriving_as_its_case_closes_stays_with_the_mash(
    fresh_engine: Engine, people: dict[str, Actor]
) -> None:
    routed_contact(fresh_engine, people, NHS_NUMBER)  # Jade's case is open
    with Session(fresh_engine) as importing, ThreadPoolExecutor(1) as pool:
        # The import has closed the case and holds intake, but has not committed yet.
        case = importing.scalars(select(SocialCareCase)).one()
        case.closed_at = clock.now()
        importing.flush()
        hold_intake(importing, clock.now())

        arriving = pool.submit(_about_jade, fresh_engine, people["Alice"])
        time.sleep(0.5)
        assert not arriving.done()  # it waits for the import
        importing.commit()
        contact = arriving.result(timeout=60)

    assert contact.status == ContactStatus.RECEIVED
