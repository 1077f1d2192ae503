"""Each agency's person extract: its records about the people it knows, noise and all.

Records are shuffled before they are numbered, so no id says anything about who the person
is. Each agency numbers rows and people in its own style (a Niche-like nominal for police, a
hospital number for acute trusts, a CRN for probation); the council's three services share
one case-management system, so a person has one council id across children's, adults' and
education records, as they would in a real council. A duplicate record is a second person
record made in error: new ids, fresh noise.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from joinedup.directory.rules import AgencyKind
from joinedup.synthetic.model import Agency, ExtractRecord, Household, Person
from joinedup.synthetic.noise import NoiseRates, believe

# (record id prefix, person id prefix, household ref prefix or None if the agency keeps none)
ID_STYLES: dict[AgencyKind, tuple[str, str, str | None]] = {
    AgencyKind.POLICE: ("OCC", "NP", "LOC"),
    AgencyKind.PROBATION: ("PRB", "X", None),
    AgencyKind.FIRE_RESCUE: ("SWV", "FP", "PRM"),
    AgencyKind.AMBULANCE: ("INC", "PT", None),
    AgencyKind.MENTAL_HEALTH: ("RIO", "MH", None),
    AgencyKind.COMMUNITY_HEALTH: ("S1-", "CH", None),
    AgencyKind.ACUTE_TRUST: ("EPR", "J", None),
    AgencyKind.GP_PRACTICE: ("GP", "", None),
    AgencyKind.SCHOOL: ("ADM", "", "FAM"),
    AgencyKind.CHILDRENS_SOCIAL_CARE: ("CSC", "", "GRP"),
    AgencyKind.ADULT_SOCIAL_CARE: ("ASC", "", "GRP"),
    AgencyKind.HOUSING: ("HSG", "HRA", "TEN"),
    AgencyKind.VOLUNTARY: ("VCS", "C", "FAM"),
}
COUNCIL_SYSTEM = "NCC"  # agencies whose codes start "NCC-" share the council's system


@dataclass(slots=True)
class _IdSystem:
    """One case-management system: hands out person ids and household refs, first come."""

    next_person: int
    next_household: int
    person_ids: dict[int, str] = field(default_factory=dict)
    household_refs: dict[str, str] = field(default_factory=dict)

    def person_id(self, prefix: str, person_index: int, duplicate: bool) -> str:
        if not duplicate and person_index in self.person_ids:
            return self.person_ids[person_index]
        self.next_person += 1
        local = f"{prefix}{self.next_person}"
        if not duplicate:
            self.person_ids[person_index] = local
        return local

    def household_ref(self, prefix: str, household_id: str) -> str:
        ref = self.household_refs.get(household_id)
        if ref is None:
            self.next_household += 1
            ref = self.household_refs[household_id] = f"{prefix}{self.next_household}"
        return ref


def build_extracts(
    people: list[Person],
    households: Mapping[str, Household],
    agencies: list[Agency],
    known: Mapping[str, list[int]],
    rates: NoiseRates,
    rng: random.Random,
    as_of: date,
) -> tuple[dict[str, list[ExtractRecord]], dict[tuple[str, str], str]]:
    """(agency code -> its records, (source, record id) -> person id)."""
    extracts: dict[str, list[ExtractRecord]] = {}
    record_to_person: dict[tuple[str, str], str] = {}
    systems: dict[str, _IdSystem] = {}
    for agency in agencies:
        record_prefix, person_prefix, household_prefix = ID_STYLES[agency.kind]
        system_key = COUNCIL_SYSTEM if agency.code.startswith("NCC-") else agency.code
        system = systems.get(system_key)
        if system is None:
            system = systems[system_key] = _IdSystem(
                rng.randrange(100_000, 900_000), rng.randrange(10_000, 90_000)
            )
        # (person index, is a duplicate): the second copy of a person is made in error.
        rows = [(i, False) for i in known[agency.code]]
        rows += [(i, True) for i, _ in rows if rng.random() < rates.duplicate]
        rng.shuffle(rows)
        first_row = rng.randrange(1_000_000, 9_000_000)
        records = []
        for number, (i, duplicate) in enumerate(rows, start=first_row):
            person = people[i]
            belief = believe(person, agency.kind, rates, rng, households, as_of)
            record = ExtractRecord(
                record_id=f"{record_prefix}{number}",
                source=agency.code,
                given_name=belief.given_name,
                family_name=belief.family_name,
                other_names=belief.other_names,
                date_of_birth=belief.date_of_birth,
                sex=person.sex,
                address=belief.household.address,
                postcode=belief.postcode,
                nhs_number=belief.nhs_number,
                upn=person.upn if agency.kind is AgencyKind.SCHOOL else None,
                pnc_id=person.pnc_id if agency.kind is AgencyKind.POLICE else None,
                local_id=system.person_id(person_prefix, i, duplicate),
                household_ref=(
                    system.household_ref(household_prefix, belief.household.household_id)
                    if household_prefix
                    else None
                ),
            )
            records.append(record)
            record_to_person[(agency.code, record.record_id)] = person.person_id
        extracts[agency.code] = records
    return extracts, record_to_person
