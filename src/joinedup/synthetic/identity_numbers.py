"""Issuing unique, valid NHS numbers, UPNs and PNC IDs to synthetic people.

The check rules live in joinedup.identifiers (domain.md "Identifiers"); this module only
decides the other digits, and remembers what it has issued so nothing is issued twice.
"""

from __future__ import annotations

import random
from datetime import date

from joinedup.identifiers import nhs_number_check_digit, pnc_check_character, upn_check_letter

# Nottinghamshire's local authority number, as in domain.md's example UPN H891234524001.
NOTTINGHAMSHIRE_LA = "891"
# DfE establishment numbers: 2xxx primary, 4xxx secondary. UPNs are issued by primaries.
_FIRST_PRIMARY, _LAST_PRIMARY = 2001, 2399
_MAX_UPN_SERIAL = 999
# PNC started in its current form in the 1990s; no synthetic record is older than that.
_FIRST_PNC_YEAR = 1995
_AGE_OF_CRIMINAL_RESPONSIBILITY = 10


class IdentityIssuer:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._nhs: set[str] = set()
        self._upn_serials: dict[tuple[int, int], int] = {}
        self._pnc: set[tuple[int, int]] = set()

    def nhs_number(self) -> str:
        """A new valid NHS number in the England range (400 000 0000 - 499 999 9999)."""
        while True:
            first_nine = str(self._rng.randrange(400_000_000, 500_000_000))
            check = nhs_number_check_digit(first_nine)
            # One prefix in eleven has check 10 and is never issued: draw again.
            if check is None:
                continue
            number = f"{first_nine}{check}"
            if number not in self._nhs:
                self._nhs.add(number)
                return number

    def upn(self, entry_year: int) -> str:
        """A new permanent UPN issued by a Nottinghamshire primary in the child's entry year."""
        year = entry_year % 100
        while True:
            school = self._rng.randint(_FIRST_PRIMARY, _LAST_PRIMARY)
            serial = self._upn_serials.get((school, year), 0) + 1
            # A full school-year just sends the child to another school's register.
            if serial <= _MAX_UPN_SERIAL:
                self._upn_serials[(school, year)] = serial
                last_twelve = f"{NOTTINGHAMSHIRE_LA}{school:04d}{year:02d}{serial:03d}"
                return f"{upn_check_letter(last_twelve)}{last_twelve}"

    def pnc_id(self, date_of_birth: date, as_of: date) -> str:
        """A new PNC ID created some time after the person turned ten."""
        first_year = max(_FIRST_PNC_YEAR, date_of_birth.year + _AGE_OF_CRIMINAL_RESPONSIBILITY)
        year = self._rng.randint(min(first_year, as_of.year), as_of.year)
        while True:
            serial = self._rng.randrange(1, 10_000_000)
            if (year, serial) not in self._pnc:
                self._pnc.add((year, serial))
                return f"{year}/{serial:07d}{pnc_check_character(year, serial)}"
