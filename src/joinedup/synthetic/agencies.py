"""The partner agencies of the county MASH, their teams, and how far each district trusts the hub.

County-wide partners are one each (two acute trusts: north and south of the county); every
district has its own GP practices, primary and secondary schools, a district council housing
service and a voluntary-sector service. Names are invented: streets and trees, never a real
school or practice. The number of practices and schools grows with the square root of the
population, so a million-person county has a few hundred agencies, not thousands.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from functools import partial

from joinedup.directory.rules import AgencyKind
from joinedup.synthetic.model import Agency, District, Team
from joinedup.synthetic.options import CountyOptions
from joinedup.synthetic.places import DISTRICT_PLACES, STREET_STEMS

LOW_ADOPTION = 0.05
ADOPTION_RANGE = (0.55, 0.90)

ACUTE_BY_AREA = {"north": "ACUTE-SHERWOOD", "south": "ACUTE-TRENT"}
CHILDRENS_SOCIAL_CARE = "NCC-CSC"
ADULT_SOCIAL_CARE = "NCC-ASC"  # the MASH host
EDUCATION = "NCC-EDUCATION"

COUNTY_AGENCIES: tuple[Agency, ...] = (
    Agency("NOTTS-POLICE", "Nottinghamshire Police", AgencyKind.POLICE, None),
    Agency("EM-PROBATION", "Probation Service East Midlands", AgencyKind.PROBATION, None),
    Agency("NOTTS-FIRE", "Nottinghamshire Fire and Rescue Service", AgencyKind.FIRE_RESCUE, None),
    Agency("EM-AMBULANCE", "East Midlands Ambulance Service NHS Trust", AgencyKind.AMBULANCE, None),
    Agency(
        "NOTTS-MH",
        "Trent Valley Mental Health NHS Foundation Trust",
        AgencyKind.MENTAL_HEALTH,
        None,
    ),
    Agency(
        "NOTTS-COMMUNITY",
        "Nottinghamshire Community Health NHS Trust",
        AgencyKind.COMMUNITY_HEALTH,
        None,
    ),
    Agency(
        "ACUTE-SHERWOOD",
        "Sherwood Vale Hospitals NHS Foundation Trust",
        AgencyKind.ACUTE_TRUST,
        None,
    ),
    Agency("ACUTE-TRENT", "Trentside University Hospitals NHS Trust", AgencyKind.ACUTE_TRUST, None),
    Agency(
        CHILDRENS_SOCIAL_CARE,
        "Nottinghamshire County Council Children's Social Care",
        AgencyKind.CHILDRENS_SOCIAL_CARE,
        None,
    ),
    Agency(
        ADULT_SOCIAL_CARE,
        "Nottinghamshire County Council Adult Social Care",
        AgencyKind.ADULT_SOCIAL_CARE,
        None,
    ),
    # The education safeguarding service speaks for schools in the MASH and keeps the
    # children-missing-education register; it is the council, but of the school kind.
    Agency(
        EDUCATION,
        "Nottinghamshire County Council Education Safeguarding Service",
        AgencyKind.SCHOOL,
        None,
    ),
)

# What each team is for, so staff.py knows whom to put where:
# "front" (referrers), "mash" (MASH practitioners and managers), "partnership" (system
# leaders), "support" (the administrator).
TEAM_PLAN: dict[str, tuple[tuple[str, str, str], ...]] = {
    "NOTTS-POLICE": (
        ("PPU", "Public Protection Unit", "front"),
        ("MASH", "MASH", "mash"),
        ("NBH", "Response and Neighbourhood Policing", "front"),
    ),
    "EM-PROBATION": (
        ("PDU", "Nottinghamshire Probation Delivery Unit", "front"),
        ("MASH", "MASH", "mash"),
    ),
    "NOTTS-FIRE": (("PREV", "Prevention and Safe and Well", "front"),),
    "EM-AMBULANCE": (
        ("EOC", "Emergency Operations", "front"),
        ("SG", "Safeguarding Team", "front"),
    ),
    "NOTTS-MH": (
        ("CRISIS", "Crisis Resolution and Home Treatment", "front"),
        ("SG", "Safeguarding Team", "mash"),
    ),
    "NOTTS-COMMUNITY": (
        ("HV", "Health Visiting", "front"),
        ("SN", "School Nursing", "front"),
        ("SG", "Safeguarding Team", "mash"),
    ),
    "ACUTE-SHERWOOD": (
        ("ED", "Emergency Department", "front"),
        ("MAT", "Maternity", "front"),
        ("SG", "Safeguarding Team", "mash"),
    ),
    "ACUTE-TRENT": (
        ("ED", "Emergency Department", "front"),
        ("MAT", "Maternity", "front"),
        ("SG", "Safeguarding Team", "mash"),
    ),
    CHILDRENS_SOCIAL_CARE: (
        ("MASH", "MASH", "mash"),
        ("ASSESS", "Assessment Team", "front"),
        ("PARTNERSHIP", "Safeguarding Partnership", "partnership"),
        ("SUPPORT", "MASH Business Support", "support"),
    ),
    ADULT_SOCIAL_CARE: (
        ("MASH", "MASH (Adults)", "mash"),
        ("SG", "Adult Safeguarding Team", "front"),
    ),
    EDUCATION: (("SG", "Education Safeguarding Team", "mash"),),
}

_COUNCILS = {
    "ASH": "Ashfield District Council",
    "BAS": "Bassetlaw District Council",
    "BRO": "Broxtowe Borough Council",
    "GED": "Gedling Borough Council",
    "MAN": "Mansfield District Council",
    "NEW": "Newark and Sherwood District Council",
    "RUS": "Rushcliffe Borough Council",
}
_VOLUNTARY = (
    "Family Support Network",
    "Community Aid Trust",
    "Domestic Abuse Support",
    "Young People's Project",
    "Carers' Link",
    "Befriending Service",
    "Women's Centre",
)
_PRACTICE_KINDS = ("Surgery", "Medical Centre", "Health Centre", "Medical Practice")
_SAINTS = (
    "Mary",
    "John",
    "Peter",
    "Andrew",
    "Anne",
    "Joseph",
    "Luke",
    "Wilfrid",
    "Edmund",
    "Patrick",
    "Margaret",
    "Augustine",
    "Swithun",
    "Giles",
    "Helen",
    "Michael",
)


def build_districts(options: CountyOptions, rng: random.Random) -> list[District]:
    districts = []
    for place in DISTRICT_PLACES:
        adoption = round(rng.uniform(*ADOPTION_RANGE), 2)
        if place.name == options.low_adoption_district:
            adoption = LOW_ADOPTION
        districts.append(District(place.code, place.name, adoption))
    return districts


def build_agencies(options: CountyOptions, rng: random.Random) -> list[Agency]:
    scale = math.sqrt(options.people / 50_000)
    practices, primaries, secondaries = (max(1, round(n * scale)) for n in (3, 4, 2))
    taken: set[str] = set()
    agencies = list(COUNTY_AGENCIES)
    for index, place in enumerate(DISTRICT_PLACES):
        code = place.code
        towns = [town.name for town in place.towns]
        for n in range(1, practices + 1):
            name = _unique(taken, partial(_practice_name, rng))
            agencies.append(Agency(f"GP-{code}-{n:02d}", name, AgencyKind.GP_PRACTICE, code))
        for n in range(1, primaries + 1):
            name = _unique(taken, partial(_primary_name, rng, towns))
            agencies.append(Agency(f"SCH-{code}-P{n:02d}", name, AgencyKind.SCHOOL, code))
        for n in range(1, secondaries + 1):
            name = _unique(taken, partial(_secondary_name, rng, towns))
            agencies.append(Agency(f"SCH-{code}-S{n:02d}", name, AgencyKind.SCHOOL, code))
        agencies.append(
            Agency(
                f"HOUSING-{code}", f"{_COUNCILS[code]} Housing Service", AgencyKind.HOUSING, code
            )
        )
        voluntary = f"{place.name} {_VOLUNTARY[index % len(_VOLUNTARY)]}"
        agencies.append(Agency(f"VCS-{code}", voluntary, AgencyKind.VOLUNTARY, code))
    return agencies


def build_teams(agencies: list[Agency]) -> list[Team]:
    return [
        Team(f"{agency.code}-{suffix}", agency.code, name)
        for agency in agencies
        for suffix, name, _ in TEAM_PLAN.get(agency.code, ())
    ]


def _practice_name(rng: random.Random) -> str:
    return f"{rng.choice(STREET_STEMS)} {rng.choice(_PRACTICE_KINDS)}"


def _primary_name(rng: random.Random, towns: list[str]) -> str:
    style = rng.random()
    if style < 0.2:
        church = rng.choice(("C of E", "Catholic"))
        return f"St {rng.choice(_SAINTS)}'s {church} Primary School"
    if style < 0.35:
        return f"{rng.choice(towns)} {rng.choice(STREET_STEMS)} Infant and Junior School"
    return f"{rng.choice(STREET_STEMS)} {rng.choice(('Road', 'Lane', 'Park'))} Primary School"


def _secondary_name(rng: random.Random, towns: list[str]) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(towns)} {rng.choice(STREET_STEMS)} Academy"
    return f"The {rng.choice(STREET_STEMS)} School"


def _unique(taken: set[str], make: Callable[[], str]) -> str:
    for attempt in range(1000):
        name = make()
        if attempt > 50:
            name = f"{name} {attempt}"  # only for counties far beyond real size
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("could not invent a unique agency name")
