"""The options for building a synthetic county, validated when they are made.

Every option (defaults in brackets):

- ``seed`` (20261127): the whole county follows from it; the same options give the same county.
- ``people`` (50,000): how many people live in the county, the unborn included. The directory
  grows mildly with it (about the square root); households, people and extracts grow linearly.
  The real county has about 830,000 people; benchmarks may ask for millions.
- ``noise`` (1.0): multiplies every noise rate in ``noise.py`` (each capped at 1). 0 gives clean
  extracts: every record then equals the truth about its person in each field its agency holds.
- ``low_adoption_district`` ("Bassetlaw"): the district whose professionals barely use the hub
  (adoption 0.05); the others adopt at 0.55-0.9. The name of one of the seven districts.
- ``as_of`` (27 November 2026): the day the extracts were taken. Ages, school years and due
  dates are worked out from it, never from the machine's clock, so a county never drifts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from joinedup.synthetic.places import DISTRICT_PLACES

MIN_PEOPLE = 100
# Past this a build takes many minutes and tens of gigabytes: almost certainly a typo.
MAX_PEOPLE = 20_000_000
# Rates are capped at 1, so more noise than this changes nothing further.
MAX_NOISE = 10.0


@dataclass(frozen=True, slots=True)
class CountyOptions:
    seed: int = 20261127
    people: int = 50_000
    noise: float = 1.0
    low_adoption_district: str = "Bassetlaw"
    as_of: date = date(2026, 11, 27)

    def __post_init__(self) -> None:
        # bool is an int in Python; True as a seed or a head count is a mistake, not a number.
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise ValueError(f"seed must be a whole number, got {self.seed!r}")
        if not isinstance(self.people, int) or isinstance(self.people, bool):
            raise ValueError(f"people must be a whole number, got {self.people!r}")
        if self.people < MIN_PEOPLE:
            raise ValueError(
                f"people must be at least {MIN_PEOPLE} (every agency needs someone to know), "
                f"got {self.people}"
            )
        if self.people > MAX_PEOPLE:
            raise ValueError(f"people must be at most {MAX_PEOPLE:,}, got {self.people:,}")
        if isinstance(self.noise, bool) or not isinstance(self.noise, int | float):
            raise ValueError(f"noise must be a number, got {self.noise!r}")
        if not math.isfinite(self.noise) or not 0 <= self.noise <= MAX_NOISE:
            raise ValueError(
                f"noise must be between 0 (clean) and {MAX_NOISE:g}, got {self.noise!r}"
            )
        names = [place.name for place in DISTRICT_PLACES]
        if self.low_adoption_district not in names:
            raise ValueError(
                f"low_adoption_district must be one of the seven districts ({', '.join(names)}), "
                f"got {self.low_adoption_district!r}"
            )
        # A datetime is a date to isinstance, but a naive one would bring a clock time in.
        if not isinstance(self.as_of, date) or isinstance(self.as_of, datetime):
            raise ValueError(f"as_of must be a date (not a datetime), got {self.as_of!r}")
