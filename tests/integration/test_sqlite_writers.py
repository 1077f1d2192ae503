"""SQLite transactions take turns for the one write lock, in a process and across processes
(several `joinedup serve --workers`), instead of sleeping and failing with "database is
locked" (joinedup.db._WriterQueue)."""

from __future__ import annotations

import gc
import multiprocessing
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from joinedup import db
from joinedup.db import make_engine, read_only

SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> float:
    """SQLite's busy timeout, and the wait for a turn in this process, cut to half a second."""
    monkeypatch.setattr(db, "SQLITE_WAIT_SECONDS", 0.5)
    return 0.5


@pytest.fixture
def hub(tmp_path: Path, short_wait: float) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counts (n INTEGER)"))
    return engine


def _hold_the_lock(url: str, seconds: float, ready: threading.Event) -> None:
    """In another process: a write transaction held for `seconds` (a long import, say)."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO counts VALUES (1)"))
        ready.set()
        time.sleep(seconds)


def test_a_transaction_waits_for_another_processs_turn_beyond_the_busy_timeout(
    hub: Engine, short_wait: float
) -> None:
    ready = SPAWN.Event()
    holder = SPAWN.Process(target=_hold_the_lock, args=(str(hub.url), 3 * short_wait, ready))
    holder.start()
    try:
        assert ready.wait(30), "the other process never took the lock"
        started = time.perf_counter()
        # Left to SQLite this would fail after the busy timeout ("database is locked").
        with hub.begin() as connection:
            connection.execute(text("INSERT INTO counts VALUES (2)"))
        waited = time.perf_counter() - started
    finally:
        holder.join(30)
    assert waited > short_wait  # it really did wait out the other process's transaction
    with hub.connect() as connection:
        assert connection.scalar(text("SELECT sum(n) FROM counts")) == 3


def test_threads_take_turns_and_none_fails(hub: Engine) -> None:
    def add_ten() -> None:
        for _ in range(10):
            with hub.begin() as connection:
                connection.execute(text("INSERT INTO counts VALUES (1)"))
                time.sleep(0.001)  # work inside the transaction, as intake does

    threads = [threading.Thread(target=add_ten) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with hub.connect() as connection:
        assert connection.scalar(text("SELECT sum(n) FROM counts")) == 160


def test_waiting_longer_than_the_limit_in_one_process_is_database_is_locked(
    hub: Engine, short_wait: float
) -> None:
    with hub.begin():
        failed: list[BaseException] = []

        def another() -> None:
            try:
                with hub.begin():
                    pass
            except OperationalError as error:
                failed.append(error)

        waiter = threading.Thread(target=another)
        waiter.start()
        waiter.join(10 * short_wait)
    assert len(failed) == 1 and "database is locked" in str(failed[0])


def test_a_transaction_abandoned_to_the_garbage_collector_gives_up_its_turn(
    hub: Engine,
) -> None:
    abandoned = hub.connect()
    abandoned.begin()
    abandoned.execute(text("INSERT INTO counts VALUES (1)"))
    del abandoned
    gc.collect()

    with hub.begin() as connection:  # within the half-second wait: the turn was given back
        connection.execute(text("INSERT INTO counts VALUES (2)"))
    with hub.connect() as connection:
        assert connection.scalar(text("SELECT sum(n) FROM counts")) == 2


def test_a_long_read_on_the_read_only_engine_holds_up_no_writer(
    hub: Engine, short_wait: float
) -> None:
    with read_only(hub).connect() as reading:
        reading.begin()
        before = reading.scalar(text("SELECT count(*) FROM counts"))
        with hub.begin() as writing:  # does not wait for the reader's transaction
            writing.execute(text("INSERT INTO counts VALUES (1)"))
        assert reading.scalar(text("SELECT count(*) FROM counts")) == before  # its snapshot
        reading.rollback()
