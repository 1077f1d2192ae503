"""A small synthetic county and a linkage model trained on it, made once per test process.

Building the county, reading its extracts and training take several seconds; the linkage
tests of several modules (batch runs, the online matcher, `link files`, the review queue's
pages) share one. Their modules carry LINKAGE_GROUP, so `pytest -n 2 --dist loadgroup` runs
them in one worker, which trains once; FEBRL4's test, a unit of its own, is free to run in
the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.directory.imports import AgencyRow, AreaRow, DirectoryImport, import_directory
from joinedup.linkage import engine
from joinedup.linkage.files import read_files
from joinedup.linkage.settings import LinkageSettings
from joinedup.linkage.training import LinkageModel, train
from joinedup.synthetic import County, CountyOptions, build_county, write_county
from joinedup.synthetic.load import extract_files, import_extracts
from tests.factories import ADMIN

LINKAGE_GROUP = pytest.mark.xdist_group("linkage-county")
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


def held_open(engine: Engine, load: Callable[[Session], object]) -> Iterator[Connection]:
    """A connection holding what `load` wrote, uncommitted, until the generator is closed.

    For a module-scoped fixture: load once, then give each test `savepoint_session`.
    """
    connection = engine.connect()
    outer = connection.begin()
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        load(session)
    try:
        yield connection
    finally:
        outer.rollback()
        connection.close()


def savepoint_session(connection: Connection) -> Iterator[Session]:
    """A session over what the connection holds; everything it commits is undone after."""
    savepoint = connection.begin_nested()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        savepoint.rollback()
