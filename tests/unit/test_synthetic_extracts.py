"""The synthetic county's extracts: who each agency knows, the noise, the truth and the files."""

from __future__ import annotations

import collections
import csv
import re
from datetime import date
from pathlib import Path

import pytest

from joinedup.directory.rules import AgencyKind
from joinedup.synthetic import (
    EXTRACT_COLUMNS,
    County,
    CountyOptions,
    NoiseRates,
    Person,
    build_county,
    write_county,
)
from joinedup.synthetic import noise as noise_module
from joinedup.synthetic.names import NICKNAMES


@pytest.fixture(scope="module")
def county() -> County:
    return build_county(CountyOptions(people=5_000))


@pytest.fixture(scope="module")
def clean_county() -> County:
    return build_county(CountyOptions(people=2_000, noise=0))


def _people(county: County) -> dict[str, Person]:
    return {person.person_id: person for person in county.people}


def _kinds(county: County) -> dict[str, AgencyKind]:
    return {agency.code: agency.kind for agency in county.agencies}


# --- extracts ------------------------------------------------------------------------------


def test_the_ground_truth_covers_every_extract_record_and_nothing_else(county: County) -> None:
    keys = [(r.source, r.record_id) for records in county.extracts.values() for r in records]
    assert len(set(keys)) == len(keys)  # record ids are unique within each source
    assert set(keys) == set(county.truth.record_to_person)
    assert set(county.truth.record_to_person.values()) <= {p.person_id for p in county.people}
    assert county.truth.person_to_household == {p.person_id: p.household_id for p in county.people}
    assert list(county.extracts) == [a.code for a in county.agencies]
    assert all(r.source == code for code, records in county.extracts.items() for r in records)


def test_people_are_known_to_more_than_one_agency(county: County) -> None:
    agencies_per_person = collections.Counter(
        person for (_, person) in {(s, p) for (s, _), p in county.truth.record_to_person.items()}
    )
    assert sum(1 for n in agencies_per_person.values() if n >= 3) > 0.1 * len(county.people)
    assert all(records for records in county.extracts.values())


def test_police_and_school_extracts_mostly_lack_nhs_numbers_and_health_ones_have_them(
    county: County,
) -> None:
    kinds = _kinds(county)

    def missing(*wanted: AgencyKind) -> float:
        records = [
            r
            for code, rs in county.extracts.items()
            if kinds[code] in wanted
            for r in rs
            if r.date_of_birth is not None
        ]
        return sum(r.nhs_number is None for r in records) / len(records)

    assert missing(AgencyKind.POLICE) > 0.7
    assert missing(AgencyKind.SCHOOL) > 0.7
    assert missing(AgencyKind.GP_PRACTICE, AgencyKind.ACUTE_TRUST) < 0.05


def test_only_school_records_carry_upns_and_only_police_records_carry_pnc_ids(
    county: County,
) -> None:
    kinds = _kinds(county)
    with_upn = {kinds[r.source] for rs in county.extracts.values() for r in rs if r.upn}
    with_pnc = {kinds[r.source] for rs in county.extracts.values() for r in rs if r.pnc_id}
    assert with_upn == {AgencyKind.SCHOOL}
    assert with_pnc == {AgencyKind.POLICE}


def test_with_no_noise_every_record_equals_the_truth_about_its_person(
    clean_county: County,
) -> None:
    people = _people(clean_county)
    households = {h.household_id: h for h in clean_county.households}
    kinds = _kinds(clean_county)
    seen: set[tuple[str, str]] = set()
    for code, records in clean_county.extracts.items():
        for record in records:
            person = people[clean_county.truth.record_to_person[(code, record.record_id)]]
            home = households[person.household_id]
            assert (code, person.person_id) not in seen, "no duplicates without noise"
            seen.add((code, person.person_id))
            assert (record.given_name, record.family_name, record.other_names) == (
                person.given_name,
                person.family_name,
                person.previous_family_name,
            )
            assert (record.date_of_birth, record.sex) == (person.date_of_birth, person.sex)
            assert (record.address, record.postcode) == (home.address, home.postcode)
            assert record.nhs_number == person.nhs_number
            assert record.upn == (person.upn if kinds[code] is AgencyKind.SCHOOL else None)
            assert record.pnc_id == (person.pnc_id if kinds[code] is AgencyKind.POLICE else None)


def test_every_documented_noise_rate_is_the_one_in_force() -> None:
    documented = dict(re.findall(r"\| ``(\w+)`` \| ([0-9.]+) \|", noise_module.__doc__ or ""))
    rates = NoiseRates()
    assert len(documented) == 10
    for name, rate in documented.items():
        assert getattr(rates, name) == float(rate), name
    assert rates.missing_nhs_number[AgencyKind.POLICE] == 0.85


