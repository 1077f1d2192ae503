"""The gate across sessions: readers at once, agreements changing between requests, and what a
page costs.

These need committed data and real concurrent transactions, which the rolled-back `db` fixture
cannot give, so each database here is a fresh one of its own, holding a 100-person synthetic
county with its demo agreements and every agency's extract (thrown away after the module).
Hana is a MASH practitioner at Trentside (health), a party to the children's agreement.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from joinedup import clock, schema
from joinedup.accounts.queries import actor_for_user
from joinedup.actor import Actor
from joinedup.audit.checkpoints import verify_ledger
from joinedup.audit.models import AuditEntry
from joinedup.db import make_engine
from joinedup.directory.models import Agency
from joinedup.directory.rules import Role
from joinedup.people.models import AgencyRecord
from joinedup.sharing import services
from joinedup.sharing.demo import CHILDREN as CHILDRENS_AGREEMENT
from joinedup.sharing.gate import Involvement, disclose
from joinedup.sharing.models import Agreement
from joinedup.sharing.rules import DecisionBasis, Purpose
from joinedup.synthetic import CountyOptions, build_county, write_county
from joinedup.synthetic.load import extract_files, import_extracts, load_county
from tests.conftest import TEST_NOW
from tests.factories import ADMIN, create_user

CHILDREN = Purpose.SAFEGUARDING_CHILDREN
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fresh_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("gate") / "hub.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        schema.upgrade(engine)
        yield engine
        engine.dispose()
        return
    server_url = make_url(request.getfixturevalue("postgres_url"))
    name = f"gate_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server_url.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(server_url.set(database=name).render_as_string(hide_password=False))
    schema.upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE "{name}"'))
    admin.dispose()


@dataclass(frozen=True)
class Hub:
    engine: Engine
    hana: Actor
    children_agreement_id: int
    record_ids: list[int]  # partners' records of people known to two agencies or more

    def records(self, session: Session, count: int) -> list[AgencyRecord]:
        found = session.scalars(
            select(AgencyRecord).where(AgencyRecord.id.in_(self.record_ids[:count]))
        )
        return sorted(found, key=lambda r: self.record_ids.index(r.id))

    def working_on(self, records: list[AgencyRecord]) -> Involvement:
        return Involvement.of_people(r.master_person_id for r in records if r.master_person_id)


@pytest.fixture(scope="module")
def hub(fresh_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Hub:
    folder = tmp_path_factory.mktemp("county")
    county = build_county(CountyOptions(people=100))
    write_county(county, folder)
    with clock.frozen_at(TEST_NOW), Session(fresh_engine, expire_on_commit=False) as session:
        load_county(session, county, demo_password="demo password for tests", seed=1)
        import_extracts(session, extract_files(folder / "extracts"), lambda: None)
        trentside = session.scalar(select(Agency).where(Agency.code == "ACUTE-TRENT"))
        assert trentside is not None
        hana = actor_for_user(
            create_user(
                session, "Hana", roles=(Role.MASH_PRACTITIONER,), agency=trentside, password=None
            )
        )
        agreement_id = session.scalar(
            select(Agreement.id).where(Agreement.title == CHILDRENS_AGREEMENT)
        )
        assert agreement_id is not None
        several = (
            select(AgencyRecord.master_person_id)
            .group_by(AgencyRecord.master_person_id)
            .having(func.count(func.distinct(AgencyRecord.agency_id)) >= 2)
        )
        record_ids = list(
            session.scalars(
                select(AgencyRecord.id)
                .where(
                    AgencyRecord.master_person_id.in_(several),
                    AgencyRecord.agency_id != trentside.id,
                )
                .order_by(AgencyRecord.id)
            )
        )
        session.commit()
    assert len(record_ids) >= 50
    return Hub(fresh_engine, hana, agreement_id, record_ids)


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_page_of_fifty_costs_no_more_queries_than_one_record(hub: Hub) -> None:
    costs = {}
    for size in (1, 50):
        with Session(hub.engine, expire_on_commit=False) as session:  # as the hub's sessions
            records = hub.records(session, size)
            session.commit()
            with statements(hub.engine) as seen:
                shown = disclose(
                    session, hub.hana, CHILDREN, records, involvement=hub.working_on(records)
                )
                session.commit()
        assert len(shown) == size
        costs[size] = [s for s in seen if not s.startswith(("BEGIN", "COMMIT"))]
    # Each look-up runs once for the page, whatever its size: no query per record.
    assert len(costs[50]) == len(set(costs[50]))
    assert len(costs[50]) <= len(costs[1]) + 1  # + break-glass, asked only after a refusal


def test_readers_at_once_chain_their_entries_without_forking_the_ledger(hub: Hub) -> None:
    with Session(hub.engine) as session:
        before = session.scalar(select(func.count()).select_from(AuditEntry)) or 0

    def read_pages(session: Session) -> int:
        for _ in range(4):
            records = hub.records(session, 5)
            disclose(session, hub.hana, CHILDREN, records, involvement=hub.working_on(records))
            session.commit()
        return 4 * 5

    written = all_at_once(hub.engine, [read_pages] * 6)

    assert written == [20] * 6
    with Session(hub.engine) as session:
        report = verify_ledger(session)
        prev_hashes = session.scalars(select(AuditEntry.prev_hash)).all()
    assert report.intact, report
    assert report.entries == before + 120
    assert len(prev_hashes) == len(set(prev_hashes))  # no two entries follow the same one


@pytest.mark.parametrize("elsewhere", ["this process", "another process"])
def test_an_agreement_suspended_is_honoured_by_the_next_request_at_once(
    hub: Hub, elsewhere: str
) -> None:
    # Another process: its own engine on the same database, so nothing in memory is shared.
    other = make_engine(hub.engine.url.render_as_string(hide_password=False))
    changer = hub.engine if elsewhere == "this process" else other

    def request() -> set[DecisionBasis]:
        with Session(hub.engine) as session:
            records = hub.records(session, 10)
            shown = disclose(
                session, hub.hana, CHILDREN, records, involvement=hub.working_on(records)
            )
            session.commit()
        return {d.basis for one in shown for d in one.decisions.values()}

    assert DecisionBasis.AGREEMENT in request()
    try:
        with Session(changer) as session:
            services.suspend(session, ADMIN, hub.children_agreement_id, "A party withdrew.")
        assert request() == {DecisionBasis.NO_AGREEMENT}
    finally:
        with Session(changer) as session:
            services.activate(session, ADMIN, hub.children_agreement_id)
        other.dispose()
    assert DecisionBasis.AGREEMENT in request()


def all_at_once(engine: Engine, calls: list[Callable[[Session], int]]) -> list[int]:
    """Run each call in its own thread and session, released together; results in order."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[Session], int]) -> int:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            return call(session)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
