"""What a synthetic county is made of: the directory, the people, and what agencies hold.

Plain dataclasses and nothing else: the loader maps these onto the ORM, the writer onto CSV
files, and the tests compare them. Optional values are None, never "" (the CSV files write None
as an empty string). Treat them all as read-only. The directory's are frozen; households,
people and extract records are not, only because a frozen dataclass costs about 3
microseconds more to create, which is over ten seconds for a county of a million people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from joinedup.directory.rules import AgencyKind, Role

# "U" is only for the unborn: their sex is not yet recorded.
Sex = Literal["F", "M", "U"]
# How a person is related to the head of their household (the head is "head").
Relationship = Literal["head", "partner", "child", "grandchild", "parent", "sibling", "other_adult"]


@dataclass(frozen=True, slots=True)
class District:
    code: str  # "ASH", "BAS", ...: used inside agency codes
    name: str
    # The share of the district's professionals who actually use the hub ("systems move at
    # the speed of trust"): the low-adoption district is the founding observation made data.
    adoption: float


@dataclass(frozen=True, slots=True)
class Agency:
    code: str  # stable uppercase slug, e.g. "NOTTS-POLICE", "GP-ASH-01"
    name: str
    kind: AgencyKind
    district_code: str | None  # None for county-wide agencies


@dataclass(frozen=True, slots=True)
class Team:
    code: str
    agency_code: str
    name: str


@dataclass(frozen=True, slots=True)
class Professional:
    email: str  # unique, lower case, on a domain ending ".example"
    given_name: str
    family_name: str
    agency_code: str
    team_code: str | None
    job_title: str
    roles: tuple[Role, ...]
    district_code: str | None  # None for staff of county-wide agencies
    uses_hub: bool


@dataclass(slots=True)  # not frozen: see the module docstring
class Household:
    household_id: str  # "H00000001"
    address: str  # "Flat 2, 14 Station Road, Worksop"
    postcode: str  # "S80 1AB"
    district_code: str


@dataclass(slots=True)  # not frozen: see the module docstring
class Person:
    """One real person (the ground truth that every agency's record is a view of)."""

    person_id: str  # "P00000001"
    given_name: str  # "Unborn" for an unborn child, as council systems record them
    family_name: str
    sex: Sex
    date_of_birth: date | None  # None only for the unborn
    due_date: date | None  # set only for the unborn
    household_id: str
    relationship: Relationship
    nhs_number: str | None  # 10 digits, valid check digit; None for the unborn
    upn: str | None  # children in reception to year 13 only
    pnc_id: str | None  # "YYYY/NNNNNNNC", a minority of adults
    previous_family_name: str | None  # before marriage or separation
    previous_household_id: str | None  # where they lived before they moved


@dataclass(slots=True)  # not frozen: see the module docstring
class ExtractRecord:
    """One row of an agency's person extract: exactly the columns of the extract CSV schema."""

    record_id: str  # unique within its source, in the agency's own style
    source: str  # agency code
    given_name: str
    family_name: str
    other_names: str | None  # former names the agency knows of
    date_of_birth: date | None
    sex: Sex
    address: str
    postcode: str
    nhs_number: str | None
    upn: str | None  # schools (and the council's education service) only
    pnc_id: str | None  # police only
    local_id: str  # the agency's own person number; a duplicate record has its own
    household_ref: str | None  # the agency's own household/family reference, where it keeps one


# The extract CSV header, in schema order: the field order above, which the files follow.
EXTRACT_COLUMNS: tuple[str, ...] = ExtractRecord.__match_args__


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """Who each record really is, kept apart from the extracts: for evaluating matching."""

    record_to_person: dict[tuple[str, str], str]  # (source, record_id) -> person_id
    person_to_household: dict[str, str]  # person_id -> household_id


@dataclass(frozen=True, slots=True)
class County:
    districts: list[District]
    agencies: list[Agency]
    teams: list[Team]
    professionals: list[Professional]
    demo_sign_ins: list[Professional]
    households: list[Household]
    people: list[Person]
    extracts: dict[str, list[ExtractRecord]]  # agency code -> records; every agency, maybe []
    truth: GroundTruth
