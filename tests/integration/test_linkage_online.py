"""The online matcher scores as Splink's batch run does, and finds a person from one record."""

from __future__ import annotations

import time

import pytest

from joinedup.linkage import engine
from joinedup.linkage.online import (
    OnlineMatcher,
    damerau_levenshtein_at_most_one,
    jaro_winkler,
)
from joinedup.linkage.training import LinkageModel
from tests.linkage_county import LINKAGE_GROUP, trained_county

pytestmark = LINKAGE_GROUP


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[engine.Frame, LinkageModel]:
    made = trained_county(tmp_path_factory)
    return made.frame, made.model


def test_every_blocked_pair_scores_what_splink_scores_in_a_batch_run(
    trained: tuple[engine.Frame, LinkageModel],
) -> None:
    frame, model = trained
    records = frame.table.to_pylist()
    for record in records:
        record["master_person_id"] = record["unique_id"]
    matcher = OnlineMatcher(model, records)
    batch = engine.score(engine.linker(frame, model.splink_settings, model.blocking_rules), 0.0)
    assert len(batch) > 500

    by_id = {record["unique_id"]: record for record in records}
    for left, right, weight in zip(batch.left, batch.right, batch.match_weight, strict=True):
        online = matcher.score(by_id[left], by_id[right])
        assert online.match_weight == pytest.approx(weight, abs=1e-6), (left, right)


def test_a_query_finds_its_person_first_with_each_fields_contribution_in_milliseconds(
    trained: tuple[engine.Frame, LinkageModel],
) -> None:
    frame, model = trained
    records = frame.table.to_pylist()
    for record in records:
        record["master_person_id"] = 1000 + record["unique_id"]
    matcher = OnlineMatcher(model, records)
    query = dict(records[0], first_name=records[0]["first_name"] + "x")  # a typo

    started = time.perf_counter()
    found = matcher.candidates(query)
    took = time.perf_counter() - started

    assert found[0].master_person_id == records[0]["master_person_id"]
    names = [part.comparison for part in found[0].contributions]
    assert names == [
        "prior",
        "first_name",
        "family_name",
        "date_of_birth",
        "postcode",
        "nhs_number",
        "upn",
    ]
    assert sum(p.match_weight for p in found[0].contributions) == found[0].match_weight
    assert took < 0.05


def test_string_similarities_follow_their_definitions() -> None:
    assert damerau_levenshtein_at_most_one("smith", "smiht")  # neighbours swapped
    assert damerau_levenshtein_at_most_one("smith", "smth")
    assert not damerau_levenshtein_at_most_one("smith", "smyht")
    assert jaro_winkler("martha", "marhta") == pytest.approx(0.9611, abs=1e-4)
    assert jaro_winkler("dwayne", "duane") == pytest.approx(0.84, abs=1e-4)
