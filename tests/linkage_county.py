"""A small synthetic county and a linkage model trained on it, made once per test process.

Building the county, reading its extracts and training take several seconds; the linkage
tests of several modules (batch runs, the online matcher, `link files`, the review queue's
pages) share one. Their modules carry LINKAGE_GROUP, so `pytest -n 2 --dist loadgroup` runs
them in one worker, which trains once; FEBRL4's test, a unit of its own, is free to run in
the other. The databases they load are made once per process too (`loaded_database`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, make_url, text
from sqlalchemy.orm import Session

from joinedup import clock, schema
from joinedup.db import make_engine
from joinedup.directory.imports import AgencyRow, AreaRow, DirectoryImport, import_directory
from joinedup.linkage import engine
from joinedup.linkage.files import read_files
from joinedup.linkage.settings import LinkageSettings
from joinedup.linkage.training import LinkageModel, train
from joinedup.synthetic import County, CountyOptions, build_county, write_county
from joinedup.synthetic.load import extract_files, import_extracts
from tests.factories import ADMIN

LINKAGE_GROUP = pytest.mark.xdist_group("linkage-county")
_Loaded = TypeVar("_Loaded")
CONFIG = LinkageSettings(u_sample_pairs=200_000)
# 400 people make about 890 records and 940 blocked pairs: enough for precision and recall
# to mean something, a few merges to undo and a few pairs to review.
PEOPLE = 400
# The day after the extracts were taken: a baby born that morning is not in the future.
AFTER_EXTRACTS = dt.datetime.combine(CountyOptions().as_of, dt.time(12), dt.UTC)


@dataclass(frozen=True)
class TrainedCounty:
    county: County
    folder: Path  # write_county's layout: the extracts under folder / "extracts"
    frame: engine.Frame  # every extract's rows, as training and `link files` read them
    model: LinkageModel

    @property
    def files(self) -> list[Path]:
        return extract_files(self.folder / "extracts")


_made: list[TrainedCounty] = []


def trained_county(tmp_path_factory: pytest.TempPathFactory) -> TrainedCounty:
    """The process's county and model, made on first use. Nothing may change them."""
    if not _made:
        folder = tmp_path_factory.mktemp("linkage-county")
        county = build_county(CountyOptions(people=PEOPLE))
        write_county(county, folder)
        frame, _ = read_files(extract_files(folder / "extracts"), CountyOptions().as_of)
        _made.append(TrainedCounty(county, folder, frame, train(frame, CONFIG)))
    return _made[0]


def import_county(session: Session, trained: TrainedCounty) -> None:
    """The county's areas and agencies, and every extract, imported as an agency's would be.

    Only what linkage needs: no professionals, sign-ins or agreements (load_county's
    agreements alone take seconds).
    """
    county = trained.county
    batch = DirectoryImport(
        areas=[AreaRow(d.code, d.name) for d in county.districts],
        agencies=[
            AgencyRow(a.code, a.name, a.kind.value, a.district_code) for a in county.agencies
        ],
    )
    import_directory(session, ADMIN, batch)
    with clock.frozen_at(AFTER_EXTRACTS):
        import_extracts(session, trained.files, lambda: None)


def loaded_database(
    request: pytest.FixtureRequest, name: str, backend: str, load: Callable[[Session], _Loaded]
) -> tuple[Engine, _Loaded]:
    """A database of its own on `backend` holding what `load` committed, and what it returned:
    made once per test process. Each test then works in a transaction rolled back afterwards
    (`rolled_back`), so every test starts from what `load` wrote.

    Once per process rather than per module: while pytest-xdist spreads a module's tests over
    both workers, between other modules' tests and alternating databases (as it does while
    pytest 9.2 makes it ignore `--dist loadgroup`: pytest-dev/pytest-xdist#1386), a module
    fixture would load it all again for nearly every test.
    """
    key = (name, backend)
    if key not in _databases:
        database = _fresh_database(request, name, backend)
        with Session(database, expire_on_commit=False) as session:
            loaded = load(session)
            session.commit()
        _databases[key] = (database, loaded)
    found: tuple[Engine, _Loaded] = _databases[key]
    return found


_databases: dict[tuple[str, str], tuple[Engine, Any]] = {}


def _fresh_database(request: pytest.FixtureRequest, name: str, backend: str) -> Engine:
    """An empty database built by the migrations: a SQLite file, or a database on the
    session's throwaway PostgreSQL server."""
    if backend == "sqlite":
        folder: Path = request.getfixturevalue("tmp_path_factory").mktemp(name)
        database = make_engine(f"sqlite:///{folder / 'hub.sqlite3'}")
    else:
        server = make_url(request.getfixturevalue("postgres_url"))
        named = f"{name}_{uuid.uuid4().hex[:8]}"
        admin = make_engine(server.render_as_string(hide_password=False))
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'CREATE DATABASE "{named}"'))
        admin.dispose()
        database = make_engine(server.set(database=named).render_as_string(hide_password=False))
    schema.upgrade(database)
    return database


def rolled_back(database: Engine) -> Iterator[Session]:
    """A session whose commits only release savepoints in a transaction rolled back after."""
    connection = database.connect()
    transaction = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()
