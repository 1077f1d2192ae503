"""Fixtures shared by every layer of tests.

Integration tests run on both databases: SQLite and a throwaway PostgreSQL. Each database
is built once per test process by running the migrations, and each test runs inside a
transaction that is rolled back, so no test sees another's data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from joinedup import clock, schema
from joinedup.db import make_engine
from tests.postgres import throwaway_postgres

BACKENDS = ["sqlite", "postgresql"]
# A Tuesday in term time, inside the MASH's opening hours.
TEST_NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path: Path = tmp_path_factory.mktemp("sqlite") / "test.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    return engine


@pytest.fixture(scope="session")
def postgresql_engine(postgres_url: str) -> Engine:
    engine = make_engine(postgres_url)
    schema.upgrade(engine)
    return engine


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest) -> Engine:
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    return engine


def _rolled_back_session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    transaction = connection.begin()
    # Services commit; here each commit only releases a savepoint inside our transaction.
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session on each database in turn, rolled back after the test."""
    yield from _rolled_back_session(engine)


@pytest.fixture
def sqlite_db(sqlite_engine: Engine) -> Iterator[Session]:
    """A session on SQLite only (web tests), rolled back after the test."""
    yield from _rolled_back_session(sqlite_engine)


@pytest.fixture
def frozen_clock() -> Iterator[clock.Clock]:
    with clock.frozen_at(TEST_NOW) as frozen:
        yield frozen


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test hides a gap, so the suite fails if any test was skipped."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and exitstatus == 0:
        reporter.write_line("FAILED: tests were skipped; joinedup's suite allows none", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