def test_noise_scales_every_rate_and_caps_it_at_one() -> None:
    rates = NoiseRates().scaled(2.0)
    assert rates.typo == pytest.approx(0.06)
    assert rates.missing_nhs_number[AgencyKind.POLICE] == 1.0
    assert NoiseRates().scaled(0).stale_address == 0


def test_extracts_carry_each_kind_of_noise_at_roughly_its_documented_rate(county: County) -> None:
    people = _people(county)
    households = {h.household_id: h for h in county.households}
    by_address = {h.address: h for h in county.households}
    tally: dict[str, list[bool]] = collections.defaultdict(list)
    pairs: collections.Counter[tuple[str, str]] = collections.Counter()
    for code, records in county.extracts.items():
        for r in records:
            person = people[county.truth.record_to_person[(code, r.record_id)]]
            pairs[(code, person.person_id)] += 1
            givens = {person.given_name, *NICKNAMES.get(person.given_name, ())}
            families = {person.family_name, person.previous_family_name}
            swapped = r.given_name in families and r.family_name in givens
            tally["swapped_names"].append(swapped)
            if not swapped:
                # A typo leaves exactly one of the two names unexplained.
                unexplained = (r.given_name not in givens) + (r.family_name not in families)
                tally["typo"].append(unexplained == 1)
                if NICKNAMES.get(person.given_name):
                    tally["nickname"].append(r.given_name in NICKNAMES[person.given_name])
                if person.previous_family_name is not None:
                    tally["stale_family_name"].append(r.family_name == person.previous_family_name)
            born = person.date_of_birth
            if born is not None:
                tally["missing_date_of_birth"].append(r.date_of_birth is None)
                if r.date_of_birth is not None and born.day <= 12 and born.day != born.month:
                    tally["day_month_swapped"].append(
                        r.date_of_birth == date(born.year, born.day, born.month)
                    )
            if person.previous_household_id is not None:
                tally["stale_address"].append(
                    r.address == households[person.previous_household_id].address
                )
            tally["postcode_without_space"].append(" " not in r.postcode)
            spaced = r.postcode if " " in r.postcode else f"{r.postcode[:-3]} {r.postcode[-3:]}"
            tally["postcode_typo"].append(spaced != by_address[r.address].postcode)
    tally["duplicate"] = [n > 1 for n in pairs.values()]

    rates = NoiseRates()
    for name, observations in tally.items():
        observed = sum(observations) / len(observations)
        expected = getattr(rates, name)
        assert 0.5 * expected <= observed <= 1.6 * expected, (name, observed, expected)


# --- files ---------------------------------------------------------------------------------


def test_write_county_writes_extracts_truth_and_directory_as_csv(tmp_path: Path) -> None:
    county = build_county(CountyOptions(people=300))
    write_county(county, tmp_path)

    def rows(*parts: str) -> list[dict[str, str]]:
        with tmp_path.joinpath(*parts).open(encoding="utf-8", newline="") as file:
            return list(csv.DictReader(file))

    for agency in county.agencies:
        with (tmp_path / "extracts" / f"{agency.code}.csv").open(encoding="utf-8") as file:
            assert next(csv.reader(file)) == list(EXTRACT_COLUMNS)
        assert len(rows("extracts", f"{agency.code}.csv")) == len(county.extracts[agency.code])
    assert len(rows("truth", "records.csv")) == len(county.truth.record_to_person)
    people = rows("truth", "people.csv")
    assert len(people) == 300
    # Empty for None, ISO for dates: checked against the county, row by row.
    for row, person in zip(people, county.people, strict=True):
        assert row["person_id"] == person.person_id
        born = person.date_of_birth
        assert row["date_of_birth"] == (born.isoformat() if born else "")
        assert row["nhs_number"] == (person.nhs_number or "")
    police = rows("extracts", "NOTTS-POLICE.csv")
    assert [r["record_id"] for r in police] == [
        r.record_id for r in county.extracts["NOTTS-POLICE"]
    ]
    assert any(r["nhs_number"] == "" for r in police)
    assert len(rows("truth", "households.csv")) == len(county.households)
    professionals = rows("directory", "professionals.csv")
    assert {p["uses_hub"] for p in professionals} <= {"true", "false"}
    assert any(";" in p["roles"] for p in professionals)
    assert len(rows("directory", "districts.csv")) == 7
    assert len(rows("directory", "agencies.csv")) == len(county.agencies)
    assert len(rows("directory", "teams.csv")) == len(county.teams)
    assert len(rows("directory", "demo_sign_ins.csv")) == len(county.demo_sign_ins)


def test_no_extract_holds_a_date_of_birth_after_the_day_it_was_taken() -> None:
    # Heavy noise makes day-month slips common, so a recent baby's slip would show here.
    options = CountyOptions(people=5_000, noise=10.0, seed=7)
    county = build_county(options)
    future = [
        (record.source, record.record_id, record.date_of_birth)
        for records in county.extracts.values()
        for record in records
        if record.date_of_birth is not None and record.date_of_birth > options.as_of
    ]
    assert future == []
