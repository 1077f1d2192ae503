"""The synthetic county's people and homes: deterministic, valid, shaped like Nottinghamshire."""

from __future__ import annotations

import collections
import re
from datetime import UTC, date, datetime

import pytest

from joinedup.synthetic import County, CountyOptions, Person, build_county, county_fingerprint

AS_OF = date(2026, 11, 27)
DISTRICT_OUTWARDS = {
    "ASH": {"NG15", "NG16", "NG17"},
    "BAS": {"S80", "S81", "DN10", "DN11", "DN22", "NG22"},
    "BRO": {"NG9", "NG16"},
    "GED": {"NG4", "NG5", "NG14"},
    "MAN": {"NG18", "NG19", "NG20"},
    "NEW": {"NG21", "NG22", "NG23", "NG24", "NG25"},
    "RUS": {"NG2", "NG11", "NG12", "NG13", "LE12"},
}


@pytest.fixture(scope="module")
def county() -> County:
    return build_county(CountyOptions(people=5_000))


# Independent checks of domain.md's identifier rules (not joinedup.identifiers, which builds them).
def _valid_nhs_number(number: str) -> bool:
    if not re.fullmatch(r"[0-9]{10}", number):
        return False
    check = 11 - sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True)) % 11
    return check != 10 and check % 11 == int(number[9])


def _valid_upn(upn: str) -> bool:
    alphabet = "ABCDEFGHJKLMNPQRTUVWXYZ"
    if not re.fullmatch(r"[A-Z][0-9]{12}", upn):
        return False
    return (
        alphabet[sum(int(c) * w for c, w in zip(upn[1:], range(2, 14), strict=True)) % 23] == upn[0]
    )


def _valid_pnc_id(pnc_id: str) -> bool:
    shape = re.fullmatch(r"([0-9]{4})/([0-9]{7})([A-Z])", pnc_id)
    if shape is None:
        return False
    year, serial, check = shape.groups()
    return "ZABCDEFGHJKLMNPQRTUVWXY"[(int(year) % 100 * 10**7 + int(serial)) % 23] == check


def _age(person: Person) -> int | None:
    born = person.date_of_birth
    if born is None:
        return None
    return AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))


# --- determinism ---------------------------------------------------------------------------


def test_the_same_seed_builds_an_identical_county() -> None:
    options = CountyOptions(seed=7, people=1_500)
    assert county_fingerprint(build_county(options)) == county_fingerprint(build_county(options))


def test_a_different_seed_builds_a_different_county() -> None:
    first = build_county(CountyOptions(seed=7, people=1_500))
    second = build_county(CountyOptions(seed=8, people=1_500))
    assert county_fingerprint(first) != county_fingerprint(second)
    assert [p.given_name for p in first.people[:50]] != [p.given_name for p in second.people[:50]]


# --- people and households -----------------------------------------------------------------


def test_the_county_holds_exactly_the_people_asked_for(county: County) -> None:
    assert len(county.people) == 5_000
    assert len({p.person_id for p in county.people}) == 5_000


def test_every_nhs_number_upn_and_pnc_id_in_the_truth_is_valid_and_unique(county: County) -> None:
    nhs = [p.nhs_number for p in county.people if p.nhs_number is not None]
    upns = [p.upn for p in county.people if p.upn is not None]
    pnc_ids = [p.pnc_id for p in county.people if p.pnc_id is not None]
    assert nhs and upns and pnc_ids
    assert all(_valid_nhs_number(n) for n in nhs)
    assert all(_valid_upn(u) for u in upns)
    assert all(_valid_pnc_id(p) for p in pnc_ids)
    assert len(set(nhs)) == len(nhs) and len(set(upns)) == len(upns)
    assert len(set(pnc_ids)) == len(pnc_ids)


def test_only_the_unborn_lack_an_nhs_number_and_only_school_age_children_have_a_upn(
    county: County,
) -> None:
    for person in county.people:
        unborn = person.date_of_birth is None
        assert (person.nhs_number is None) == unborn
        assert (person.due_date is not None) == unborn
        age = _age(person)
        if person.upn is not None:
            assert age is not None and 4 <= age <= 18
        if person.pnc_id is not None:
            assert age is not None and age >= 18


def test_about_a_fifth_of_people_are_children_and_a_few_hundredths_are_unborn(
    county: County,
) -> None:
    ages = [_age(p) for p in county.people]
    children = sum(1 for age in ages if age is not None and age < 18) / len(ages)
    unborn = sum(1 for age in ages if age is None)
    assert 0.19 <= children <= 0.26
    assert 15 <= unborn <= 70  # a few hundred in the default 50,000
    assert max(age for age in ages if age is not None) >= 90


def test_households_mix_single_people_couples_families_and_generations(county: County) -> None:
    sizes = collections.Counter(p.household_id for p in county.people)
    relationships = collections.Counter(p.relationship for p in county.people)
    assert 2.1 <= len(county.people) / len(county.households) <= 2.7
    assert sum(1 for size in sizes.values() if size == 1) / len(sizes) > 0.2
    assert max(sizes.values()) >= 6
    assert {"head", "partner", "child", "parent", "sibling", "other_adult"} <= set(relationships)
    assert relationships["head"] == len(county.households)


def test_a_few_surnames_are_very_common_and_many_are_rare(county: County) -> None:
    counts = collections.Counter(p.family_name for p in county.people).most_common()
    assert counts[0][0] == "Smith" and counts[0][1] > 0.01 * len(county.people)
    assert sum(1 for _, n in counts if n <= 3) > 300


def test_changed_names_and_moves_point_at_real_names_and_households(county: County) -> None:
    households = {h.household_id for h in county.households}
    changed = [p for p in county.people if p.previous_family_name is not None]
    moved = [p for p in county.people if p.previous_household_id is not None]
    assert len(changed) > 0.1 * len(county.people) and len(moved) > 0.05 * len(county.people)
    assert all(p.previous_household_id in households for p in moved)
    assert all(p.previous_household_id != p.household_id for p in moved)


def test_addresses_are_unique_and_postcodes_are_valid_for_their_district(county: County) -> None:
    assert len({h.address for h in county.households}) == len(county.households)
    for household in county.households:
        outward, inward = household.postcode.split(" ")
        assert outward in DISTRICT_OUTWARDS[household.district_code], household
        assert re.fullmatch(r"[0-9][ABD-HJLNP-UW-Z]{2}", inward), household


# --- options -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"people": 99}, "people must be at least 100"),
        ({"people": 20_000_001}, "people must be at most"),
        ({"people": 1.5}, "people must be a whole number"),
        ({"seed": "abc"}, "seed must be a whole number"),
        ({"noise": -0.1}, "noise must be between 0"),
        ({"noise": float("nan")}, "noise must be between 0"),
        ({"noise": "high"}, "noise must be a number"),
        ({"low_adoption_district": "Nottingham"}, "must be one of the seven districts"),
        ({"as_of": datetime(2026, 11, 27, 9, 0, tzinfo=UTC)}, "as_of must be a date"),
    ],
)
def test_options_refuse_values_that_make_no_county(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        CountyOptions(**changes)  # type: ignore[arg-type]


def test_the_defaults_describe_the_documented_county() -> None:
    options = CountyOptions()
    assert (options.seed, options.people, options.noise) == (20261127, 50_000, 1.0)
    assert options.low_adoption_district == "Bassetlaw"
