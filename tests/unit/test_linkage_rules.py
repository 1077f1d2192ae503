"""Decisions by band, the guard rails, keeping master persons stable, and the evaluation."""

from __future__ import annotations

import pytest

from joinedup.linkage.evaluation import EvaluationError, against_labels, evaluate
from joinedup.linkage.rules import (
    Band,
    Pair,
    ReviewReason,
    Thresholds,
    assign_people,
    decide,
)
from joinedup.linkage.settings import LinkageConfigError, load_linkage_settings
from joinedup.linkage.spec import PERSON_SPEC, parse_rule

THRESHOLDS = Thresholds(upper=0.99, lower=0.8)


def pair(left: int, right: int, probability: float) -> Pair:
    return Pair(left, right, match_weight=0.0, match_probability=probability)


def test_a_score_falls_in_the_band_its_thresholds_draw() -> None:
    assert THRESHOLDS.band(0.995) is Band.LINK
    assert THRESHOLDS.band(0.99) is Band.LINK  # at the threshold is in
    assert THRESHOLDS.band(0.9) is Band.REVIEW
    assert THRESHOLDS.band(0.8) is Band.REVIEW
    assert THRESHOLDS.band(0.79) is Band.SEPARATE


def test_thresholds_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError, match="lower <= upper"):
        Thresholds(upper=0.5, lower=0.9)


def test_linkage_configuration_out_of_order_names_what_to_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JOINEDUP_LINKAGE_LOWER_THRESHOLD", "0.999")
    monkeypatch.setenv("JOINEDUP_LINKAGE_UPPER_THRESHOLD", "0.9")
    with pytest.raises(LinkageConfigError, match="lower threshold"):
        load_linkage_settings()
    monkeypatch.setenv("JOINEDUP_LINKAGE_UPPER_THRESHOLD", "1.5")
    with pytest.raises(LinkageConfigError, match="JOINEDUP_LINKAGE_UPPER_THRESHOLD"):
        load_linkage_settings()


def test_pairs_link_review_or_stay_apart_by_band() -> None:
    decisions = decide(
        [1, 2, 3, 4, 5], [pair(1, 2, 0.999), pair(3, 4, 0.9), pair(4, 5, 0.1)], THRESHOLDS, {}
    )
    assert decisions.clusters == [[1, 2], [3], [4], [5]]
    assert decisions.linked_pairs == 1
    assert [(r.pair.left, r.pair.right, r.reason) for r in decisions.reviews] == [
        (3, 4, ReviewReason.UNCERTAIN)
    ]


def test_two_different_nhs_numbers_never_link_automatically_however_high_the_score() -> None:
    decisions = decide(
        [1, 2], [pair(1, 2, 0.99999)], THRESHOLDS, {1: "9434765919", 2: "4010232137"}
    )
    assert decisions.clusters == [[1], [2]]
    assert decisions.reviews[0].reason is ReviewReason.DIFFERENT_NHS_NUMBERS


def test_a_chain_of_links_never_joins_two_different_nhs_numbers() -> None:
    # 2 has no number: linking it to both 1 and 3 would put 1's and 3's numbers in one person.
    decisions = decide(
        [1, 2, 3],
        [pair(1, 2, 0.9999), pair(2, 3, 0.999)],
        THRESHOLDS,
        {1: "9434765919", 2: None, 3: "4010232137"},
    )
    assert decisions.clusters == [[1, 2], [3]]  # the stronger link wins
    assert decisions.reviews[0].reason is ReviewReason.JOINS_DIFFERENT_NHS_NUMBERS


def test_a_reviewers_decisions_are_honoured_directly_and_through_chains() -> None:
    decisions = decide(
        [1, 2, 3, 4],
        [pair(1, 2, 0.999), pair(2, 3, 0.999), pair(1, 3, 0.995)],
        THRESHOLDS,
        {},
        decided_apart=[(1, 3)],
        decided_same=[(3, 4)],
    )
    # 1-2 links; 2-3 would put 1 and 3 together, which a reviewer said are different people.
    assert decisions.clusters == [[1, 2], [3, 4]]
    assert [r.reason for r in decisions.reviews] == [ReviewReason.DECIDED_APART]


def test_a_run_over_unchanged_links_keeps_every_master_person() -> None:
    assignment = assign_people([[1, 2], [3]], {1: 10, 2: 10, 3: 11})
    assert assignment.person_of == {1: 10, 2: 10, 3: 11}
    assert assignment.merges == [] and assignment.new_people == 0


def test_joined_people_merge_into_the_one_holding_most_of_the_records() -> None:
    assignment = assign_people([[1, 2, 3]], {1: 11, 2: 10, 3: 11})
    assert assignment.person_of == {1: 11, 2: 11, 3: 11}
    assert assignment.merges == [(10, 11)]


def test_a_split_gives_the_smaller_part_a_new_master_person() -> None:
    assignment = assign_people([[1, 2], [3]], {1: 10, 2: 10, 3: 10})
    assert assignment.person_of == {1: 10, 2: 10, 3: -1}
    assert assignment.new_people == 1 and assignment.merges == []


def test_a_blocking_rule_naming_an_unknown_column_says_which_columns_there_are() -> None:
    assert parse_rule("family_name + date_of_birth", PERSON_SPEC.columns) == (
        "family_name",
        "date_of_birth",
    )
    with pytest.raises(ValueError, match=r"unknown column 'surname'.*family_name"):
        parse_rule("surname + date_of_birth", PERSON_SPEC.columns)


def test_evaluation_counts_pairs_and_whole_people() -> None:
    truth = {"a": "P1", "b": "P1", "c": "P1", "d": "P2", "e": "P3"}
    # P1 split into {a, b} and {c}; {c} wrongly joined with P2's d.
    predicted = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 3}
    result = evaluate(predicted, truth)
    assert (result.true_pairs, result.predicted_pairs, result.correct_pairs) == (3, 2, 1)
    assert result.precision == pytest.approx(0.5)
    assert result.recall == pytest.approx(1 / 3)
    assert result.f1 == pytest.approx(0.4)
    assert result.people_exactly_right == 1  # only P3
    assert result.people_split == 1
    assert result.predicted_people_mixed == 1


def test_evaluation_refuses_records_missing_from_the_truth() -> None:
    with pytest.raises(EvaluationError, match="not in the truth"):
        evaluate({"a": 1, "z": 1}, {"a": "P1"})


def test_reviewers_answers_count_as_agreed_when_the_linking_says_the_same() -> None:
    linked = {"a": 1, "b": 1, "c": 2, "d": None}
    answers = [
        ("a", "b", True),  # together, as answered
        ("a", "c", False),  # apart, as answered
        ("b", "c", True),  # apart, but answered the same person
        ("d", "c", False),  # a record with no person is apart from everyone
        ("a", "z", True),  # z is not linked at all
    ]

    found = against_labels(linked, answers)

    assert (found.same, found.apart, found.agreeing, found.unknown) == (3, 2, 3, 1)
    assert found.labels == 5
