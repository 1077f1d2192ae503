"""Who each agency knows: the people behind the rows of each extract, before any noise.

Involvement clusters, as in life and in serious case reviews: a few households (about 6%,
more where an adult has a police record or a lone parent struggles) are "high need" and
known to police, social care, housing, mental health and the voluntary sector far more
often than their neighbours. Rates are chances per person (or per household where an agency
works with whole households) and are not scaled by the noise option:

Each line reads "who: chance (chance in a high-need household)":

- GP practice: everyone born 0.97, most of a household at the same practice (0.85)
- school (primary to year 6, then secondary): reception to year 11 0.99; years 12-13 0.60
- council education service: school-age children not at school, all; others 0 (0.10)
- police: adults with a PNC ID, all; other adults 0.05 (0.35); 10-17s 0.03 (0.30);
  under-10s 0.01 (0.25)
- probation: adults with a PNC ID 0.35 (0.50)
- acute trust (north or south by district): everyone 0.30, x1.5 under-5s, x2 over-65s
  (all x1.5); the unborn 0.90 (maternity)
- community health: under-5s 0.95; the unborn 0.50; 5-17s 0.08; 75+ 0.30; others 0.03
  (x2 from age 5)
- mental health: 12-17s 0.03, adults 0.05 (x3)
- ambulance: everyone 0.05, 75+ 0.25 (x2)
- fire and rescue, by household: over-65s 0.12, others 0.01 (0.15); then every adult and
  half the children
- children's social care: children 0.03 (0.45); the unborn 0.04 (0.60); then adults living
  with a known child 0.80
- adult social care: 75+ 0.20 (0.30); 65-74 0.10 (0.30); 18-64 0.015 (0.10)
- housing, by household: 0.12 (0.50); then every adult and 70% of the children
- voluntary, by household: 0.02 (0.25); then 80% of the members
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from joinedup.directory.rules import AgencyKind
from joinedup.synthetic.agencies import (
    ACUTE_BY_AREA,
    ADULT_SOCIAL_CARE,
    CHILDRENS_SOCIAL_CARE,
    EDUCATION,
)
from joinedup.synthetic.model import Agency, Household, Person
from joinedup.synthetic.places import DISTRICT_PLACES
from joinedup.synthetic.population import academic_year_of, school_entry_year

HIGH_NEED_RATE = 0.06
SAME_PRACTICE_RATE = 0.85  # households registered together at one GP practice


def _households(people: list[Person]) -> Iterator[list[int]]:
    """Indexes of each household's members: population.py keeps a household's people together."""
    start = 0
    for end in range(1, len(people) + 1):
        if end == len(people) or people[end].household_id != people[start].household_id:
            yield list(range(start, end))
            start = end


def who_knows_whom(
    people: list[Person],
    households: list[Household],
    agencies: list[Agency],
    as_of: date,
    rng: random.Random,
) -> dict[str, list[int]]:
    """Agency code -> indexes into people of everyone that agency holds a record about."""
    known: dict[str, list[int]] = defaultdict(list)
    by_district: dict[tuple[str | None, AgencyKind, str], list[str]] = defaultdict(list)
    for agency in agencies:
        phase = agency.code.rsplit("-", 1)[-1][:1] if agency.kind is AgencyKind.SCHOOL else ""
        by_district[(agency.district_code, agency.kind, phase)].append(agency.code)
    area = {place.code: ACUTE_BY_AREA[place.acute_trust] for place in DISTRICT_PLACES}
    district_of = {household.household_id: household.district_code for household in households}
    academic_year = academic_year_of(as_of)
    today = as_of.toordinal()
    r = rng.random

    for members in _households(people):
        district = district_of[people[members[0]].household_id]
        ages = [_age(people[i].date_of_birth, today) for i in members]
        has_record = any(people[i].pnc_id for i in members)
        lone_parent = not any(people[i].relationship == "partner" for i in members) and any(
            age is not None and age < 18 for age in ages
        )
        need = HIGH_NEED_RATE * (3 if has_record else 1) * (2 if lone_parent else 1)
        high = r() < need
        practices = by_district[(district, AgencyKind.GP_PRACTICE, "")]
        practice = rng.choice(practices)
        primary = rng.choice(by_district[(district, AgencyKind.SCHOOL, "P")])
        secondary = rng.choice(by_district[(district, AgencyKind.SCHOOL, "S")])
        oldest = max((age for age in ages if age is not None), default=0)
        fire = r() < (0.15 if high else 0.12 if oldest >= 65 else 0.01)
        housing = r() < (0.5 if high else 0.12)
        voluntary = r() < (0.25 if high else 0.02)
        csc_child = False
        for i, age in zip(members, ages, strict=True):
            person = people[i]
            if age is None:  # unborn: maternity, health visiting, pre-birth assessment
                if r() < 0.9:
                    known[area[district]].append(i)
                if r() < 0.5:
                    known["NOTTS-COMMUNITY"].append(i)
                if r() < (0.6 if high else 0.04):
                    known[CHILDRENS_SOCIAL_CARE].append(i)
                    csc_child = True
                continue
            adult = age >= 18
            if r() < 0.97:
                known[practice if r() < SAME_PRACTICE_RATE else rng.choice(practices)].append(i)
            if person.upn is not None and person.date_of_birth is not None:
                year_group = academic_year - school_entry_year(person.date_of_birth)
                at_school = r() < (0.99 if year_group <= 11 else 0.60)
                if at_school:
                    known[primary if year_group <= 6 else secondary].append(i)
                if (not at_school and year_group <= 11) or r() < (0.10 if high else 0.0):
                    known[EDUCATION].append(i)
            if person.pnc_id or r() < (
                (0.35 if high else 0.05)
                if adult
                else (0.30 if high else 0.03)
                if age >= 10
                else (0.25 if high else 0.01)
            ):
                known["NOTTS-POLICE"].append(i)
            if person.pnc_id and r() < (0.5 if high else 0.35):
                known["EM-PROBATION"].append(i)
            boost = 1.5 if high else 1.0
            acute = 0.30 * boost * (1.5 if age < 5 else 2 if age >= 65 else 1)
            if r() < acute:
                known[area[district]].append(i)
            community = 0.95 if age < 5 else 0.08 if age < 18 else 0.30 if age >= 75 else 0.03
            if r() < community * (2 if high and age >= 5 else 1):
                known["NOTTS-COMMUNITY"].append(i)
            if age >= 12 and r() < (0.05 if adult else 0.03) * (3 if high else 1):
                known["NOTTS-MH"].append(i)
            if r() < (0.25 if age >= 75 else 0.05) * (2 if high else 1):
                known["EM-AMBULANCE"].append(i)
            if fire and (adult or r() < 0.5):
                known["NOTTS-FIRE"].append(i)
            if not adult and r() < (0.45 if high else 0.03):
                known[CHILDRENS_SOCIAL_CARE].append(i)
                csc_child = True
            if adult and r() < (
                (0.30 if high else 0.20)
                if age >= 75
                else (0.30 if high else 0.10)
                if age >= 65
                else (0.10 if high else 0.015)
            ):
                known[ADULT_SOCIAL_CARE].append(i)
            if housing and (adult or r() < 0.7):
                known[f"HOUSING-{district}"].append(i)
            if voluntary and r() < 0.8:
                known[f"VCS-{district}"].append(i)
        if csc_child:
            # Social care records the parents and carers of every child it works with.
            known[CHILDRENS_SOCIAL_CARE].extend(
                i
                for i, age in zip(members, ages, strict=True)
                if age is not None and age >= 18 and r() < 0.8
            )
    return {agency.code: known.get(agency.code, []) for agency in agencies}


def _age(born: date | None, today: int) -> int | None:
    return None if born is None else int((today - born.toordinal()) / 365.2425)
