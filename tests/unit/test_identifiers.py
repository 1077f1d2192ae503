"""identifiers.py: NHS number, UPN and PNC ID, with the examples from domain.md."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from joinedup.identifiers import (
    PNC_ALPHABET,
    UPN_ALPHABET,
    InvalidIdentifier,
    format_nhs_number,
    format_pnc_id,
    is_valid_nhs_number,
    is_valid_pnc_id,
    is_valid_upn,
    nhs_number_check_digit,
    parse_nhs_number,
    parse_pnc_id,
    parse_upn,
    pnc_check_character,
    upn_check_letter,
)

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)

# --- NHS number -------------------------------------------------------------------------


@pytest.mark.parametrize("shown", ["943 476 5919", "401 023 2137", "654 100 3238"])
def test_the_valid_nhs_numbers_in_domain_md_parse_and_format(shown: str) -> None:
    canonical = shown.replace(" ", "")
    assert parse_nhs_number(shown) == canonical
    assert format_nhs_number(canonical) == shown
    assert is_valid_nhs_number(shown)


@pytest.mark.parametrize(
    "typed", ["9434765919", "943-476-5919", " 943 476 5919 ", "943\u00a0476\u00a05919"]
)
def test_nhs_numbers_may_be_typed_with_spaces_or_hyphens(typed: str) -> None:
    assert parse_nhs_number(typed) == "9434765919"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "123 456 1234",
            "NHS number 123 456 1234 fails its check digit: check it has been copied correctly",
        ),
        ("943 476 591", "NHS number must be 10 digits, like 943 476 5919"),
        ("943 476 59190", "NHS number must be 10 digits, like 943 476 5919"),
        ("943 476 591O", "NHS number must only include numbers 0 to 9, like 943 476 5919"),
        # Other scripts' digits look like numbers but are not NHS numbers.
        ("٩٤٣٤٧٦٥٩١٩", "NHS number must only include numbers 0 to 9"),
        ("  ", "Enter an NHS number"),
    ],
)
def test_a_bad_nhs_number_says_what_is_wrong(typed: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as raised:
        parse_nhs_number(typed)
    assert str(raised.value).startswith(message)
    assert not is_valid_nhs_number(typed)


def test_invalid_identifier_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_nhs_number("123 456 1234")


def test_nine_digits_whose_check_would_be_ten_have_no_valid_number() -> None:
    # Such numbers are never issued, so no final digit can rescue them.
    prefix = next(f"{n:09d}" for n in range(10**6) if nhs_number_check_digit(f"{n:09d}") is None)
    assert not any(is_valid_nhs_number(prefix + last) for last in "0123456789")


def test_the_check_digit_of_eleven_is_zero() -> None:
    # The weighted sum is 0, so 11 - 0 = 11, which is written as 0.
    assert nhs_number_check_digit("000000000") == 0


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_generated_nhs_number_round_trips(first_nine: str) -> None:
    check = nhs_number_check_digit(first_nine)
    assume(check is not None)
    number = f"{first_nine}{check}"
    assert parse_nhs_number(format_nhs_number(number)) == number


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 9), digits)
def test_changing_any_one_digit_of_an_nhs_number_makes_it_invalid(
    first_nine: str, position: int, digit: str
) -> None:
    check = nhs_number_check_digit(first_nine)
    assume(check is not None)
    number = f"{first_nine}{check}"
    assume(number[position] != digit)
    assert not is_valid_nhs_number(number[:position] + digit + number[position + 1 :])


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 8))
def test_swapping_two_neighbouring_digits_of_an_nhs_number_makes_it_invalid(
    first_nine: str, position: int
) -> None:
    check = nhs_number_check_digit(first_nine)
    assume(check is not None)
    number = f"{first_nine}{check}"
    assume(number[position] != number[position + 1])
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    assert not is_valid_nhs_number(swapped)


# --- UPN --------------------------------------------------------------------------------


def test_the_upn_in_domain_md_is_valid_in_either_case() -> None:
    assert parse_upn("H891234524001") == "H891234524001"
    assert parse_upn(" h891234524001 ") == "H891234524001"
    assert upn_check_letter("891234524001") == "H"
    assert is_valid_upn("H891234524001")


def test_a_temporary_upn_counts_its_final_letter_by_its_place_in_the_alphabet() -> None:
    # The first eleven of 891234524001 weigh 201; A is 0 and 201 mod 23 = 17, which is U.
    assert upn_check_letter("89123452400A") == "U"
    assert parse_upn("U89123452400A") == "U89123452400A"
    # B is 1, the same as the digit 1, so it shares H891234524001's check letter.
    assert upn_check_letter("89123452400B") == "H"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "J891234524001",
            "UPN J891234524001 fails its check letter: check it has been copied correctly",
        ),
        ("H89123452400", "UPN must be 13 characters, like H891234524001"),
        ("I891234524001", "UPN must start with a letter other than I, O or S"),
        ("8891234524001", "UPN must start with a letter other than I, O or S"),
        ("H8912345240A1", "UPN must have numbers in characters 2 to 12"),
        ("H89123452400S", "UPN must have numbers in characters 2 to 12 and a number or a letter"),
        ("", "Enter a UPN"),
    ],
)
def test_a_bad_upn_says_what_is_wrong(typed: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as raised:
        parse_upn(typed)
    assert str(raised.value).startswith(message)
    assert not is_valid_upn(typed)


upn_tails = st.builds(
    lambda body, last: body + last,
    st.text(alphabet="0123456789", min_size=11, max_size=11),
    st.sampled_from("0123456789" + UPN_ALPHABET),
)


@given(upn_tails)
def test_every_generated_upn_round_trips(tail: str) -> None:
    upn = upn_check_letter(tail) + tail
    assert parse_upn(upn.lower()) == upn


@given(upn_tails, st.integers(1, 11), digits)
def test_changing_any_one_digit_of_a_upn_makes_it_invalid(
    tail: str, position: int, digit: str
) -> None:
    upn = upn_check_letter(tail) + tail
    assume(upn[position] != digit)
    assert not is_valid_upn(upn[:position] + digit + upn[position + 1 :])


@given(upn_tails, st.sampled_from(UPN_ALPHABET))
def test_changing_the_check_letter_of_a_upn_makes_it_invalid(tail: str, letter: str) -> None:
    assume(letter != upn_check_letter(tail))
    assert not is_valid_upn(letter + tail)


# --- PNC ID -----------------------------------------------------------------------------


def test_the_pnc_id_in_domain_md_is_valid() -> None:
    assert pnc_check_character(1999, 123456) == "X"
    assert parse_pnc_id("1999/0123456X") == "1999/0123456X"
    assert format_pnc_id("1999/0123456x") == "1999/0123456X"
    assert is_valid_pnc_id("1999/0123456X")


def test_a_pnc_serial_without_leading_zeros_is_padded_to_seven_digits() -> None:
    assert parse_pnc_id("1999/123456X") == "1999/0123456X"


def test_a_two_digit_pnc_year_is_the_latest_one_not_in_the_future() -> None:
    assert parse_pnc_id("99/123456X", this_year=2026) == "1999/0123456X"
    twenty_six = f"26/1{pnc_check_character(2026, 1)}"
    assert parse_pnc_id(twenty_six, this_year=2026) == f"2026/0000001{twenty_six[-1]}"
    assert parse_pnc_id(twenty_six, this_year=2025) == f"1926/0000001{twenty_six[-1]}"
    assert is_valid_pnc_id("99/123456X", this_year=2026)


def test_a_two_digit_pnc_year_is_refused_when_the_caller_does_not_say_what_year_it_is() -> None:
    with pytest.raises(InvalidIdentifier, match="all four digits of the year"):
        parse_pnc_id("99/123456X")
    assert not is_valid_pnc_id("99/123456X")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "1999/0123456Y",
            "PNC ID 1999/0123456Y fails its check letter: check it has been copied correctly",
        ),
        ("1999-0123456X", "PNC ID must be a year, a slash, up to 7 numbers and a check letter"),
        ("1999/01234567X", "PNC ID must be a year, a slash, up to 7 numbers and a check letter"),
        ("199/0123456X", "PNC ID must be a year, a slash"),
        ("0999/0123456X", "PNC ID must start with all four digits of the year"),
        ("", "Enter a PNC ID"),
    ],
)
def test_a_bad_pnc_id_says_what_is_wrong(typed: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as raised:
        parse_pnc_id(typed)
    assert str(raised.value).startswith(message)
    assert not is_valid_pnc_id(typed)


def test_the_pnc_alphabet_gives_z_for_a_remainder_of_nought() -> None:
    assert PNC_ALPHABET[0] == "Z"
    assert pnc_check_character(2000, 23) == "Z"


years = st.integers(1000, 9999)
serials = st.integers(0, 9_999_999)


@given(years, serials)
def test_every_generated_pnc_id_round_trips(year: int, serial: int) -> None:
    pnc = f"{year}/{serial:07d}{pnc_check_character(year, serial)}"
    assert parse_pnc_id(pnc) == pnc
    assert parse_pnc_id(f"{year}/{serial}{pnc[-1]}") == pnc


@given(years, serials, st.integers(2, 11), digits)
def test_changing_a_digit_of_the_pnc_year_or_serial_makes_it_invalid(
    year: int, serial: int, position: int, digit: str
) -> None:
    # Positions 2-3 are the year's last two digits and 5-11 the serial; the check covers those.
    pnc = f"{year}/{serial:07d}{pnc_check_character(year, serial)}"
    assume(position != 4 and pnc[position] != digit)
    assert not is_valid_pnc_id(pnc[:position] + digit + pnc[position + 1 :])
