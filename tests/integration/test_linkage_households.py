"""Households over a linked synthetic county, on both databases: who lives together, each
one's place, a second run that changes nothing, and a move that keeps its history.

The county is imported and linked once per process into a database of each kind
(tests/linkage_county.py); each test works in a transaction rolled back afterwards.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.audit.models import AuditEntry
from joinedup.linkage.evaluation import evaluate
from joinedup.linkage.households.services import form_households
from joinedup.linkage.queries import linked_records
from joinedup.linkage.services import run_linkage
from joinedup.people.imports import import_extract
from joinedup.people.models import AgencyRecord, HouseholdMember
from tests.conftest import BACKENDS
from tests.factories import ADMIN
from tests.linkage_county import (
    AFTER_EXTRACTS,
    CONFIG,
    LINKAGE_GROUP,
    TrainedCounty,
    import_county,
    loaded_database,
    rolled_back,
    trained_county,
)

pytestmark = LINKAGE_GROUP


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> TrainedCounty:
    return trained_county(tmp_path_factory)


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, trained: TrainedCounty) -> Iterator[Session]:
    def load(session: Session) -> None:
        import_county(session, trained)
        run_linkage(session, ADMIN, trained.model, CONFIG)

    database, _ = loaded_database(request, "linkage_households", request.param, load)
    yield from rolled_back(database)


def current(db: Session) -> dict[int, tuple[int, str]]:
    """Master person -> (household, place), for memberships that have not ended."""
    return {
        m.master_person_id: (m.household_id, m.relationship)
        for m in db.scalars(select(HouseholdMember).where(HouseholdMember.left_at.is_(None)))
    }


def test_people_who_live_together_share_a_household_and_everyone_has_one(
    db: Session, trained: TrainedCounty
) -> None:
    report = form_households(db, ADMIN)

    people = db.scalar(
        select(func.count(func.distinct(AgencyRecord.master_person_id))).select_from(AgencyRecord)
    )
    members = current(db)
    assert len(members) == report.people == people
    # Measured over one record of each real person, so every pair is two people.
    county = trained.county
    home = {person.person_id: person.household_id for person in county.people}
    linked_to = linked_records(db)
    predicted, real, seen = {}, {}, set()
    for key, person in county.truth.record_to_person.items():
        if person not in seen and linked_to[key] is not None:
            seen.add(person)
            predicted[key] = members[linked_to[key]][0]  # type: ignore[index]
            real[key] = home[person]
    result = evaluate(predicted, real)
    # Measured 0.896 and 0.925: most misses are people who moved, whose records mostly still
    # give the home they left (extracts carry no dates to say which address is newer).
    assert result.precision >= 0.85, result
    assert result.recall >= 0.85, result
    places = Counter(place for _, place in members.values())
    assert places["parent"] and places["child"] and places["partner"], places
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == "admin:linkage:households"


def test_a_second_run_over_the_same_records_changes_nothing(db: Session) -> None:
    form_households(db, ADMIN)
    before = current(db)

    again = form_households(db, ADMIN)

    assert (again.joined, again.left, again.new_households) == (0, 0, 0)
    assert current(db) == before


def test_a_move_ends_the_old_membership_and_keeps_it(db: Session, trained: TrainedCounty) -> None:
    form_households(db, ADMIN)
    members = current(db)
    # Someone known to one agency only, living with others: that agency reports a move.
    sizes = Counter(household for household, _ in members.values())
    known_once = db.execute(
        select(AgencyRecord.master_person_id, func.min(AgencyRecord.id))
        .group_by(AgencyRecord.master_person_id)
        .having(func.count() == 1)
    ).all()
    person, record_id = next(
        (p, r) for p, r in known_once if p is not None and sizes[members[p][0]] > 1
    )
    record = db.get(AgencyRecord, record_id)
    assert record is not None
    path = next(f for f in trained.files if f.stem == record.agency.code)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["record_id"] == record.record_id:
            row["address"] = "1 Newhome Close, Mansfield"
    moved = io.StringIO()
    writer = csv.DictWriter(moved, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    with clock.frozen_at(AFTER_EXTRACTS):
        import_extract(
            db, ADMIN, record.agency.code, io.BytesIO(moved.getvalue().encode()), "moved.csv"
        )

    report = form_households(db, ADMIN)

    assert current(db)[person][0] != members[person][0]
    history = db.scalars(
        select(HouseholdMember)
        .where(HouseholdMember.master_person_id == person)
        .order_by(HouseholdMember.id)
    ).all()
    assert [(m.household_id, m.left_at is not None) for m in history] == [
        (members[person][0], True),
        (current(db)[person][0], False),
    ]
    assert report.left >= 1 and report.new_households >= 1
