"""The front door's practice: defaults from domain.md, overrides from a file, plain errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from joinedup.clock import NOTTINGHAMSHIRE_COUNTY, Counting, OpeningHours
from joinedup.frontdoor import practice as practice_module
from joinedup.frontdoor.practice import ENV_VAR, Practice, PracticeError, load_practice


def test_the_default_ratings_and_clocks_are_those_in_domain_md() -> None:
    practice = Practice()

    assert [(r.code, r.label) for r in practice.ratings] == [
        ("red", "Red"),
        ("amber", "Amber"),
        ("green", "Green"),
        ("blue", "Blue"),
    ]
    red, amber, green, blue = practice.ratings
    assert red.research is not None and amber.research is not None and green.research is not None
    # Red is worked to completion even outside opening hours: its 4 hours run round the clock.
    assert (red.research.amount, red.research.counting) == (4, Counting.ELAPSED_HOURS)
    assert (amber.research.amount, amber.research.counting) == (24, Counting.WORKING_HOURS)
    assert (green.research.amount, green.research.counting) == (72, Counting.ELAPSED_HOURS)
    assert blue.research is None
    assert practice.decision_due.describe() == "1 working day"
    assert practice.acknowledgement_due.describe() == "1 working day"
    assert practice.re_referral_window_months == 12
    assert (practice.escalation.contacts, practice.escalation.within_months) == (3, 3)
    assert practice.opening_hours == NOTTINGHAMSHIRE_COUNTY
    assert practice.reference_prefix == "MASH"


def test_the_default_vocabularies_cover_every_category_and_outcome_in_domain_md() -> None:
    practice = Practice()

    assert [c.code for c in practice.concern_categories] == [
        "physical_abuse",
        "sexual_abuse",
        "emotional_abuse",
        "neglect",
        "domestic_abuse",
        "child_sexual_exploitation",
        "child_criminal_exploitation",
        "self_neglect",
        "financial_abuse",
        "modern_slavery",
        "radicalisation",
        "other",
    ]
    assert len(practice.children_outcomes) == 7
    assert "Child in need assessment (Children Act 1989 s17)" in [
        o.label for o in practice.children_outcomes
    ]
    assert [o.code for o in practice.adult_outcomes] == [
        "information_and_advice",
        "section_42_enquiry",
        "other_enquiry",
        "needs_assessment",
        "no_further_action",
    ]


def test_clocks_describe_themselves_in_words() -> None:
    red, amber, _green, _blue = Practice().ratings
    assert red.research is not None and amber.research is not None
    assert red.research.describe() == "4 hours, round the clock"
    assert amber.research.describe() == "24 working hours"


def test_a_toml_file_replaces_the_keys_it_sets_and_keeps_the_other_defaults(
    tmp_path: Path,
) -> None:
    # Merton's tighter clocks (domain.md): 2, 6 and 24 hours.
    path = tmp_path / "practice.toml"
    path.write_text(
        """
reference_prefix = "MERTON"
re_referral_window_months = 6

[[ratings]]
code = "red"
label = "Red"
research = { amount = 2, counting = "elapsed_hours" }

[[ratings]]
code = "amber"
label = "Amber"
research = { amount = 6, counting = "working_hours" }

[[ratings]]
code = "green"
label = "Green"
research = { amount = 24, counting = "working_hours" }

