"""Engine, sessions and the declarative base shared by every feature package.

SQLite (the embedded default) runs in WAL mode with foreign keys on; PostgreSQL is the
production store. Both get the same schema from the Alembic migrations.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations can alter them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC datetime on both databases.

    SQLite stores no zone, so naive values are refused on the way in and UTC is
    reattached on the way out; nothing in joinedup ever holds a naive datetime.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: use joinedup.clock.now()")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime()}


class DatabaseUnavailable(Exception):
    """The database cannot be reached or opened; the message says which and why."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`, with SQLite set up for WAL, foreign keys and real transactions."""
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        # pysqlite opens transactions lazily and never for SAVEPOINT; take over BEGIN so
        # that transactions and nested savepoints behave as on PostgreSQL. IMMEDIATE takes
        # the write lock at the start: a deferred transaction that reads, then writes after
        # another has committed, fails at once with "database is locked", whatever the busy
        # timeout. Nearly every request writes (the ledger records reads), so little is lost.
        # On a file, transactions take turns for it first (_WriterQueue).
        database = engine.url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            _WriterQueue.for_file(database).attach(engine)
        else:
            event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def read_only(engine: Engine) -> Engine:
    """The engine for long reads that must not hold up writers: on SQLite its transactions
    read a snapshot (a deferred BEGIN, in WAL mode) and take no turn for the write lock
    (_WriterQueue). Never write through it."""
    return engine.execution_options(**{_READ_ONLY: True})


_READ_ONLY = "joinedup_read_only"

# How long a transaction waits for SQLite's write lock before "database is locked".
SQLITE_WAIT_SECONDS = 5.0


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_WAIT_SECONDS * 1000)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class _WriterQueue:
    """Transactions on one SQLite file take turns, in this process and across processes.

    SQLite has one writer at a time, and every transaction here is a writer (BEGIN IMMEDIATE).
    Left to SQLite, a transaction that finds the lock taken sleeps and tries again, for up to
    100 ms a time, so under load the lock sits free while waiters sleep, and an unlucky one
    waits past the busy timeout and fails ("database is locked"). Instead each transaction
    first takes its turn: in the process, a lock that wakes the next thread the moment it is
    released (waiting up to SQLITE_WAIT_SECONDS, then "database is locked" as before); across
    processes (several `joinedup serve` workers), an flock on FILE-writer.lock, on which the
    kernel wakes a waiting process as soon as the holder lets go (one thread a process waits
    there, for as long as the other processes' turns take). The turn ends with the
    transaction's COMMIT or ROLLBACK, made here so that the next writer never finds SQLite
    still locked.
    """

    _queues: ClassVar[dict[str, _WriterQueue]] = {}
    _queues_lock = threading.Lock()

    def __init__(self, path: str) -> None:
        self._lock_path = f"{path}-writer.lock"
        self._turn = threading.Lock()
        self._holder: object = None  # the DBAPI connection whose transaction has the turn
        self._holder_file = -1  # and its descriptor, flocked

    @classmethod
    def for_file(cls, database: str) -> _WriterQueue:
        path = os.path.realpath(database)
        with cls._queues_lock:
            return cls._queues.setdefault(path, cls(path))

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)
        # A connection given back or dropped without its transaction ending (a session left
        # for the garbage collector) must not keep the turn.
        event.listen(engine, "reset", lambda dbapi, _record, _state: self._release(dbapi))
        event.listen(engine, "invalidate", lambda dbapi, _record, _error: self._release(dbapi))
        event.listen(engine, "close", self._close)
        event.listen(engine, "close_detached", lambda dbapi: self._release(dbapi))

    def _begin(self, conn: Connection) -> None:
        if conn.get_execution_options().get(_READ_ONLY):
            conn.exec_driver_sql("BEGIN")  # a snapshot (WAL): no lock, no turn
            return
        if not self._turn.acquire(timeout=SQLITE_WAIT_SECONDS):
            raise OperationalError(
                "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
            )
        record = conn.connection
        try:
            # Each connection has its own descriptor: flock sets one against another, even
            # in one process.
            descriptor = record.info.get(_LOCK_FILE)
            if descriptor is None:
                descriptor = record.info[_LOCK_FILE] = os.open(
                    self._lock_path, os.O_RDWR | os.O_CREAT, 0o600
                )
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            self._holder = record.dbapi_connection
            self._holder_file = descriptor
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if self._holder is None:
                self._turn.release()
            self._release(record.dbapi_connection)
            raise

    def _commit(self, conn: Connection) -> None:
        dbapi = conn.connection.dbapi_connection
        try:
            conn.exec_driver_sql("COMMIT")  # SQLAlchemy's own commit then has nothing to do
        finally:
            self._release(dbapi)

    def _rollback(self, conn: Connection) -> None:
        dbapi = conn.connection.dbapi_connection
        try:
            if dbapi is not None:
                dbapi.rollback()  # a no-op when SQLite already ended the transaction
        finally:
            self._release(dbapi)

    def _release(self, dbapi: object) -> None:
        if dbapi is None or dbapi is not self._holder:
            return
        self._holder = None
        fcntl.flock(self._holder_file, fcntl.LOCK_UN)
        self._turn.release()

    def _close(self, dbapi: object, record: ConnectionPoolEntry) -> None:
        self._release(dbapi)
        descriptor = record.info.pop(_LOCK_FILE, None)
        if descriptor is not None:
            os.close(descriptor)


# In each connection's pool record: its descriptor for the writer lock file.
_LOCK_FILE = "joinedup.writer_lock_file"


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that rolls back whatever its user did not commit."""
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
