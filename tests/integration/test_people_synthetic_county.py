"""The synthetic county's extracts, as its agencies would send them, go in whole."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.directory.models import Agency
from joinedup.people.imports import import_extract
from joinedup.people.models import AgencyRecord
from joinedup.synthetic import County, CountyOptions, build_county, write_county
from joinedup.synthetic.load import load_county
from tests.factories import ADMIN, PASSWORD


@pytest.fixture(scope="module")
def county() -> County:
    return build_county(CountyOptions(people=2000))


def test_every_row_of_every_agencys_extract_arrives_and_no_person_joins_two_people(
    db: Session, county: County, tmp_path: Path
) -> None:
    write_county(county, tmp_path)
    load_county(db, county, PASSWORD, seed=1)
    # The day after the extracts were taken: a baby born that morning is not in the future.
    with clock.frozen_at(dt.datetime.combine(CountyOptions().as_of, dt.time(12), dt.UTC)):
        for code, records in county.extracts.items():
            report = import_extract(db, ADMIN, code, tmp_path / "extracts" / f"{code}.csv")
            assert report.created == len(records), code

    held = defaultdict(set)
    people_of = defaultdict(set)
    for code, record_id, master_person in db.execute(
        select(Agency.code, AgencyRecord.record_id, AgencyRecord.master_person_id).join(Agency)
    ):
        held[code].add(record_id)
        people_of[master_person].add(county.truth.record_to_person[(code, record_id)])
    for code, records in county.extracts.items():
        assert held[code] == {r.record_id for r in records}, code
    assert None not in people_of
    # Records of one person in several agencies were joined by NHS number or UPN...
    assert len(people_of) < sum(len(records) for records in held.values())
    # The exact baseline joins only on identifiers, so it never joins two real people.
    assert all(len(people) == 1 for people in people_of.values())
