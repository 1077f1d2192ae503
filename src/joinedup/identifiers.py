"""Parse, validate and format the identifiers partners quote: NHS number, UPN and PNC ID.

Pure: no I/O and no clock (the import contract keeps this module independent of clock.py).
The check rules come from ../shared/domain.md ("Identifiers"). Every parser returns the
canonical form or raises InvalidIdentifier, whose message is written for the person who typed
the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# The letters a UPN can hold: every capital except I, O and S.
UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
# The PNC alphabet is the UPN's rotated so that a remainder of 0 gives Z.
PNC_ALPHABET = "ZABCDEFGHJKLMNPQRTUVWXY"

_NHS_EXAMPLE = "943 476 5919"
_UPN_EXAMPLE = "H891234524001"
_PNC_EXAMPLE = "1999/0123456X"

# People paste identifiers from letters and other systems with spaces (including non-breaking
# ones), tabs and hyphens in them; none of those carry meaning.
_SEPARATORS = re.compile(r"[\s\-]+")
# [0-9], not \d or str.isdigit(): those accept other scripts' digits and superscripts.
_NINE_DIGITS = re.compile(r"[0-9]{9}")
_UPN_TAIL = re.compile(rf"[0-9]{{11}}[0-9{UPN_ALPHABET}]")
_PNC_SHAPE = re.compile(r"([0-9]{2}|[0-9]{4})/([0-9]{1,7})([A-Z])")


class InvalidIdentifier(ValueError):
    """An identifier we cannot accept. str() says what is wrong and how to fix it."""


# --- NHS number -------------------------------------------------------------------------


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when the check would be 10 (never issued)."""
    if not _NINE_DIGITS.fullmatch(first_nine):
        raise ValueError(f"expected nine digits, got {first_nine!r}")
    total = sum(
        int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 10:
        return None
    return 0 if check == 11 else check


def parse_nhs_number(text: str) -> str:
    """The canonical 10-digit string for an NHS number typed with or without spaces or hyphens.

    Raises InvalidIdentifier. The national number ranges (England, Scotland, test numbers) are
    not checked: partners hold numbers from every UK nation.
    """
    digits = _SEPARATORS.sub("", text)
    if not digits:
        raise InvalidIdentifier("Enter an NHS number")
    if not re.fullmatch(r"[0-9]+", digits):
        raise InvalidIdentifier(f"NHS number must only include numbers 0 to 9, like {_NHS_EXAMPLE}")
    if len(digits) != 10:
        raise InvalidIdentifier(f"NHS number must be 10 digits, like {_NHS_EXAMPLE}")
    if nhs_number_check_digit(digits[:9]) != int(digits[9]):
        raise InvalidIdentifier(
            f"NHS number {_spaced(digits)} fails its check digit: "
            "check it has been copied correctly"
        )
    return digits


def format_nhs_number(text: str) -> str:
    """An NHS number as people read it, 3-3-4: "943 476 5919". Raises InvalidIdentifier."""
    return _spaced(parse_nhs_number(text))


def is_valid_nhs_number(text: str) -> bool:
    return _accepts(parse_nhs_number, text)


def _spaced(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


# --- Unique Pupil Number ----------------------------------------------------------------


def upn_check_letter(last_twelve: str) -> str:
    """The check letter for UPN characters 2 to 13.

    Characters 2 to 13 are weighted 2 to 13; the sum mod 23 indexes UPN_ALPHABET. A digit
    counts as its value. Only character 13 may be a letter (a temporary UPN); it counts as its
    index in UPN_ALPHABET (A=0, B=1, ... Z=22), as in the DfE UPN guide's table.
    """
    if not _UPN_TAIL.fullmatch(last_twelve):
        raise ValueError(f"expected 11 digits then a digit or UPN letter, got {last_twelve!r}")
    total = sum(
        _upn_value(character) * weight
        for character, weight in zip(last_twelve, range(2, 14), strict=True)
    )
    return UPN_ALPHABET[total % 23]


def parse_upn(text: str) -> str:
    """The canonical 13-character, upper-case UPN. Raises InvalidIdentifier."""
    upn = _SEPARATORS.sub("", text).upper()
    if not upn:
        raise InvalidIdentifier("Enter a UPN")
    if len(upn) != 13:
        raise InvalidIdentifier(f"UPN must be 13 characters, like {_UPN_EXAMPLE}")
    if upn[0] not in UPN_ALPHABET:
        raise InvalidIdentifier(
            f"UPN must start with a letter other than I, O or S, like {_UPN_EXAMPLE}"
        )
    if not _UPN_TAIL.fullmatch(upn[1:]):
        raise InvalidIdentifier(
            "UPN must have numbers in characters 2 to 12 and a number or a letter other than "
            f"I, O or S at the end, like {_UPN_EXAMPLE}"
        )
    if upn_check_letter(upn[1:]) != upn[0]:
        raise InvalidIdentifier(
            f"UPN {upn} fails its check letter: check it has been copied correctly"
        )
    return upn


def is_valid_upn(text: str) -> bool:
    return _accepts(parse_upn, text)


def _upn_value(character: str) -> int:
    return int(character) if character.isdigit() else UPN_ALPHABET.index(character)


# --- Police National Computer ID --------------------------------------------------------


def pnc_check_character(year: int, serial: int) -> str:
    """The check character: (last two digits of year, then the 7-digit serial) mod 23."""
    if not 1000 <= year <= 9999:
        raise ValueError(f"expected a four-digit year, got {year}")
    if not 0 <= serial <= 9_999_999:
        raise ValueError(f"expected a serial of at most seven digits, got {serial}")
    return PNC_ALPHABET[(year % 100 * 10_000_000 + serial) % 23]


def parse_pnc_id(text: str, *, this_year: int | None = None) -> str:
    """The canonical PNC ID, YYYY/NNNNNNNC with a 7-digit serial. Raises InvalidIdentifier.

    A serial without its leading zeros is accepted ("1999/123456X" is 1999/0123456X). So is a
    two-digit year ("99/123456X"), but only when the caller says what year it is now: the year
    is then put in the latest century that does not make it future, because a PNC year is when
    the record was created. Without this_year a two-digit year is refused and the person asked
    for all four digits; the check letter covers only the last two, so it cannot tell 1926
    from 2026 and a guess could attach the wrong record.
    """
    compact = _SEPARATORS.sub("", text).upper()
    if not compact:
        raise InvalidIdentifier("Enter a PNC ID")
    shape = _PNC_SHAPE.fullmatch(compact)
    if shape is None:
        raise InvalidIdentifier(
            "PNC ID must be a year, a slash, up to 7 numbers and a check letter, "
            f"like {_PNC_EXAMPLE}"
        )
    year_text, serial_text, check = shape.groups()
    year = int(year_text)
    if len(year_text) == 2:
        if this_year is None:
            raise InvalidIdentifier(
                f"PNC ID must start with all four digits of the year, like {_PNC_EXAMPLE}"
            )
        year = _latest_past_year(year, this_year)
    if year < 1000:
        raise InvalidIdentifier(
            f"PNC ID must start with all four digits of the year, like {_PNC_EXAMPLE}"
        )
    canonical = f"{year}/{int(serial_text):07d}{check}"
    if pnc_check_character(year, int(serial_text)) != check:
        raise InvalidIdentifier(
            f"PNC ID {canonical} fails its check letter: check it has been copied correctly"
        )
    return canonical


def format_pnc_id(text: str, *, this_year: int | None = None) -> str:
    """A PNC ID as people read it, which is its canonical form. Raises InvalidIdentifier."""
    return parse_pnc_id(text, this_year=this_year)


def is_valid_pnc_id(text: str, *, this_year: int | None = None) -> bool:
    return _accepts(lambda pnc: parse_pnc_id(pnc, this_year=this_year), text)


def _latest_past_year(two_digits: int, this_year: int) -> int:
    year = this_year - this_year % 100 + two_digits
    return year if year <= this_year else year - 100


def _accepts(parse: Callable[[str], str], text: str) -> bool:
    try:
        parse(text)
    except InvalidIdentifier:
        return False
    return True
