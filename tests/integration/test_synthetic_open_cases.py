"""The demo county's open cases: a few children's cases at children's services, held by the
demo social worker, and recent contacts about two of them routed to that worker."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.accounts.models import User
from joinedup.db import make_engine
from joinedup.frontdoor.case_models import ContactRouting, SocialCareCase
from joinedup.frontdoor.models import Contact, DomainEvent
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import ContactStatus
from joinedup.synthetic.front_door import simulate_front_door
from joinedup.synthetic.open_cases import case_workers
from tests.integration.test_synthetic_front_door import hub  # noqa: F401 (the fixture)


def test_the_demo_routes_contacts_about_children_with_open_cases_to_the_demo_social_worker(
    hub: str,  # noqa: F811
) -> None:
    engine = make_engine(hub)
    report = simulate_front_door(engine, Practice(), seed=1, working_days=6, per_day=6)

    with Session(engine) as db:
        cases = list(db.scalars(select(SocialCareCase)))
        # A county of 200 has few children known to children's services; the demo's 50,000
        # gives 3 open cases and 1 closed.
        opened = sum(1 for c in cases if c.is_open)
        assert 1 <= opened <= 3 and len(cases) - opened <= 1
        (worker,) = {c.allocated_worker_id for c in cases}
        signs_in = db.scalar(select(User).where(User.professional_id == worker))
        assert signs_in is not None and signs_in.password_hash, "the demo sign-in holds them"
        assert case_workers(db) == {signs_in.professional.email}  # marked in the printed list
        routed = list(db.scalars(select(Contact).where(Contact.status == ContactStatus.ROUTED)))
        assert len(routed) == report.routed >= min(opened, 2)
        for contact in routed:
            routing = db.scalars(
                select(ContactRouting).where(ContactRouting.contact_id == contact.id)
            ).one()
            assert routing.worker_id == worker
            assert contact.ratings == [], "the MASH did not screen it"
        assert len(list(db.scalars(select(DomainEvent).where(DomainEvent.type == "case.opened"))))
    engine.dispose()
