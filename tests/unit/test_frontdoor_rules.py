"""Checking a contact, and the pure rules behind references and known people."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from joinedup.clock import LONDON, months_before
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import (
    Consent,
    ConsentNotSoughtReason,
    FieldProblem,
    InvalidContact,
    PersonKind,
    SubjectRole,
    Urgency,
    check_contact,
    format_reference,
    normalise_name,
    reference_year,
    repeat_pattern,
    spoken_time,
)
from joinedup.frontdoor.schemas import ContactIn, SubjectIn

PRACTICE = Practice()
TODAY = date(2026, 11, 24)


def a_contact(*subjects: SubjectIn, **overrides: Any) -> ContactIn:
    fields: dict[str, Any] = {
        "subjects": list(subjects) or [a_child()],
        "concern_categories": ["neglect"],
        "what_happened": "Jade came to school hungry and with a bruise on her arm.",
        "urgency": Urgency.URGENT,
        "consent": Consent.GIVEN,
    }
    return ContactIn(**{**fields, **overrides})


def a_child(**overrides: Any) -> SubjectIn:
    fields: dict[str, Any] = {
        "kind": PersonKind.CHILD,
        "given_name": "Jade",
        "family_name": "Smith",
        "date_of_birth": date(2015, 3, 27),
    }
    return SubjectIn(**{**fields, **overrides})


def problems(data: ContactIn) -> list[FieldProblem]:
    with pytest.raises(InvalidContact) as raised:
        check_contact(data, PRACTICE, TODAY)
    return list(raised.value.problems)


def test_a_good_contact_is_tidied_into_canonical_forms() -> None:
    checked = check_contact(
        a_contact(
            a_child(
                given_name="  Jade  ",
                nhs_number="943-476-5919",
                upn="h891234524001",
                postcode="ng181ab",
                address="12  Forest Road,\n Mansfield",
            ),
            SubjectIn(
                role=SubjectRole.HOUSEHOLD_MEMBER,
                kind=PersonKind.ADULT,
                given_name="Dean",
                relationship="mother's partner",
            ),
            concern_categories=["neglect", "physical_abuse", "neglect"],
        ),
        PRACTICE,
        TODAY,
    )

    jade, dean = checked.subjects
    assert jade.given_name == "Jade"
    assert jade.nhs_number == "9434765919"
    assert jade.upn == "H891234524001"
    assert jade.postcode == "NG18 1AB"
    assert jade.address == "12 Forest Road, Mansfield"
    assert dean.relationship == "mother's partner"
    assert checked.concern_categories == ("neglect", "physical_abuse")


def test_an_nhs_number_that_fails_its_check_digit_says_so_in_the_govuk_style() -> None:
    assert problems(a_contact(a_child(nhs_number="123 456 1234"))) == [
        FieldProblem(
            "subjects[0].nhs_number", "Enter a valid NHS number: 123 456 1234 fails its check digit"
        )
    ]


def test_an_nhs_number_of_the_wrong_length_says_how_long_it_should_be() -> None:
    (problem,) = problems(a_contact(a_child(nhs_number="943 476 591")))
    assert problem.message == "NHS number must be 10 digits, like 943 476 5919"


def test_a_upn_that_fails_its_check_letter_says_so() -> None:
    (problem,) = problems(a_contact(a_child(upn="A891234524001")))
    assert problem == FieldProblem(
        "subjects[0].upn", "Enter a valid UPN: A891234524001 fails its check letter"
    )


def test_a_postcode_must_be_a_real_one() -> None:
    (problem,) = problems(a_contact(a_child(postcode="Mansfield")))
    assert problem == FieldProblem("subjects[0].postcode", "Enter a real postcode, like NG18 1AB")


def test_a_date_of_birth_in_the_future_is_refused() -> None:
    (problem,) = problems(a_contact(a_child(date_of_birth=date(2026, 11, 25))))
    assert problem == FieldProblem(
        "subjects[0].date_of_birth", "Date of birth must be today or in the past"
    )


def test_a_child_born_18_or_more_years_ago_is_not_a_child() -> None:
    (problem,) = problems(a_contact(a_child(date_of_birth=date(2008, 11, 24))))
    assert problem.message == "A child is under 18: check the date of birth, or choose adult"


def test_a_child_or_adult_needs_a_name_but_an_unborn_baby_needs_a_due_date() -> None:
    assert problems(a_contact(a_child(given_name=" ", family_name=None))) == [
        FieldProblem("subjects[0].given_name", "Enter their first name or last name, or both")
    ]
    unborn = SubjectIn(kind=PersonKind.UNBORN)
    assert problems(a_contact(unborn)) == [
        FieldProblem("subjects[0].due_date", "Enter the due date of the unborn baby")
    ]
    checked = check_contact(
        a_contact(SubjectIn(kind=PersonKind.UNBORN, due_date=date(2027, 3, 1))), PRACTICE, TODAY
    )
    assert checked.subjects[0].due_date == date(2027, 3, 1)


def test_a_contact_must_be_about_someone_not_only_their_household() -> None:
    household_only = a_child(role=SubjectRole.HOUSEHOLD_MEMBER)
    assert problems(a_contact(household_only)) == [
        FieldProblem("subjects", "Add the person the concern is about, with the role subject")
    ]


def test_consent_not_sought_needs_the_paragraph_18_reason() -> None:
    (problem,) = problems(a_contact(consent=Consent.NOT_SOUGHT))
    assert problem.field == "consent_not_sought_reason"
    assert problem.message.startswith("Select why consent was not sought: (a)")

    checked = check_contact(
        a_contact(
            consent=Consent.NOT_SOUGHT,
            consent_not_sought_reason=ConsentNotSoughtReason.WOULD_PREJUDICE_PROTECTION,
        ),
        PRACTICE,
        TODAY,
    )
    assert checked.consent_not_sought_reason is ConsentNotSoughtReason.WOULD_PREJUDICE_PROTECTION


def test_a_reason_for_not_seeking_consent_is_refused_when_consent_was_given() -> None:
    (problem,) = problems(
        a_contact(consent_not_sought_reason=ConsentNotSoughtReason.CANNOT_BE_GIVEN)
    )
    assert problem.message == (
        "Only give a reason for not seeking consent when consent was not sought"
    )


def test_concern_categories_come_from_the_practice() -> None:
    (problem,) = problems(a_contact(concern_categories=["neglect", "witchcraft"]))
    assert problem.field == "concern_categories"
    assert problem.message.startswith("'witchcraft' is not a concern category; use one of: ")
    assert problems(a_contact(concern_categories=[])) == [
        FieldProblem("concern_categories", "Select what the concern is about")
    ]


def test_every_problem_is_listed_at_once_with_its_field() -> None:
    found = problems(
        a_contact(
            a_child(nhs_number="123 456 1234", date_of_birth=date(2030, 1, 1)),
            what_happened="   ",
            consent=Consent.NOT_SOUGHT,
        )
    )
    assert [p.field for p in found] == [
        "subjects[0].date_of_birth",
        "subjects[0].nhs_number",
        "what_happened",
        "consent_not_sought_reason",
    ]


def test_names_are_compared_without_case_accents_or_punctuation() -> None:
    assert normalise_name("  Seán O'Brien ") == "sean obrien"
    assert normalise_name("SMITH-JONES") == "smith-jones"
    assert normalise_name("...") is None
    assert normalise_name(None) is None


def test_a_reference_is_the_prefix_the_year_of_receipt_and_a_six_digit_number() -> None:
    assert reference_year(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == 2026
    assert reference_year(datetime(2027, 1, 1, 0, 0, tzinfo=UTC)) == 2027
    assert format_reference("MASH", 2026, 123) == "MASH-2026-000123"
    assert format_reference("MASH", 2026, 1_234_567) == "MASH-2026-1234567"


def test_months_before_keeps_the_wall_clock_time_and_clamps_to_the_month_end() -> None:
    may_31 = datetime(2026, 5, 31, 9, 0, tzinfo=LONDON)
    assert months_before(may_31, 3) == datetime(2026, 2, 28, 9, 0, tzinfo=LONDON)
    assert months_before(datetime(2028, 5, 31, 9, tzinfo=LONDON), 3) == datetime(
        2028, 2, 29, 9, tzinfo=LONDON
    )
    # Across the clocks going forward: 09:00 BST in May is 09:00 GMT in February.
    assert months_before(may_31.astimezone(UTC), 3) == datetime(2026, 2, 28, 9, tzinfo=UTC)
    assert months_before(may_31, 12) == datetime(2025, 5, 31, 9, tzinfo=LONDON)


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 10, tzinfo=UTC)


def test_an_earlier_contact_within_12_months_makes_a_re_referral() -> None:
    now = at(2026, 11, 24)
    assert repeat_pattern(now, [at(2025, 11, 25)], PRACTICE).re_referral
    assert not repeat_pattern(now, [at(2025, 11, 23)], PRACTICE).re_referral
    assert not repeat_pattern(now, [], PRACTICE).re_referral


def test_three_contacts_in_three_months_counting_this_one_is_escalating() -> None:
    now = at(2026, 11, 24)
    two_earlier = [at(2026, 9, 1), at(2026, 10, 1)]
    pattern = repeat_pattern(now, two_earlier, PRACTICE)
    assert pattern.escalating and pattern.contacts_in_escalation_window == 3

    one_too_old = [at(2026, 8, 23), at(2026, 10, 1)]
    assert not repeat_pattern(now, one_too_old, PRACTICE).escalating


def test_times_are_spoken_as_govuk_writes_them_in_london_time() -> None:
    assert spoken_time(datetime(2026, 11, 27, 16, 5, tzinfo=UTC)) == "4:05pm on 27 November 2026"
    assert spoken_time(datetime(2026, 7, 1, 9, 0, tzinfo=UTC)) == "10am on 1 July 2026"
    assert spoken_time(datetime(2026, 11, 27, 12, 0, tzinfo=UTC)) == "midday on 27 November 2026"
