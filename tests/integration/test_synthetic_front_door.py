"""The demo's front door: two working weeks played through the real services, leaving work in
every list, once, in one transaction."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock, schema
from joinedup.audit.checkpoints import verify_ledger
from joinedup.db import make_engine
from joinedup.frontdoor.models import Contact, DomainEvent, FeedbackTask, ResearchRequest
from joinedup.frontdoor.practice import Practice
from joinedup.synthetic import CountyOptions, build_county, write_county
from joinedup.synthetic.front_door import simulate_front_door
from joinedup.synthetic.load import extract_files, import_extracts, load_county


@pytest.fixture
def hub(tmp_path: Path, frozen_clock: clock.Clock) -> str:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    county = build_county(CountyOptions(people=200))
    write_county(county, tmp_path / "county")
    with Session(engine) as db:
        load_county(db, county, "a long demo password", seed=1)
        import_extracts(db, extract_files(tmp_path / "county" / "extracts"), lambda: None)
        db.commit()
    engine.dispose()
    return url


def count(db: Session, model: type[object], *where: object) -> int:
    return db.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def test_the_front_door_is_played_through_the_services_once(hub: str) -> None:
    engine = make_engine(hub)
    report = simulate_front_door(engine, Practice(), seed=1, working_days=6, per_day=6)

    with Session(engine) as db:
        contacts = list(db.scalars(select(Contact)))
        assert len(contacts) == report.contacts > 20
        # History: decided contacts, their research answered and their referrers told.
        assert report.decided == sum(1 for c in contacts if c.status == "decided") > 0
        assert count(db, FeedbackTask, FeedbackTask.sent_at.is_not(None)) > report.decided
        assert count(db, ResearchRequest, ResearchRequest.answered_at.is_not(None)) > 0
        # Nobody is matched by guesswork: the people named are the GP's, by NHS number.
        assert all(s.master_person_id for c in contacts for s in c.subjects)
        # Every step happened in the past, in order, and is on the record.
        calendar = Practice().calendar
        assert all(c.received_at <= clock.now() for c in contacts)
        assert all(calendar.is_open(c.received_at) for c in contacts)
        assert count(db, DomainEvent, DomainEvent.type == "contact.decided") == report.decided
        assert verify_ledger(db).intact
    assert report.contacts - report.decided > 0, "some work is still in progress"

    again = simulate_front_door(engine, Practice(), seed=1)
    assert again.contacts == 0
    with Session(engine) as db:
        assert count(db, Contact) == report.contacts
    engine.dispose()
