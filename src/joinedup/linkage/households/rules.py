"""Who lives with whom, from what the agencies' records say. Pure: no I/O.

**Where each person lives.** A person's records may disagree: an agency that has not heard of
a move still holds the old address (the synthetic county's stale_address noise, and real
extracts'; extracts carry no dates to say which is newer). So each master person's home is
the address most of their records give (on a tie, the one fewer settled people live at: see
Resident.home), compared
in a normal form (case, punctuation and the usual abbreviations ignored, with the postcode's
outward code, so a mistyped inward code does not split a family). People whose home is the
same address live together, unless more than INSTITUTION people do: that is a care home, a
hostel or a block written without flat numbers, not a family, and they are each left alone.

**Without an address.** A person no record gives an address for joins the household of
someone an agency files under the same household reference (its own family number).

**Places** (HouseholdRelationship) come from ages, as a worker would read a household list:
under 18 is a child; the (at most two) youngest adults at least PARENT_GAP years older than
the youngest child are its parents, and an adult under ADULT_CHILD_AGE that much younger than
a parent is their grown-up child; with no parents, two adults within PARTNER_GAP years of each
other are partners, and children together (with any adult under ADULT_CHILD_AGE) are
siblings; anyone else is another adult. A
person with no date of birth is another adult (an unborn child has no record of their own).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from joinedup.people.models import HouseholdRelationship as Place

INSTITUTION = 12  # more people than this at one address are not one household
PARENT_GAP = 16  # years between a parent and their child, at least
PARTNER_GAP = 20  # years between two partners, at most
ADULT = 18
ADULT_CHILD_AGE = 25  # a grown-up child still at home is younger than this

_WORDS = re.compile(r"[a-z0-9]+")
_ABBREVIATIONS = {
    "rd": "road",
    "st": "street",
    "ln": "lane",
    "ave": "avenue",
    "av": "avenue",
    "dr": "drive",
    "cl": "close",
    "ct": "court",
    "cres": "crescent",
    "gdns": "gardens",
    "gr": "grove",
    "pl": "place",
    "sq": "square",
    "ter": "terrace",
    "terr": "terrace",
}


def address_key(address: str | None, postcode: str | None) -> str | None:
    """The address in the form people at one home share: "flat 2 14 station road|S80"."""
    if not address:
        return None
    words = [_ABBREVIATIONS.get(word, word) for word in _WORDS.findall(address.casefold())]
    if not words:
        return None
    outward = postcode.split(" ")[0] if postcode else ""
    return " ".join(words) + "|" + outward


@dataclass
class Resident:
    """One master person, as their agency records describe where and with whom they live."""

    person: int
    born: date | None = None
    homes: Counter[str] = field(default_factory=Counter)  # address key -> records giving it
    references: set[tuple[int, str]] = field(default_factory=set)  # (agency, household ref)
    written: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # key -> as written

    def add(
        self,
        address: str | None,
        postcode: str | None,
        reference: tuple[int, str] | None,
        born: date | None,
    ) -> None:
        """What one more of the person's records says (records in the order they came)."""
        key = address_key(address, postcode)
        if key is not None and address is not None:
            self.homes[key] += 1
            self.written.setdefault(key, (address, postcode))
        if reference is not None:
            self.references.add(reference)
        if self.born is None:
            self.born = born  # linkage judged the records one person: the first date will do

    def home(self, settled: Mapping[str, int] | None = None) -> str | None:
        """The address most records give. On a tie, the one fewer settled people live at
        (`settled`: address -> people all of whose records give it): someone who moved is
        still on the books at the home they left, where the family who stayed lives. Then the
        first in order, so it is repeatable."""
        if not self.homes:
            return None
        stayed = settled or {}
        return min(self.homes, key=lambda key: (-self.homes[key], stayed.get(key, 0), key))

    def home_as_written(self) -> tuple[str | None, str | None]:
        """The home's address and postcode as the first record giving it writes them."""
        home = self.home()
        return self.written[home] if home is not None else (None, None)


def group(residents: Iterable[Resident]) -> list[list[int]]:
    """Households as lists of master persons, each sorted, ordered by their first member."""
    people = list(residents)
    settled = Counter(next(iter(r.homes)) for r in people if len(r.homes) == 1)
    at: dict[str, list[int]] = {}
    for resident in people:
        home = resident.home(settled)
        if home is not None:
            at.setdefault(home, []).append(resident.person)
    household_of: dict[int, int] = {}
    households: list[list[int]] = []
    for members in at.values():
        for chunk in [members] if len(members) <= INSTITUTION else [[m] for m in members]:
            for member in chunk:
                household_of[member] = len(households)
            households.append(list(chunk))
    by_reference: dict[tuple[int, str], int] = {}
    for resident in people:
        if resident.person in household_of:
            for reference in resident.references:
                by_reference.setdefault(reference, household_of[resident.person])
    for resident in people:
        if resident.person in household_of:
            continue
        joined = sorted(by_reference[r] for r in resident.references if r in by_reference)
        index = joined[0] if joined else len(households)
        if not joined:
            households.append([])
        households[index].append(resident.person)
        household_of[resident.person] = index
    return sorted((sorted(h) for h in households if h), key=lambda h: h[0])


def places(born: Mapping[int, date | None], today: date) -> dict[int, Place]:
    """Each member's place in the household, from their dates of birth (see the module)."""
    ages = {person: _age(day, today) for person, day in born.items() if day is not None}
    found = {person: Place.OTHER_ADULT for person in born}
    children = [p for p, age in ages.items() if age < ADULT]
    youngest = min((ages[p] for p in children), default=None)
    parents: list[int] = []
    if youngest is not None:
        eligible = [p for p, age in ages.items() if age >= ADULT and age - youngest >= PARENT_GAP]
        parents = sorted(eligible, key=lambda p: (ages[p], p))[:2]
    if parents:
        eldest_parent = max(ages[p] for p in parents)
        for person, age in ages.items():
            if person in parents:
                found[person] = Place.PARENT
            elif age < ADULT or (age < ADULT_CHILD_AGE and eldest_parent - age >= PARENT_GAP):
                found[person] = Place.CHILD
        return found
    adults = sorted((p for p, age in ages.items() if age >= ADULT), key=lambda p: (ages[p], p))
    if len(adults) == 2 and abs(ages[adults[0]] - ages[adults[1]]) <= PARTNER_GAP:
        found.update({adults[0]: Place.PARTNER, adults[1]: Place.PARTNER})
    # Young people together with no one old enough to be their parent: brothers and sisters.
    young = children + [p for p in adults if children and ages[p] < ADULT_CHILD_AGE]
    for person in young:
        found[person] = Place.SIBLING if len(young) > 1 else Place.CHILD
    return found


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
