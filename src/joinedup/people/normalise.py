"""Normal forms of what agencies write about a person, for matching and blocking.

Pure and fast: it runs on every row of every extract (millions of them), so each function does
little, takes the ASCII fast path where it can, and touches no database or clock. Every
normaliser is idempotent (normalising a normal form changes nothing), so stored normal forms can
be normalised again safely, and a value typed into a search box meets a stored one halfway.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from joinedup.identifiers import parse_nhs_number, parse_pnc_id, parse_upn

# --- Names ------------------------------------------------------------------------------

# Said before a name, never part of it. Stripped only while another word follows, because
# Lord, Major and King are also English surnames.
TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "master", "mstr", "dr", "prof", "professor", "rev"}
    | {"revd", "reverend", "sir", "dame", "lady", "lord"}
)
# Letters that NFKD does not take apart into a base letter and an accent.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ß": "ss"}
)
# Apostrophes join (O'Brien is obrien); anything else that is not a letter, digit, hyphen or
# space separates words. \w admits every script's letters, and the underscore, which we drop.
_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_NAME = re.compile(r"[^\w\s-]|_")
# Hyphens with spaces around them, or several together, are one hyphen ("Smith - Jones").
_HYPHENS = re.compile(r"\s*-[\s-]*")


def _fold(text: str) -> str:
    """Lower case without accents: "Zoë" is "zoe", "STRAßE" is "strasse"."""
    text = text.casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Decomposing can expose letters that casefold again (a compatibility capital, say).
    return bare.casefold().translate(_LETTERS)


def normalise_name(text: str | None) -> str | None:
    """A name in the form matching compares: folded, bare of punctuation and titles.

    "  Mr. Seán  O'Brien-Smith " becomes "sean obrien-smith". A hyphenated name stays one
    word (see name_parts for its halves). None for a blank or wholly punctuation value.
    """
    if not text:
        return None
    folded = _NOT_NAME.sub(" ", _APOSTROPHES.sub("", _fold(text)))
    words = _HYPHENS.sub("-", folded).split()
    words = [stripped for word in words if (stripped := word.strip("-"))]
    while len(words) > 1 and words[0] in TITLES:
        del words[0]
    return " ".join(words) or None


def name_parts(normal: str) -> tuple[str, ...]:
    """Each word of a normalised name, and each hyphenated word's parts after it.

    name_parts("smith-jones") is ("smith-jones", "smith", "jones"), so a record that keeps
    only one half of a double-barrelled surname can still be found.
    """
    parts: list[str] = []
    for word in normal.split():
        parts.append(word)
        if "-" in word:
            parts.extend(piece for piece in word.split("-") if piece)
    return tuple(parts)


# --- Nicknames --------------------------------------------------------------------------

NICKNAME_FILE = "nicknames.csv"


@dataclass(frozen=True, slots=True)
class Nicknames:
    """Short forms and variant spellings mapped to one canonical given name.

    Most apply whatever the person's sex; some only to one (Sam is Samuel or Samantha). For a
    person whose sex is not known, only the former apply, so an ambiguous name stays itself.
    """

    any_sex: dict[str, str]
    female: dict[str, str]
    male: dict[str, str]

    def canonical(self, first_name: str, sex: str | None = None) -> str:
        """The canonical form of one normalised given name ("bill" -> "william")."""
        by_sex = self.female if sex == "F" else self.male if sex == "M" else self.any_sex
        return by_sex.get(first_name, first_name)


@cache
def nicknames() -> Nicknames:
    """The packaged list (people/nicknames.csv), read once per process."""
    text = resources.files("joinedup.people").joinpath(NICKNAME_FILE).read_text("utf-8")
    any_sex: dict[str, str] = {}
    female: dict[str, str] = {}
    male: dict[str, str] = {}
    for row in csv.DictReader(line for line in text.splitlines() if not line.startswith("#")):
        short, full, sex = row["nickname"], row["canonical"], row["sex"]
        if sex in ("", "F"):
            female[short] = full
        if sex in ("", "M"):
            male[short] = full
        if sex == "":
            any_sex[short] = full
    return Nicknames(any_sex, female, male)


def canonical_given_name(normal: str | None, sex: str | None = None) -> str | None:
    """The canonical form of a normalised given name's first word, for comparing nicknames.

    canonical_given_name("bill", "M") is "william"; "chris" stays "chris" when sex is unknown.
    """
    if not normal:
        return None
    first = normal.split(" ", 1)[0]
    return nicknames().canonical(first, sex)


# --- Dates ------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_iso_date(text: str) -> date:
    """A date written YYYY-MM-DD. Raises ValueError saying what it should look like.

    Stricter than date.fromisoformat, which also takes 20240131 and week dates: an extract
    that mixes forms is more likely to have mixed up days and months too.
    """
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD, like 2014-03-27")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date (YYYY-MM-DD)") from None


def day_month_swapped(born: date) -> date | None:
    """The date with its day and month exchanged, the commonest slip with dates of birth.

    None when there is no different such date: the day is over 12, or equals the month.
    """
    if born.day > 12 or born.day == born.month:
        return None
    try:
        return born.replace(month=born.day, day=born.month)
    except ValueError:  # cannot happen for day <= 12, but never raise from a variant
        return None


# --- Postcodes --------------------------------------------------------------------------

# Outward code: area (1-2 letters), district (a digit, then a digit or a letter, optionally).
# Inward code: sector digit and a unit of two letters, never C, I, K, M, O or V (Royal Mail).
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][ABD-HJLNP-UW-Z]{2})")
_POSTCODE_SHAPE = re.compile(r"([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{2})")
_SPACES = re.compile(r"\s+")
POSTCODE_EXAMPLE = "NG18 1AB"


class InvalidPostcode(ValueError):
    """Not a UK postcode; str() says why."""


@dataclass(frozen=True, slots=True)
class Postcode:
    """A UK postcode in its canonical form, "NG18 1AB", and the areas it lies in."""

    unit: str

    @property
    def outward(self) -> str:
        """The postcode district, "NG18"."""
        return self.unit.split(" ", 1)[0]

    @property
    def sector(self) -> str:
        """The postcode sector, "NG18 1": a few thousand addresses, good for blocking."""
        return self.unit[:-2]


def parse_postcode(text: str) -> Postcode:
    """A postcode typed in any case, with or without spaces. Raises InvalidPostcode."""
    compact = _SPACES.sub("", text).upper()
    if not compact:
        raise InvalidPostcode("the postcode is blank")
    match = _POSTCODE.fullmatch(compact)
    if match is None:
        if _POSTCODE_SHAPE.fullmatch(compact):
            raise InvalidPostcode(
                f"{text!r} is not a postcode: the last two letters are never C, I, K, M, O or V"
            )
        raise InvalidPostcode(f"{text!r} is not a UK postcode, like {POSTCODE_EXAMPLE}")
    return Postcode(f"{match[1]} {match[2]}")


def normalise_postcode(text: str | None) -> str | None:
    """The canonical form "NG18 1AB", or None when blank or not a postcode."""
    if not text:
        return None
    try:
        return parse_postcode(text).unit
    except InvalidPostcode:
        return None


# --- Identifiers ------------------------------------------------------------------------
# Each returns None for a blank value and raises InvalidIdentifier (from joinedup.identifiers,
# whose message says what is wrong) for a value that is not one.


def canonical_nhs_number(text: str | None) -> str | None:
    """Ten digits, "9434765919"."""
    return parse_nhs_number(text) if text and not text.isspace() else None


def canonical_upn(text: str | None) -> str | None:
    """Thirteen characters in capitals, "H891234524001"."""
    return parse_upn(text) if text and not text.isspace() else None


def canonical_pnc_id(text: str | None) -> str | None:
    """YYYY/NNNNNNNC, "1999/0123456X". A two-digit year is refused: see parse_pnc_id."""
    return parse_pnc_id(text) if text and not text.isspace() else None
