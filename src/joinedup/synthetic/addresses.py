"""Invented addresses along invented streets, with real outward codes and valid inward codes.

Each town fills one street at a time, like a street gazetteer: numbers rise along the street,
now and then a number is a block of flats, and each run of about fifteen numbers shares a
postcode, as a real postcode unit does. Addresses are unique within the county.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from joinedup.synthetic.places import (
    INWARD_LETTERS,
    STREET_KINDS,
    STREET_QUALIFIERS,
    STREET_STEMS,
    Town,
)

ADDRESSES_PER_POSTCODE = 15
FLAT_BLOCK_RATE = 0.05  # share of house numbers that are a block of flats


@dataclass(slots=True)
class _Street:
    name: str
    outward: str
    capacity: int
    next_number: int = 1
    flats_left: int = 0
    next_flat: int = 1
    postcodes: list[str] = field(default_factory=list)


class AddressBook:
    """Hands out addresses town by town. Deterministic for a given random generator."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._streets: dict[str, _Street] = {}
        self._street_names: dict[str, list[str]] = {}
        self._inward: dict[str, list[str]] = {}
        self._generation: dict[str, int] = {}

    def allocate(self, town: Town) -> tuple[str, str]:
        """The next free (address, postcode) in the town."""
        street = self._streets.get(town.name)
        if street is None or (street.next_number > street.capacity and not street.flats_left):
            street = self._new_street(town)
            self._streets[town.name] = street
        rng = self._rng
        if not street.flats_left and rng.random() < FLAT_BLOCK_RATE:
            street.flats_left = rng.randint(2, 8)
            street.next_flat = 1
        number = street.next_number
        if street.flats_left:
            prefix = f"Flat {street.next_flat}, "
            street.next_flat += 1
            street.flats_left -= 1
            if not street.flats_left:
                street.next_number += 1
        else:
            prefix = ""
            street.next_number += 1
        unit = (number - 1) // ADDRESSES_PER_POSTCODE
        while len(street.postcodes) <= unit:
            street.postcodes.append(f"{street.outward} {self._next_inward(street.outward)}")
        return f"{prefix}{number} {street.name}, {town.name}", street.postcodes[unit]

    def _new_street(self, town: Town) -> _Street:
        rng = self._rng
        names = self._street_names.get(town.name)
        if not names:
            names = self._street_name_order(town.name)
            self._street_names[town.name] = names
        name = names.pop()
        kind = name.rsplit(" ", 1)[-1]
        # Closes and courts are short; roads and streets run long.
        capacity = (
            rng.randint(6, 30) if kind in {"Close", "Court", "Mews"} else rng.randint(20, 160)
        )
        return _Street(name, rng.choice(town.outward_codes), capacity)

    def _street_name_order(self, town_name: str) -> list[str]:
        """Every unused stem-kind pair for the town, in a weighted random order (popped last first).

        Efraimidis-Spirakis keys (u ** (1/weight)) give weighted sampling without replacement,
        so Roads come early and Mews late without ever repeating a name in a town.
        """
        generation = self._generation.get(town_name, 0)
        self._generation[town_name] = generation + 1
        qualifier = STREET_QUALIFIERS[generation % len(STREET_QUALIFIERS)]
        lap = generation // len(STREET_QUALIFIERS)
        suffix = f" {lap + 1}" if lap else ""  # only past millions of people in one town
        rng = self._rng
        keyed = [
            (rng.random() ** (1 / weight), f"{qualifier}{stem} {kind}{suffix}")
            for stem in STREET_STEMS
            for kind, weight in STREET_KINDS
        ]
        keyed.sort()
        return [name for _, name in keyed]

    def _next_inward(self, outward: str) -> str:
        codes = self._inward.get(outward)
        if not codes:
            # 4,000 inward codes per outward code, shuffled; reused only past millions of people.
            codes = [
                f"{d}{a}{b}" for d in range(10) for a in INWARD_LETTERS for b in INWARD_LETTERS
            ]
            self._rng.shuffle(codes)
            self._inward[outward] = codes
        return codes.pop()
