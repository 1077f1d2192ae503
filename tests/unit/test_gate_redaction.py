"""The gate's pure parts: which category each field of a person's record is, and redaction."""

from __future__ import annotations

import pytest

from joinedup.directory.rules import AgencyKind
from joinedup.people.schemas import COLUMN_NAMES
from joinedup.sharing.gate import Involvement, person_reference
from joinedup.sharing.redaction import (
    AGENCY_RECORD_FIELDS,
    HOLDING_CATEGORY,
    agency_record_categories,
    redact,
)
from joinedup.sharing.rules import DataCategory, Decision, DecisionBasis

C = DataCategory
PERMIT = Decision(True, DecisionBasis.AGREEMENT, "Shown under “MASH”.", agreement_id=1)


def deny(category: DataCategory) -> Decision:
    return Decision(
        False,
        DecisionBasis.ROLE_NOT_GRANTED,
        f"Withheld: no agreement covers {category.label.lower()} for your role; ask your IG lead.",
    )


def test_every_column_of_an_agency_extract_has_a_data_category() -> None:
    assert set(AGENCY_RECORD_FIELDS) == set(COLUMN_NAMES)


def test_every_kind_of_agency_implies_the_category_of_what_it_holds() -> None:
    assert set(HOLDING_CATEGORY) == set(AgencyKind)
    assert HOLDING_CATEGORY[AgencyKind.POLICE] is C.POLICE_INTELLIGENCE
    assert HOLDING_CATEGORY[AgencyKind.PROBATION] is C.CRIMINAL_OFFENCE
    assert HOLDING_CATEGORY[AgencyKind.MENTAL_HEALTH] is C.MENTAL_HEALTH


@pytest.mark.parametrize(
    ("field", "category"),
    [
        ("given_name", C.DEMOGRAPHICS),
        ("family_name", C.DEMOGRAPHICS),
        ("date_of_birth", C.DEMOGRAPHICS),
        ("sex", C.DEMOGRAPHICS),
        ("address", C.DEMOGRAPHICS),
        ("postcode", C.DEMOGRAPHICS),
        ("nhs_number", C.DEMOGRAPHICS),
        ("upn", C.EDUCATION),
        ("pnc_id", C.CRIMINAL_OFFENCE),
    ],
)
def test_identifying_fields_have_the_category_of_what_they_say(
    field: str, category: DataCategory
) -> None:
    for kind in AgencyKind:
        assert agency_record_categories(kind)[field] is category


def test_the_agencys_own_references_take_the_category_of_what_it_holds() -> None:
    probation = agency_record_categories(AgencyKind.PROBATION)
    assert {probation[f] for f in ("record_id", "local_id", "household_ref", "source")} == {
        C.CRIMINAL_OFFENCE
    }
    assert agency_record_categories(AgencyKind.ACUTE_TRUST)["local_id"] is C.HEALTH


FIELDS = {"given_name": C.DEMOGRAPHICS, "upn": C.EDUCATION, "record_id": C.SOCIAL_CARE_HISTORY}
VALUES = {"given_name": "Ava", "upn": "A123456789012", "record_id": "CSC-1"}


def test_redaction_shows_permitted_fields_and_says_why_each_other_field_is_withheld() -> None:
    decisions = {
        C.DEMOGRAPHICS: PERMIT,
        C.SOCIAL_CARE_HISTORY: PERMIT,
        C.EDUCATION: deny(C.EDUCATION),
    }
    redacted = redact(VALUES, FIELDS, C.SOCIAL_CARE_HISTORY, decisions)
    assert redacted.shown == {"given_name": "Ava", "record_id": "CSC-1"}
    assert redacted.withheld == {
        "upn": "Withheld: no agreement covers education for your role; ask your IG lead."
    }


def test_a_refused_record_category_withholds_every_field_for_that_reason() -> None:
    # A name from probation's record would tell the reader the person is on probation.
    decisions = {
        C.DEMOGRAPHICS: PERMIT,
        C.SOCIAL_CARE_HISTORY: deny(C.SOCIAL_CARE_HISTORY),
        C.EDUCATION: PERMIT,
    }
    redacted = redact(VALUES, FIELDS, C.SOCIAL_CARE_HISTORY, decisions)
    assert redacted.shown == {}
    assert set(redacted.withheld) == set(VALUES)
    assert set(redacted.withheld.values()) == {deny(C.SOCIAL_CARE_HISTORY).reason}


def test_a_field_without_a_category_is_never_shown() -> None:
    decisions = {c: PERMIT for c in DataCategory}
    redacted = redact({**VALUES, "notes": "free text"}, FIELDS, C.SOCIAL_CARE_HISTORY, decisions)
    assert "notes" not in redacted.shown
    assert redacted.withheld["notes"].startswith("Withheld: this field has no data category")


def test_an_empty_field_is_still_governed_by_its_category() -> None:
    decisions = {
        C.DEMOGRAPHICS: PERMIT,
        C.SOCIAL_CARE_HISTORY: PERMIT,
        C.EDUCATION: deny(C.EDUCATION),
    }
    redacted = redact({**VALUES, "upn": None}, FIELDS, C.SOCIAL_CARE_HISTORY, decisions)
    assert "upn" in redacted.withheld


def test_involvement_covers_only_the_people_named() -> None:
    involvement = Involvement.of_people([42, 7])
    assert involvement.covers(42)
    assert not involvement.covers(8)
    assert not involvement.covers(None)  # a record not yet linked to anyone


def test_a_master_person_is_referred_to_as_sharing_decisions_name_people() -> None:
    assert person_reference(42) == "P00000042"
