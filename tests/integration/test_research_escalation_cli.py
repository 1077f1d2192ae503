"""Late research escalates without anyone asking: once a minute while the hub serves, or when
a scheduler runs `joinedup research escalate`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from joinedup import clock
from joinedup.cli import app
from joinedup.cli.common import session_on
from joinedup.cli.housekeeping import Housekeeper
from joinedup.config import load_settings
from joinedup.db import make_engine
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import research
from joinedup.frontdoor.models import ResearchRequest
from tests.factories import create_agency
from tests.frontdoor import PRACTICE, a_contact, person, rate

runner = CliRunner()


@pytest.fixture
def late_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, frozen_clock: clock.Clock) -> int:
    """A hub on a file database with one Red request, 5 hours after it was asked."""
    monkeypatch.setenv("JOINEDUP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JOINEDUP_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    with session_on(make_engine(load_settings().resolved_database_url)) as db:
        alice = person(db, "Alice", (Role.REFERRER,), create_agency(db, AgencyKind.POLICE))
        bob = person(
            db, "Bob", (Role.MASH_MANAGER,), create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE)
        )
        health = create_agency(db, AgencyKind.COMMUNITY_HEALTH)
        person(db, "Hana", (Role.MASH_PRACTITIONER,), health)
        contact = a_contact(db, alice)
        rate(db, bob, contact, "red", "Injury to a baby")
        (request,) = research.request_research(
            db, bob, contact.id, [health.id], "Known?", contact.version, PRACTICE
        )
        db.commit()
    frozen_clock.advance(dt.timedelta(hours=5))
    return request.id


def escalated_at(request_id: int) -> dt.datetime | None:
    with session_on(make_engine(load_settings().resolved_database_url)) as db:
        return db.scalar(
            select(ResearchRequest.escalated_at).where(ResearchRequest.id == request_id)
        )


def test_the_command_escalates_late_requests_once(late_request: int) -> None:
    first = runner.invoke(app, ["research", "escalate"])
    assert first.exit_code == 0, first.output
    assert "Escalated 1 late research request." in first.output
    assert escalated_at(late_request) == clock.now()

    again = runner.invoke(app, ["research", "escalate"])
    assert "Escalated 0 late research requests." in again.output


def test_the_housekeeper_escalates_while_the_hub_serves(late_request: int) -> None:
    housekeeper = Housekeeper(make_engine(load_settings().resolved_database_url), every=0.05)
    housekeeper.start()
    try:
        for _ in range(100):
            if escalated_at(late_request) is not None:
                break
            housekeeper.join(0.05)
    finally:
        housekeeper.stop()
        housekeeper.join(5)
    assert escalated_at(late_request) == clock.now()
    assert not housekeeper.is_alive()
