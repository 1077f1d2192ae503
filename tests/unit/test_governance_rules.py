"""The pure rules of governance: naming the person asked about, marks for review, and which
agreement's retention period applies."""

from __future__ import annotations

import datetime as dt

import pytest

from joinedup.governance.rules import (
    AgreementPeriod,
    GovernanceError,
    PersonAsked,
    RetentionPolicy,
    ReviewReason,
    exemption_to_consider,
    for_review,
    is_due,
    marks_in,
    parse_person,
    retention_periods,
)
from joinedup.sharing.rules import DataCategory, Purpose

CHILDREN, ADULTS = Purpose.SAFEGUARDING_CHILDREN, Purpose.SAFEGUARDING_ADULTS


@pytest.mark.parametrize(
    ("typed", "asked"),
    [
        ("P00000042", PersonAsked(master_person_id=42)),
        (" p42 ", PersonAsked(master_person_id=42)),
        ("943 476 5919", PersonAsked(nhs_number="9434765919")),
        ("943-476-5919", PersonAsked(nhs_number="9434765919")),
    ],
)
def test_a_reference_or_an_nhs_number_names_the_person(typed: str, asked: PersonAsked) -> None:
    assert parse_person(typed) == asked


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a master person reference like P00000042, or an NHS number like 943 476 5919"),
        ("Jade Smith", "'Jade Smith' is neither"),
        ("P0", "P0 is not a person: references start at P00000001"),
        ("943 476 5918", "NHS number 943 476 5918 fails its check digit"),
        ("12345", "NHS number must be 10 digits"),
    ],
)
def test_anything_else_says_what_was_wrong(typed: str, message: str) -> None:
    with pytest.raises(GovernanceError, match=message) as refused:
        parse_person(typed)
    assert refused.value.field == "person"


def test_the_person_asked_about_is_described_as_the_requester_would_recognise_them() -> None:
    assert PersonAsked(master_person_id=7).described == "P00000007"
    assert PersonAsked(nhs_number="9434765919").described == "NHS number 943 476 5919"


def test_a_mark_keeps_the_value_and_says_why_and_an_empty_value_needs_none() -> None:
    assert for_review("Dean", ReviewReason.THIRD_PARTY) == {
        "value": "Dean",
        "for_review": "third_party",
        "why": ReviewReason.THIRD_PARTY.label,
    }
    assert for_review(None, ReviewReason.STAFF) is None
    assert for_review("", ReviewReason.FREE_TEXT) == ""


def test_marks_are_counted_wherever_they_stand() -> None:
    document = {
        "a": for_review("x", ReviewReason.STAFF),
        "b": [
            {"c": for_review("y", ReviewReason.STAFF)},
            for_review({"d": 1}, ReviewReason.REFERRER),
        ],
        "e": {"for_review": "owner_exemption", "why": "theirs"},
    }
    assert marks_in(document) == {"staff": 2, "referrer": 1, "owner_exemption": 1}


def test_each_owners_exemption_is_named_and_demographics_has_none() -> None:
    police = exemption_to_consider(DataCategory.POLICE_INTELLIGENCE)
    assert police is not None and "Schedule 2 paragraph 2" in police
    health = exemption_to_consider(DataCategory.HEALTH)
    assert health is not None and "Schedule 3 Part 2" in health
    assert exemption_to_consider(DataCategory.DEMOGRAPHICS) is None


def period(
    agreement_id: int, days: int, purpose: Purpose = CHILDREN, *, in_force: bool = True
) -> AgreementPeriod:
    return AgreementPeriod(agreement_id, f"Agreement {agreement_id}", purpose, days, in_force)


def test_the_longest_period_of_the_agreements_ever_in_force_for_a_purpose_applies() -> None:
    periods = retention_periods(
        [
            period(3, 2190),
            period(1, 365),
            period(2, 3650, in_force=False),  # a draft, never in force: it governed nothing
            period(4, 2190),  # as long as agreement 3: the lower id is relied on
            period(5, 730, ADULTS),
        ]
    )

    assert {p: (r.agreement_id, r.days) for p, r in periods.items()} == {
        CHILDREN: (3, 2190),
        ADULTS: (5, 730),
    }


def test_a_purpose_no_agreement_was_in_force_for_has_no_period() -> None:
    assert retention_periods([period(1, 365, in_force=False)]) == {}


def test_a_contact_is_due_once_its_period_since_the_decision_has_passed() -> None:
    (children,) = retention_periods([period(1, 10)]).values()
    decided = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)

    assert not is_due(decided, children, decided + dt.timedelta(days=10, seconds=-1))
    assert is_due(decided, children, decided + dt.timedelta(days=10))


def test_drafts_are_kept_at_least_a_day() -> None:
    with pytest.raises(GovernanceError, match="at least 1 day"):
        RetentionPolicy(drafts_after=dt.timedelta(hours=1))
    assert RetentionPolicy().drafts_after == dt.timedelta(days=30)
