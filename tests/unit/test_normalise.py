"""people/normalise.py: the forms matching compares, idempotent and quick."""

from __future__ import annotations

import csv
from datetime import date
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.identifiers import InvalidIdentifier
from joinedup.people.normalise import (
    InvalidPostcode,
    canonical_given_name,
    canonical_nhs_number,
    canonical_pnc_id,
    canonical_upn,
    day_month_swapped,
    name_parts,
    nicknames,
    normalise_name,
    normalise_postcode,
    parse_iso_date,
    parse_postcode,
)
from joinedup.synthetic.names import NICKNAMES as SYNTHETIC_NICKNAMES

# --- Names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("Katherine", "katherine"),
        ("  KATHERINE  ", "katherine"),
        ("Seán", "sean"),
        ("Zoë", "zoe"),
        ("Łukasz", "lukasz"),
        ("Straße", "strasse"),
        ("O'Brien", "obrien"),
        ("O’Brien", "obrien"),
        ("Mr. John  Smith", "john smith"),
        ("Dr Mrs Jones", "jones"),
        ("Smith-Jones", "smith-jones"),
        ("Smith - Jones", "smith-jones"),
        ("Smith--Jones-", "smith-jones"),
        ("St. John", "st john"),
        ("Ann_Marie", "ann marie"),
    ],
)
def test_a_name_is_folded_and_stripped_of_punctuation_and_titles(written: str, normal: str) -> None:
    assert normalise_name(written) == normal


def test_a_title_on_its_own_is_kept_because_it_may_be_the_surname() -> None:
    assert normalise_name("Lord") == "lord"
    assert normalise_name("Mr Lord") == "lord"


@pytest.mark.parametrize("blank", [None, "", "   ", "...", "-", "'"])
def test_a_name_with_nothing_left_after_normalising_is_none(blank: str | None) -> None:
    assert normalise_name(blank) is None


def test_a_hyphenated_name_is_one_word_and_its_parts() -> None:
    assert name_parts("smith-jones") == ("smith-jones", "smith", "jones")
    assert name_parts("mary ann") == ("mary", "ann")


@given(st.text(max_size=40))
def test_normalising_a_normal_name_changes_nothing(text: str) -> None:
    once = normalise_name(text)
    assert normalise_name(once) == once


@given(st.text(max_size=40))
def test_a_normal_name_holds_only_lower_case_words_hyphens_and_single_spaces(text: str) -> None:
    normal = normalise_name(text)
    if normal is not None:
        assert normal == normal.strip()
        assert "  " not in normal
        assert normal == normal.casefold()
        assert all(c.isalnum() or c in " -" for c in normal)


# --- Nicknames --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_name", "sex", "canonical"),
    [
        ("bill", None, "william"),
        ("billy", "M", "william"),
        ("kate", "F", "katherine"),
        ("katie", None, "katherine"),
        ("catherine", None, "katherine"),
        ("sam", "M", "samuel"),
        ("sam", "F", "samantha"),
        ("sam", None, "sam"),
        ("chris", "U", "chris"),
        ("william", "M", "william"),
        ("bill smith", "M", "william"),
        ("zebedee", "M", "zebedee"),
    ],
)
def test_a_given_name_has_its_canonical_form(
    given_name: str, sex: str | None, canonical: str
) -> None:
    assert canonical_given_name(given_name, sex) == canonical