[opening_hours]
mon = "09:00-17:00"
tue = "09:00-17:00"
wed = "09:00-17:00"
thu = "09:00-17:00"
fri = "09:00-17:00"
""",
        encoding="utf-8",
    )

    practice = load_practice(path)

    assert practice.reference_prefix == "MERTON"
    assert [r.code for r in practice.ratings] == ["red", "amber", "green"]
    red = practice.rating("red")
    assert red is not None and red.research is not None and red.research.amount == 2
    assert practice.opening_hours == OpeningHours.from_config(
        {day: "09:00-17:00" for day in ("mon", "tue", "wed", "thu", "fri")}
    )
    assert practice.re_referral_window_months == 6
    assert practice.escalation.contacts == 3  # not in the file: the default
    assert practice.concern_categories == Practice().concern_categories


def test_a_json_file_named_by_the_environment_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "practice.json"
    path.write_text(json.dumps({"escalation": {"contacts": 4, "within_months": 6}}))
    monkeypatch.setenv(ENV_VAR, str(path))

    practice = load_practice()

    assert (practice.escalation.contacts, practice.escalation.within_months) == (4, 6)


def test_without_a_file_the_defaults_are_in_force(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert load_practice() == Practice()


def test_the_practice_in_force_is_loaded_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    practice_module.current_practice.cache_clear()
    monkeypatch.delenv(ENV_VAR, raising=False)
    try:
        first = practice_module.current_practice()
        path = tmp_path / "practice.json"
        path.write_text(json.dumps({"reference_prefix": "LATER"}))
        monkeypatch.setenv(ENV_VAR, str(path))
        assert practice_module.current_practice() is first
    finally:
        practice_module.current_practice.cache_clear()


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('reference_prefix = "mash"', "reference_prefix: expected 2 to 10 capital letters"),
        ("re_referral_window_months = 0", "re_referral_window_months: expected Input should be"),
        (
            'decision_due = { amount = 1.5, counting = "working_days" }',
            "decision_due: expected a whole number of working days",
        ),
        (
            'decision_due = { amount = 1, counting = "fortnights" }',
            "decision_due.counting: expected Input should be 'working_hours', 'elapsed_hours' "
            "or 'working_days'",
        ),
        (
            'opening_hours = { mon = "9 till 5" }',
            "opening_hours: expected opening hours for mon must look like 08:30-17:00",
        ),
        (
            '[[ratings]]\ncode = "Red!"\nlabel = "Red"',
            "ratings[0].code: expected a code of lower-case letters, digits and underscores",
        ),
        (
            '[[ratings]]\ncode = "red"\nlabel = "Red"\n[[ratings]]\ncode = "red"\nlabel = "Rose"',
            "ratings: expected each code once, but red is repeated",
        ),
        ("adult_outcomes = []", "adult_outcomes: expected at least one entry"),
        ("colour = 1", "colour: not a setting; check its spelling"),
    ],
)
def test_a_bad_value_is_refused_naming_the_key_and_what_was_expected(
    tmp_path: Path, toml: str, message: str
) -> None:
    path = tmp_path / "practice.toml"
    path.write_text(toml, encoding="utf-8")

    with pytest.raises(PracticeError) as raised:
        load_practice(path)

    assert str(raised.value).startswith(f"{ENV_VAR} {path}: ")
    assert message in str(raised.value)


def test_every_problem_in_the_file_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "practice.toml"
    path.write_text('reference_prefix = "x"\nre_referral_window_months = -1\n')

    with pytest.raises(PracticeError) as raised:
        load_practice(path)

    assert "reference_prefix" in str(raised.value)
    assert "re_referral_window_months" in str(raised.value)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.toml", None, "which does not exist"),
        ("practice.yaml", "a: 1", "use a .toml or .json file"),
        ("practice.toml", "ratings = [", "which is not valid TOML"),
        ("practice.json", "[1, 2]", "expected keys and values at the top level"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)

    with pytest.raises(PracticeError, match=message):
        load_practice(path)


def test_the_practice_cannot_be_changed_once_loaded() -> None:
    practice = Practice()
    with pytest.raises(ValidationError, match="frozen"):
        practice.re_referral_window_months = 1  # type: ignore[misc]


def test_a_stored_rating_code_no_longer_configured_still_has_words() -> None:
    practice = Practice()
    assert practice.rating_label("amber") == "Amber"
    assert practice.rating_label("purple_alert") == "Purple alert"
    assert practice.rating("purple_alert") is None
