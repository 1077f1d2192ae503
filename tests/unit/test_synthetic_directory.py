"""The synthetic county's directory: districts, agencies, teams, professionals, demo sign-ins."""

from __future__ import annotations

import random
import re

import pytest

from joinedup.directory.rules import AgencyKind, Role
from joinedup.synthetic import County, CountyOptions, build_county
from joinedup.synthetic.agencies import build_agencies, build_districts
from joinedup.synthetic.staff import build_professionals

MASH_PARTNER_KINDS = {
    AgencyKind.POLICE,
    AgencyKind.PROBATION,
    AgencyKind.ACUTE_TRUST,
    AgencyKind.COMMUNITY_HEALTH,
    AgencyKind.MENTAL_HEALTH,
    AgencyKind.CHILDRENS_SOCIAL_CARE,
    AgencyKind.ADULT_SOCIAL_CARE,
    AgencyKind.SCHOOL,
}


@pytest.fixture(scope="module")
def county() -> County:
    return build_county(CountyOptions(people=3_000))


def _kinds(county: County) -> dict[str, AgencyKind]:
    return {agency.code: agency.kind for agency in county.agencies}


# --- the directory -------------------------------------------------------------------------


def test_the_county_has_the_seven_nottinghamshire_districts(county: County) -> None:
    assert [d.name for d in county.districts] == [
        "Ashfield",
        "Bassetlaw",
        "Broxtowe",
        "Gedling",
        "Mansfield",
        "Newark and Sherwood",
        "Rushcliffe",
    ]
    adoption = {d.name: d.adoption for d in county.districts}
    assert adoption.pop("Bassetlaw") == pytest.approx(0.05)
    assert all(0.55 <= rate <= 0.9 for rate in adoption.values())


def test_every_kind_of_agency_is_in_the_county_and_codes_are_unique(county: County) -> None:
    assert {a.kind for a in county.agencies} == set(AgencyKind)
    assert len({a.code for a in county.agencies}) == len(county.agencies)
    assert all(re.fullmatch(r"[A-Z0-9-]+", a.code) for a in county.agencies)
    for district in county.districts:
        kinds = {a.kind for a in county.agencies if a.district_code == district.code}
        assert {
            AgencyKind.GP_PRACTICE,
            AgencyKind.SCHOOL,
            AgencyKind.HOUSING,
            AgencyKind.VOLUNTARY,
        } <= kinds


def test_every_role_is_held_by_someone(county: County) -> None:
    held = {role for p in county.professionals for role in p.roles}
    assert held == set(Role)
    assert sum(Role.ADMINISTRATOR in p.roles for p in county.professionals) == 1
    assert sum(Role.SYSTEM_LEADER in p.roles for p in county.professionals) >= 2


def test_every_agency_has_an_ig_lead_and_referrers(county: County) -> None:
    for agency in county.agencies:
        staff = [p for p in county.professionals if p.agency_code == agency.code]
        assert sum(Role.IG_LEAD in p.roles for p in staff) == 1, agency.code
        assert any(Role.REFERRER in p.roles for p in staff), agency.code


def test_mash_partners_second_practitioners_and_social_care_supplies_managers(
    county: County,
) -> None:
    kinds = _kinds(county)
    practitioner_kinds = {
        kinds[p.agency_code] for p in county.professionals if Role.MASH_PRACTITIONER in p.roles
    }
    manager_agencies = {p.agency_code for p in county.professionals if Role.MASH_MANAGER in p.roles}
    assert practitioner_kinds == MASH_PARTNER_KINDS
    assert "NCC-CSC" in manager_agencies


def test_there_are_a_few_hundred_professionals_with_unique_example_emails() -> None:
    # The directory alone, at the default size: building 50,000 people here would be slow.
    options = CountyOptions(people=50_000)
    districts = build_districts(options, random.Random(1))
    agencies = build_agencies(options, random.Random(2))
    professionals = build_professionals(options, random.Random(3), districts, agencies)
    assert 300 <= len(professionals) <= 600
    emails = [p.email for p in professionals]
    assert len(set(emails)) == len(emails)
    assert all(
        e == e.lower() and re.fullmatch(r"[a-z-]+\.[a-z-]+[0-9]*@[a-z0-9.-]+\.example", e)
        for e in emails
    )


def test_professionals_in_the_low_adoption_district_mostly_do_not_use_the_hub(
    county: County,
) -> None:
    def share(people: list[bool]) -> float:
        return sum(people) / len(people)

    bassetlaw = [p.uses_hub for p in county.professionals if p.district_code == "BAS"]
    elsewhere = [p.uses_hub for p in county.professionals if p.district_code not in (None, "BAS")]
    assert share(bassetlaw) < 0.2
    assert share(elsewhere) > 0.55


def test_the_low_adoption_district_is_an_option() -> None:
    county = build_county(CountyOptions(people=500, low_adoption_district="Gedling"))
    adoption = {d.name: d.adoption for d in county.districts}
    assert adoption["Gedling"] == pytest.approx(0.05)
    assert adoption["Bassetlaw"] >= 0.55


def test_demo_sign_ins_are_one_per_role_at_each_kind_of_agency_that_has_it(
    county: County,
) -> None:
    kinds = _kinds(county)
    existing = {(role, kinds[p.agency_code]) for p in county.professionals for role in p.roles}
    chosen = [(role, kinds[p.agency_code]) for p in county.demo_sign_ins for role in p.roles]
    assert set(chosen) == existing
    assert len(county.demo_sign_ins) == len({p.email for p in county.demo_sign_ins})
    assert all(p in county.professionals for p in county.demo_sign_ins)


def test_teams_belong_to_agencies_and_staff_belong_to_their_agencys_teams(county: County) -> None:
    teams = {t.code: t for t in county.teams}
    assert {"NCC-CSC-MASH", "NOTTS-POLICE-PPU", "ACUTE-SHERWOOD-SG"} <= set(teams)
    for professional in county.professionals:
        if professional.team_code is not None:
            assert teams[professional.team_code].agency_code == professional.agency_code