def _nickname_rows() -> list[dict[str, str]]:
    text = resources.files("joinedup.people").joinpath("nicknames.csv").read_text("utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


def test_the_packaged_list_has_at_least_150_pairs_in_normal_form() -> None:
    rows = _nickname_rows()
    assert len(rows) >= 150
    for row in rows:
        assert normalise_name(row["nickname"]) == row["nickname"], row
        assert normalise_name(row["canonical"]) == row["canonical"], row
        assert row["sex"] in ("", "F", "M"), row
        assert row["nickname"] != row["canonical"], row


def test_no_nickname_is_listed_twice_for_the_same_sex() -> None:
    seen: set[tuple[str, str]] = set()
    for row in _nickname_rows():
        sexes = ("F", "M") if row["sex"] == "" else (row["sex"],)
        for sex in sexes:
            assert (row["nickname"], sex) not in seen, row
            seen.add((row["nickname"], sex))


@pytest.mark.parametrize("sex", ["F", "M", None])
def test_a_canonical_form_is_its_own_canonical_form(sex: str | None) -> None:
    table = nicknames()
    for name in {*table.female, *table.male}:
        once = canonical_given_name(name, sex)
        assert canonical_given_name(once, sex) == once, (name, sex)


def test_every_short_form_the_synthetic_county_uses_comes_back_to_its_full_name() -> None:
    # The county writes Bill for William; matching must see them as one name. A short form
    # shared by two names of one sex can only lead back to one (Harry is Henry, not Harold),
    # and Mia is a name in its own right far more often than it is Amelia.
    left_to_the_linker = {("Harold", "Harry"), ("Kathleen", "Kath"), ("Josephine", "Jo")}
    left_to_the_linker |= {("Amelia", "Mia")}
    for formal, shorts in SYNTHETIC_NICKNAMES.items():
        for short in shorts:
            if (formal, short) in left_to_the_linker:
                continue
            assert any(
                canonical_given_name(normalise_name(formal), sex)
                == canonical_given_name(normalise_name(short), sex)
                for sex in (None, "F", "M")
            ), (formal, short)


# --- Dates ------------------------------------------------------------------------------


def test_an_iso_date_parses() -> None:
    assert parse_iso_date("2014-03-27") == date(2014, 3, 27)


@pytest.mark.parametrize(
    "text", ["27/03/2014", "20140327", "2014-W13-4", "2014-3-27", "2014-02-30"]
)
def test_anything_but_a_real_yyyy_mm_dd_date_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_iso_date(text)


def test_a_day_of_twelve_or_less_has_a_swapped_variant() -> None:
    assert day_month_swapped(date(2014, 3, 7)) == date(2014, 7, 3)
    assert day_month_swapped(date(2014, 12, 1)) == date(2014, 1, 12)


def test_a_day_over_twelve_or_equal_to_the_month_has_no_swapped_variant() -> None:
    assert day_month_swapped(date(2014, 3, 27)) is None
    assert day_month_swapped(date(2014, 5, 5)) is None


@given(st.dates())
def test_swapping_twice_gives_the_date_back(born: date) -> None:
    swapped = day_month_swapped(born)
    if swapped is not None:
        assert day_month_swapped(swapped) == born


# --- Postcodes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "unit", "outward", "sector"),
    [
        ("NG18 1AB", "NG18 1AB", "NG18", "NG18 1"),
        ("ng181ab", "NG18 1AB", "NG18", "NG18 1"),
        (" s80  2xy ", "S80 2XY", "S80", "S80 2"),
        ("W1A 0AX", "W1A 0AX", "W1A", "W1A 0"),
        ("EC1A1BB", "EC1A 1BB", "EC1A", "EC1A 1"),
        ("M1 1AE", "M1 1AE", "M1", "M1 1"),
    ],
)
def test_a_postcode_has_its_canonical_form_district_and_sector(
    typed: str, unit: str, outward: str, sector: str
) -> None:
    postcode = parse_postcode(typed)
    assert (postcode.unit, postcode.outward, postcode.sector) == (unit, outward, sector)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "blank"),
        ("NG18", "not a UK postcode"),
        ("1AB NG18", "not a UK postcode"),
        ("NG18 1AC", "never C, I, K, M, O or V"),
        ("not known", "not a UK postcode"),
    ],
)
def test_a_postcode_that_is_not_one_gives_a_reason(typed: str, reason: str) -> None:
    with pytest.raises(InvalidPostcode, match=reason):
        parse_postcode(typed)
    assert normalise_postcode(typed) is None


_AREA = st.text(alphabet="ABCDEFGHJKLMNOPRSTUWYZ", min_size=1, max_size=2)
_DISTRICT = st.tuples(
    st.sampled_from("0123456789"), st.sampled_from(["", *"0123456789", *"ABCDEFGHJKPSTUW"])
).map("".join)
_INWARD = st.tuples(
    st.sampled_from("0123456789"), st.text(alphabet="ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2)
).map("".join)


@given(_AREA, _DISTRICT, _INWARD, st.sampled_from(["", " ", "  "]), st.booleans())
def test_a_postcode_however_typed_comes_back_in_one_canonical_form(
    area: str, district: str, inward: str, gap: str, lower: bool
) -> None:
    canonical = f"{area}{district} {inward}"
    typed = f"{area}{district}{gap}{inward}"
    assert normalise_postcode(typed.lower() if lower else typed) == canonical
    assert normalise_postcode(canonical) == canonical


@given(st.text(max_size=12))
def test_normalising_a_normal_postcode_changes_nothing(text: str) -> None:
    once = normalise_postcode(text)
    assert normalise_postcode(once) == once


# --- Identifiers ------------------------------------------------------------------------


def test_identifiers_come_back_in_their_canonical_forms() -> None:
    assert canonical_nhs_number("943 476 5919") == "9434765919"
    assert canonical_upn("h891234524001") == "H891234524001"
    assert canonical_pnc_id("1999/123456X") == "1999/0123456X"


@pytest.mark.parametrize("blank", [None, "", "  "])
def test_a_blank_identifier_is_none(blank: str | None) -> None:
    assert canonical_nhs_number(blank) is None
    assert canonical_upn(blank) is None
    assert canonical_pnc_id(blank) is None


def test_an_identifier_that_fails_its_check_is_refused_with_the_reason() -> None:
    with pytest.raises(InvalidIdentifier, match="fails its check digit"):
        canonical_nhs_number("123 456 1234")


@given(st.text(alphabet="0123456789 -", max_size=14))
def test_a_canonical_nhs_number_is_its_own_canonical_form(text: str) -> None:
    try:
        once = canonical_nhs_number(text)
    except InvalidIdentifier:
        return
    assert canonical_nhs_number(once) == once
