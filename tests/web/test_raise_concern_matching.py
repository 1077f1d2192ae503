"""Through the web form: with a linkage model trained under the data directory, a concern's
people are found by the process's online matcher, as the API's are."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.linkage import model_file
from tests.linkage_county import LINKAGE_GROUP, TrainedCounty, import_county, trained_county
from tests.web.conftest import TestClient
from tests.web.test_contacts_api_matching import _a_child, _latest_subject
from tests.web.test_raise_concern import add_person, post, send, start
from tests.web.test_raise_concern import alice as alice

pytestmark = LINKAGE_GROUP


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> TrainedCounty:
    return trained_county(tmp_path_factory)


def test_with_a_trained_model_the_form_links_a_misspelt_child_by_the_model(
    alice: TestClient,
    sqlite_db: Session,
    frozen_clock: clock.Clock,
    trained: TrainedCounty,
    tmp_path: Path,
) -> None:
    import_county(sqlite_db, trained)
    model_file.save(trained.model, model_file.model_folder(tmp_path))  # the app's data dir
    record = _a_child(sqlite_db)
    assert record.given_name and record.family_name and record.date_of_birth
    born = record.date_of_birth
    child = {
        "kind": "child",
        "given_name": record.given_name + "e",  # misspelt
        "family_name": record.family_name,
        "date_of_birth-day": str(born.day),
        "date_of_birth-month": str(born.month),
        "date_of_birth-year": str(born.year),
        "nhs_number": "",
        "upn": "",
        "address": "",
        "postcode": record.postcode_norm or "",
    }

    start(alice)
    assert add_person(alice, "/raise-a-concern/person", child).status_code == 303
    for path, data in (
        ("/raise-a-concern/people", {"add_another": "no"}),
        ("/raise-a-concern/household", {"add_another": "no"}),
        ("/raise-a-concern/concerns", {"concern_categories": ["neglect"]}),
        ("/raise-a-concern/what-happened", {"what_happened": "Seen hungry and unkempt."}),
        ("/raise-a-concern/urgency", {"urgency": "routine"}),
        ("/raise-a-concern/consent", {"consent": "given"}),
    ):
        assert post(alice, path, data).status_code == 303, path
    assert send(alice).status_code == 303

    assert _latest_subject(sqlite_db).master_person_id == record.master_person_id
