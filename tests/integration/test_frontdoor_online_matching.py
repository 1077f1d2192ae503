"""With a trained model, intake finds each person named with the online matcher: the best
master person above the link threshold is linked, those between the thresholds are kept for a
manager, and the matcher follows the people index as records move and arrive. On both
databases, over the small synthetic county of tests/linkage_county.py.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import matching, queries, services
from joinedup.frontdoor.models import Contact, DomainEvent, SubjectCandidate
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.schemas import ContactIn
from joinedup.linkage.services import move_records
from joinedup.people.imports import import_extract
from joinedup.people.models import AgencyRecord, MasterPerson
from joinedup.people.schemas import COLUMN_NAMES
from tests.conftest import BACKENDS
from tests.factories import ADMIN, create_agency
from tests.frontdoor import person
from tests.linkage_county import (
    LINKAGE_GROUP,
    TrainedCounty,
    import_county,
    loaded_database,
    rolled_back,
    trained_county,
)

pytestmark = LINKAGE_GROUP
PRACTICE = Practice()


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> TrainedCounty:
    return trained_county(tmp_path_factory)


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, trained: TrainedCounty) -> Iterator[Session]:
    database, _ = loaded_database(
        request,
        "frontdoor_matching",
        request.param,
        lambda session: import_county(session, trained),
    )
    yield from rolled_back(database)


@pytest.fixture
def referrer(db: Session) -> Actor:
    return person(db, "Alice", (Role.REFERRER,), create_agency(db, AgencyKind.POLICE))


def matcher(
    trained: TrainedCounty, tmp_path: Path, upper: float = 0.99, lower: float = 0.9
) -> matching.TrainedMatcher:
    return matching.TrainedMatcher(tmp_path, trained.model, upper, lower)


def a_record(db: Session, *, nhs: bool = False) -> AgencyRecord:
    """A record with a name, date of birth and postcode (and an NHS number if asked)."""
    record = db.scalars(
        select(AgencyRecord)
        .where(
            AgencyRecord.given_name_norm.is_not(None),
            AgencyRecord.family_name_norm.is_not(None),
            AgencyRecord.date_of_birth.is_not(None),
            AgencyRecord.postcode_norm.is_not(None),
            AgencyRecord.nhs_number.is_not(None) if nhs else AgencyRecord.id.is_not(None),
            AgencyRecord.date_of_birth > dt.date(2009, 1, 1),
        )
        .order_by(AgencyRecord.id)
    ).first()
    assert record is not None
    return record


def about(record: AgencyRecord, **changes: Any) -> ContactIn:
    child: dict[str, Any] = {
        "kind": "child",
        "given_name": record.given_name,
        "family_name": record.family_name,
        "date_of_birth": record.date_of_birth.isoformat() if record.date_of_birth else None,
        "postcode": record.postcode_norm,
        **changes,
    }
    return ContactIn.model_validate(
        {
            "subjects": [child],
            "concern_categories": ["neglect"],
            "what_happened": "Seen hungry and unkempt.",
            "urgency": "routine",
            "consent": "given",
        }
    )


def receive(
    db: Session, referrer: Actor, data: ContactIn, found: matching.SubjectMatcher
) -> Contact:
    return services.receive_contact(db, referrer, data, PRACTICE, matcher=found).contact


def candidates(db: Session, contact: Contact) -> list[SubjectCandidate]:
    return list(
        db.scalars(
            select(SubjectCandidate)
            .where(SubjectCandidate.contact_subject_id == contact.subjects[0].id)
            .order_by(SubjectCandidate.match_weight.desc())
        )
    )


def test_a_child_named_with_a_misspelt_first_name_is_linked_with_the_reasons(
    db: Session, frozen_clock: clock.Clock, trained: TrainedCounty, tmp_path: Path, referrer: Actor
) -> None:
    record = a_record(db)
    assert record.given_name
    misspelt = (
        record.given_name[0]
        + record.given_name[2]
        + record.given_name[1:2]
        + (record.given_name[3:])
    )

    contact = receive(db, referrer, about(record, given_name=misspelt), matcher(trained, tmp_path))

    assert contact.subjects[0].master_person_id == record.master_person_id
    best = candidates(db, contact)[0]
    assert best.linked and best.match_probability >= 0.99
    assert (best.master_person_id, best.agency_record_id) == (record.master_person_id, record.id)
    assert [part[0] for part in best.contributions] == [
        "prior",
        "first_name",
        "family_name",
        "date_of_birth",
        "postcode",
        "nhs_number",
        "upn",
    ]
    assert best.contributions[1][1] != "Exact match on first_name"  # the misspelling shows
    assert best.model_file == trained.model.path.name if trained.model.path else "(not saved)"
    event = db.scalar(
        select(DomainEvent).where(
            DomainEvent.contact_id == contact.id, DomainEvent.type == "contact.matched"
        )
    )
    assert event is not None and event.payload["people_index"] == 1


def test_a_candidate_between_the_thresholds_is_kept_for_a_manager_and_not_linked(
    db: Session, frozen_clock: clock.Clock, trained: TrainedCounty, tmp_path: Path, referrer: Actor
) -> None:
    record = a_record(db)
    unsure = matcher(trained, tmp_path, upper=1 - 1e-15, lower=0.5)  # nothing is that certain

    contact = receive(db, referrer, about(record), unsure)

    assert contact.subjects[0].master_person_id is None
    kept = candidates(db, contact)
    assert kept and not any(c.linked for c in kept)
    assert kept[0].master_person_id == record.master_person_id
    assert all(c.match_probability >= 0.5 for c in kept)
    event = db.scalar(
        select(DomainEvent).where(
            DomainEvent.contact_id == contact.id, DomainEvent.type == "contact.matched"
        )
    )
    assert event is not None and event.payload["people_index_to_review"] == 1


def test_a_different_nhs_number_is_never_linked_automatically(
    db: Session, frozen_clock: clock.Clock, trained: TrainedCounty, tmp_path: Path, referrer: Actor
) -> None:
    record = a_record(db, nhs=True)
    other = "9434765919" if record.nhs_number != "9434765919" else "4010232137"
    # The model puts a different NHS number at about -69: thresholds low enough to link even
    # that, so that only the guard rail stands in the way.
    eager = matcher(trained, tmp_path, upper=1e-20, lower=1e-21)

    contact = receive(db, referrer, about(record, nhs_number=other), eager)

    assert contact.subjects[0].master_person_id is None
    assert candidates(db, contact)[0].master_person_id == record.master_person_id


def test_a_record_moved_to_another_master_person_is_found_there_at_the_next_check(
    db: Session,
    frozen_clock: clock.Clock,
    trained: TrainedCounty,
    tmp_path: Path,
    referrer: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(matching, "CHECK_EVERY", 0.0)
    record = a_record(db)
    resident = matcher(trained, tmp_path)
    resident.load(db)
    # As a linkage run or a reviewer's decision would: all the person's records, elsewhere.
    elsewhere = MasterPerson(created_at=clock.now())
    db.add(elsewhere)
    db.flush()
    theirs = db.scalars(
        select(AgencyRecord.id).where(AgencyRecord.master_person_id == record.master_person_id)
    ).all()
    moves = [(record_id, record.master_person_id, elsewhere.id) for record_id in theirs]
    move_records(db, moves, None, clock.now(), {})
    db.commit()

    contact = receive(db, referrer, about(record), resident)

    assert contact.subjects[0].master_person_id == elsewhere.id


def test_someone_imported_after_the_matcher_was_built_is_found(
    db: Session,
    frozen_clock: clock.Clock,
    trained: TrainedCounty,
    tmp_path: Path,
    referrer: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(matching, "CHECK_EVERY", 0.0)
    resident = matcher(trained, tmp_path)
    resident.load(db)
    agency = create_agency(db, AgencyKind.GP_PRACTICE, code="GP-NEW")
    extract = tmp_path / f"{agency.code}.csv"
    with extract.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMN_NAMES, restval="")
        writer.writeheader()
        writer.writerow(
            {
                "record_id": "N1",
                "given_name": "Zephyrine",
                "family_name": "Quillfeather",
                "date_of_birth": "2016-05-04",
                "postcode": "NG18 1AB",
            }
        )
    import_extract(db, ADMIN, agency.code, extract)
    newcomer = db.scalars(select(AgencyRecord).where(AgencyRecord.record_id == "N1")).one()

    contact = receive(db, referrer, about(newcomer, given_name="Zephyrin"), resident)

    assert contact.subjects[0].master_person_id == newcomer.master_person_id


def test_a_process_has_no_matcher_until_a_model_is_trained_and_then_one(
    db: Session, trained: TrainedCounty, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from joinedup.linkage import model_file

    monkeypatch.setattr(matching, "CHECK_EVERY", 0.0)
    assert matching.resident(tmp_path) is None
    model_file.save(trained.model, model_file.model_folder(tmp_path))

    first = matching.resident(tmp_path)
    assert first is not None and first.model_file == "person-model-0001.json"
    assert matching.resident(tmp_path) is first  # one per process, not one per intake


def test_a_mash_manager_sees_each_persons_candidates_and_nobody_else_does(
    db: Session, frozen_clock: clock.Clock, trained: TrainedCounty, tmp_path: Path, referrer: Actor
) -> None:
    record = a_record(db)
    unsure = matcher(trained, tmp_path, upper=1 - 1e-15, lower=0.5)
    contact = receive(db, referrer, about(record), unsure)
    manager = person(
        db, "Bob", (Role.MASH_MANAGER,), create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE)
    )

    seen = queries.people_index_candidates(db, manager, contact)

    (subject,) = contact.subjects
    assert list(seen) == [subject.id]
    assert seen[subject.id][0].master_person_id == record.master_person_id
    weights = [c.match_weight for c in seen[subject.id]]
    assert weights == sorted(weights, reverse=True)
    assert queries.people_index_candidates(db, referrer, contact) == {}
