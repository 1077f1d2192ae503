"""The people of the county and their homes: the ground truth every extract is a view of.

Households are drawn one at a time (district by 2021 population, then town, then type) until
the county holds exactly the number of people asked for. On top of the household types:
some women are expecting (the unborn are people too: CP-IS covers unborn children on a
plan), some households moved recently (their old address is another household's now), some
young adults have left the family home, and a minority of adults have a police record.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from joinedup.synthetic.addresses import AddressBook
from joinedup.synthetic.households import (
    HOUSEHOLD_TYPES,
    HouseholdType,
    Member,
    older_couple,
    sharers,
    single_adult,
    single_older,
    single_parent,
)
from joinedup.synthetic.identity_numbers import IdentityIssuer
from joinedup.synthetic.model import Household, Person
from joinedup.synthetic.names import given_name
from joinedup.synthetic.options import CountyOptions
from joinedup.synthetic.places import DISTRICT_PLACES

PREGNANCY_RATE = 0.045  # women 18-44 heading or partnering a household, expecting on the day
MOVED_RATE = 0.10  # households that moved in the last few years, from another local address
LEFT_HOME_RATE = 0.35  # young adults living alone or sharing whose previous home was their family's
# Adults with a PNC record, by sex, then scaled by household type: about 7% of adults.
PNC_RATE = {"M": 0.11, "F": 0.03}
_PNC_SCALE: dict[HouseholdType, float] = {
    single_adult: 1.6,
    sharers: 1.6,
    single_parent: 1.4,
    single_older: 0.3,
    older_couple: 0.3,
}
_DAYS_A_YEAR = 365.2425


@dataclass(frozen=True, slots=True)
class Population:
    households: list[Household]
    people: list[Person]


def build_population(options: CountyOptions, rng: random.Random) -> Population:
    """Exactly options.people people, in households, with valid unique identifiers."""
    places = DISTRICT_PLACES
    place_weights = list(itertools.accumulate(place.population for place in places))
    town_weights = {
        place.code: list(itertools.accumulate(t.weight for t in place.towns)) for place in places
    }
    recipes = [recipe for recipe, _ in HOUSEHOLD_TYPES]
    recipe_weights = list(itertools.accumulate(weight for _, weight in HOUSEHOLD_TYPES))
    addresses = AddressBook(rng)
    issuer = IdentityIssuer(rng)
    households: list[Household] = []
    people: list[Person] = []
    homes_by_district: dict[str, list[str]] = {place.code: [] for place in places}
    family_homes: dict[str, list[tuple[str, str]]] = {place.code: [] for place in places}
    as_of = options.as_of
    academic_year = academic_year_of(as_of)

    while len(people) < options.people:
        place = places[_draw(rng, place_weights)]
        town = place.towns[_draw(rng, town_weights[place.code])]
        household_id = f"H{len(households) + 1:08d}"
        address, postcode = addresses.allocate(town)
        households.append(Household(household_id, address, postcode, place.code))
        recipe = recipes[_draw(rng, recipe_weights)]
        members = recipe(rng)
        members += _expected_babies(rng, members)
        members = members[: options.people - len(people)]

        moved_from: str | None = None
        earlier = homes_by_district[place.code]
        if earlier and rng.random() < MOVED_RATE:
            moved_from = rng.choice(earlier)
        left_home: str | None = None
        homes = family_homes[place.code]
        young = (members[0].age or 0) < 30
        if recipe in (single_adult, sharers) and young and homes and rng.random() < LEFT_HOME_RATE:
            # The young adult carries the family's name and was registered at the family home.
            left_home, members[0].family_name = rng.choice(homes)
        pnc_scale = _PNC_SCALE.get(recipe, 1.0)

        for index, member in enumerate(members):
            person_id = f"P{len(people) + 1:08d}"
            previous_home = left_home if index == 0 and left_home else moved_from
            people.append(
                _person(
                    rng,
                    issuer,
                    member,
                    person_id,
                    household_id,
                    previous_home,
                    as_of,
                    academic_year,
                    pnc_scale,
                )
            )
        earlier.append(household_id)
        children = [m for m in members if m.relationship == "child" and m.age is not None]
        if len(children) >= 1 and members[0].age and members[0].age >= 35:
            homes.append((household_id, children[0].family_name))

    return Population(households, people)


def _draw(rng: random.Random, cumulative: Sequence[float]) -> int:
    """The index of a weighted choice: rng.choices without its overhead."""
    return bisect.bisect(cumulative, rng.random() * cumulative[-1])


def school_entry_year(born: date) -> int:
    """The year a child starts reception: the September after their fourth birthday."""
    return born.year + (5 if born.month >= 9 else 4)


def academic_year_of(day: date) -> int:
    """The calendar year in which the school year containing this day began (September)."""
    return day.year if day.month >= 9 else day.year - 1


def _expected_babies(rng: random.Random, members: list[Member]) -> list[Member]:
    return [
        Member("child", "U", None, mother.family_name)
        for mother in members
        if mother.sex == "F"
        and mother.relationship in ("head", "partner")
        and mother.age is not None
        and 18 <= mother.age <= 44
        and rng.random() < PREGNANCY_RATE
    ]


def _person(
    rng: random.Random,
    issuer: IdentityIssuer,
    member: Member,
    person_id: str,
    household_id: str,
    previous_home: str | None,
    as_of: date,
    academic_year: int,
    pnc_scale: float,
) -> Person:
    if member.age is None:
        # Due within the next seven months: pregnancies are booked from about ten weeks.
        due = as_of + timedelta(days=rng.randint(7, 210))
        return Person(
            person_id,
            "Unborn",
            member.family_name,
            "U",
            None,
            due,
            household_id,
            member.relationship,
            None,
            None,
            None,
            None,
            None,
        )
    born = date.fromordinal(as_of.toordinal() - int((member.age + rng.random()) * _DAYS_A_YEAR))
    entry_year = school_entry_year(born)
    upn = issuer.upn(entry_year) if 0 <= academic_year - entry_year <= 13 else None
    pnc_id = None
    if member.age >= 18 and rng.random() < PNC_RATE[member.sex] * pnc_scale:
        pnc_id = issuer.pnc_id(born, as_of)
    return Person(
        person_id=person_id,
        given_name=given_name(rng, member.sex, born.year),
        family_name=member.family_name,
        sex=member.sex,
        date_of_birth=born,
        due_date=None,
        household_id=household_id,
        relationship=member.relationship,
        nhs_number=issuer.nhs_number(),
        upn=upn,
        pnc_id=pnc_id,
        previous_family_name=member.previous_family_name,
        previous_household_id=previous_home,
    )
