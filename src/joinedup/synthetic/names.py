"""Names as they are spread in England: who is called what, how often, and their nicknames.

Weights are relative frequencies shaped on the ONS baby-name and surname tables (invented
numbers, realistic shape). Term frequency matters to matching: a few surnames (Smith, Jones,
Taylor) are very common, and most people carry a rarer one from a long generated tail.
Given names follow the decade of birth: grandmothers are Margaret, granddaughters Olivia.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

from joinedup.synthetic import name_tables


@dataclass(frozen=True, slots=True)
class WeightedNames:
    names: tuple[str, ...]
    cumulative: tuple[float, ...]

    def draw(self, rng: random.Random) -> str:
        # What rng.choices does, without its per-call overhead (names are drawn millions of times).
        return self.names[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def _weighted(pairs: Sequence[tuple[str, float]]) -> WeightedNames:
    return WeightedNames(
        tuple(name for name, _ in pairs), tuple(itertools.accumulate(w for _, w in pairs))
    )


def _parse(table: str) -> list[tuple[str, float]]:
    """'Smith 126 Jones 75 ...' -> [("Smith", 126.0), ...]; '_' stands for a space in a name."""
    words = table.split()
    return [
        (name.replace("_", " "), float(weight))
        for name, weight in zip(words[::2], words[1::2], strict=True)
    ]


# The first year of each naming era, newest first.
_ERA_STARTS = (2010, 1990, 1965, 0)
_GIVEN: dict[tuple[int, str], WeightedNames] = {
    (start, sex): _weighted(_parse(table))
    for start, tables in zip(_ERA_STARTS, name_tables.GIVEN_BY_ERA, strict=True)
    for sex, table in zip(("M", "F"), tables, strict=True)
}

# Most people carry a surname outside the common list: the tail has about 1,800 of them.
RARE_SURNAME_SHARE = 0.65
_COMMON = _parse(name_tables.FAMILY)
_RARE = [
    f"{head}{tail}"
    for head in name_tables.RARE_HEADS.split()
    for tail in name_tables.RARE_TAILS.split()
]
_COMMON_TOTAL = sum(weight for _, weight in _COMMON)
_RARE_WEIGHT = _COMMON_TOTAL * RARE_SURNAME_SHARE / (1 - RARE_SURNAME_SHARE) / len(_RARE)
_FAMILY = _weighted(_COMMON + [(name, _RARE_WEIGHT) for name in _RARE])

# Given name -> the short forms people go by (Bill for William, Katie for Katherine).
NICKNAMES: dict[str, tuple[str, ...]] = {
    formal: tuple(short.split("/"))
    for formal, short in (entry.split("=") for entry in name_tables.NICKNAMES.split())
}


def given_name(rng: random.Random, sex: str, birth_year: int) -> str:
    """A given name for someone of this sex ("M" or "F") born in this year."""
    start = next(start for start in _ERA_STARTS if birth_year >= start)
    return _GIVEN[(start, "F" if sex == "F" else "M")].draw(rng)


def family_name(rng: random.Random) -> str:
    return _FAMILY.draw(rng)


def all_given_names() -> frozenset[str]:
    return frozenset(name for table in _GIVEN.values() for name in table.names)
