"""Through the API: with a linkage model trained under the data directory, a contact's people
are found by the process's online matcher; without one, by NHS number and UPN alone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor.models import ContactSubject, SubjectCandidate
from joinedup.linkage import model_file
from joinedup.people.models import AgencyRecord
from tests.linkage_county import LINKAGE_GROUP, TrainedCounty, import_county, trained_county
from tests.web.conftest import TestClient
from tests.web.test_contacts_api import URL, token_for

pytestmark = LINKAGE_GROUP


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> TrainedCounty:
    return trained_county(tmp_path_factory)


def _post_about(client: TestClient, headers: dict[str, str], record: AgencyRecord) -> None:
    """A contact about the record's person, their first name misspelt."""
    assert record.given_name and record.date_of_birth
    body = {
        "subjects": [
            {
                "kind": "child",
                "given_name": record.given_name + "e",
                "family_name": record.family_name,
                "date_of_birth": record.date_of_birth.isoformat(),
                "postcode": record.postcode_norm,
            }
        ],
        "concern_categories": ["neglect"],
        "what_happened": "Seen hungry and unkempt.",
        "urgency": "routine",
        "consent": "given",
    }
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 201, response.text


def _a_child(db: Session) -> AgencyRecord:
    record = db.scalars(
        select(AgencyRecord)
        .where(
            AgencyRecord.given_name.is_not(None),
            AgencyRecord.family_name.is_not(None),
            AgencyRecord.date_of_birth > dt.date(2009, 1, 1),  # a child, born
            AgencyRecord.postcode_norm.is_not(None),
            AgencyRecord.nhs_number.is_(None),
            AgencyRecord.upn.is_(None),
        )
        .order_by(AgencyRecord.id)
    ).first()
    assert record is not None
    return record


def _latest_subject(db: Session) -> ContactSubject:
    subject = db.scalars(select(ContactSubject).order_by(ContactSubject.id.desc())).first()
    assert subject is not None
    return subject


def test_with_a_trained_model_the_api_links_a_misspelt_child_by_the_model(
    client: TestClient,
    sqlite_db: Session,
    frozen_clock: clock.Clock,
    trained: TrainedCounty,
    tmp_path: Path,
) -> None:
    import_county(sqlite_db, trained)
    model_file.save(trained.model, model_file.model_folder(tmp_path))  # the app's data dir
    record = _a_child(sqlite_db)
    alice = token_for(sqlite_db, "Alice", Role.REFERRER, AgencyKind.POLICE)

    _post_about(client, alice, record)

    subject = _latest_subject(sqlite_db)
    assert subject.master_person_id == record.master_person_id
    kept = sqlite_db.scalars(
        select(SubjectCandidate).where(SubjectCandidate.contact_subject_id == subject.id)
    ).all()
    assert [c.model_file for c in kept if c.linked] == ["person-model-0001.json"]


def test_without_a_model_the_api_links_by_identifiers_only(
    client: TestClient,
    sqlite_db: Session,
    frozen_clock: clock.Clock,
    trained: TrainedCounty,
) -> None:
    import_county(sqlite_db, trained)
    record = _a_child(sqlite_db)  # no NHS number or UPN: nothing exact to go on
    alice = token_for(sqlite_db, "Alice", Role.REFERRER, AgencyKind.POLICE)

    _post_about(client, alice, record)

    subject = _latest_subject(sqlite_db)
    assert subject.master_person_id is None
    assert not sqlite_db.scalars(select(SubjectCandidate)).all()
