"""Building a whole synthetic county from its options, and fingerprinting one.

Each part draws from its own random stream, seeded from the county seed and the part's name,
so changing how (say) staff are drawn leaves the people and extracts of a seed unchanged, and
a bigger county does not reshuffle the directory more than its size demands.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import random
from collections.abc import Iterable, Iterator

from joinedup.synthetic.agencies import build_agencies, build_districts, build_teams
from joinedup.synthetic.coverage import who_knows_whom
from joinedup.synthetic.extracts import build_extracts
from joinedup.synthetic.model import County, GroundTruth
from joinedup.synthetic.noise import NoiseRates
from joinedup.synthetic.options import CountyOptions
from joinedup.synthetic.population import build_population
from joinedup.synthetic.staff import build_professionals, choose_demo_sign_ins

DEFAULT_OPTIONS = CountyOptions()


def build_county(options: CountyOptions = DEFAULT_OPTIONS) -> County:
    """The county the options describe. The same options always give an identical county."""
    with _collector_paused():
        return _build(options)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of acyclic objects are made.

    Each full collection walks every live object; during a build they all survive, so the
    walks find nothing and made a million-person build a fifth slower and worse than linear.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build(options: CountyOptions) -> County:

    def stream(part: str) -> random.Random:
        # A string seed is hashed with SHA-512, so streams do not depend on PYTHONHASHSEED.
        return random.Random(f"joinedup-county:{options.seed}:{part}")

    districts = build_districts(options, stream("districts"))
    agencies = build_agencies(options, stream("agencies"))
    teams = build_teams(agencies)
    professionals = build_professionals(options, stream("staff"), districts, agencies)
    population = build_population(options, stream("people"))
    households = {household.household_id: household for household in population.households}
    known = who_knows_whom(
        population.people, population.households, agencies, options.as_of, stream("coverage")
    )
    rates = NoiseRates().scaled(options.noise)
    extracts, record_to_person = build_extracts(
        population.people, households, agencies, known, rates, stream("extracts"), options.as_of
    )
    truth = GroundTruth(
        record_to_person=record_to_person,
        person_to_household={p.person_id: p.household_id for p in population.people},
    )
    return County(
        districts=districts,
        agencies=agencies,
        teams=teams,
        professionals=professionals,
        demo_sign_ins=choose_demo_sign_ins(professionals, agencies),
        households=population.households,
        people=population.people,
        extracts=extracts,
        truth=truth,
    )


def county_fingerprint(county: County) -> str:
    """A SHA-256 over everything in the county: equal fingerprints mean identical counties."""
    digest = hashlib.sha256()

    def feed(label: str, items: Iterable[object]) -> None:
        digest.update(label.encode())
        for item in items:
            # Dataclass reprs list every field in order; dates and enums repr stably.
            digest.update(repr(item).encode())
            digest.update(b"\n")

    feed("districts", county.districts)
    feed("agencies", county.agencies)
    feed("teams", county.teams)
    feed("professionals", county.professionals)
    feed("demo_sign_ins", county.demo_sign_ins)
    feed("households", county.households)
    feed("people", county.people)
    for code, records in county.extracts.items():
        feed(f"extract:{code}", records)
    feed("record_to_person", county.truth.record_to_person.items())
    feed("person_to_household", county.truth.person_to_household.items())
    return digest.hexdigest()
