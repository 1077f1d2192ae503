"""How agencies' records drift from the truth: every noise rate, in this one place.

Each rate is a chance per record (per person known, for duplicates) at noise=1.0; the county's
``noise`` option multiplies them all and caps each at 1, so noise=0 gives clean extracts.

| noise | rate | what the record then holds |
|---|---|---|
| ``typo`` | 0.03 | one edit (change, drop, add, swap) in the given or family name |
| ``nickname`` | 0.15 | the short form of the given name, if it has one (Bill for William) |
| ``swapped_names`` | 0.01 | given and family names in each other's places |
| ``day_month_swapped`` | 0.03 | day and month of birth exchanged (only where day <= 12) |
| ``missing_date_of_birth`` | 0.02 | no date of birth |
| ``stale_family_name`` | 0.20 | for someone whose surname changed: the old one, no other names |
| ``stale_address`` | 0.30 | for someone who moved: the old address, postcode and household |
| ``postcode_typo`` | 0.02 | one character of the inward code wrong |
| ``postcode_without_space`` | 0.05 | the postcode run together ("NG174AB") |
| ``duplicate`` | 0.01 | a second record of the person, with its own ids and own noise |

``missing_nhs_number`` depends on the kind of agency: police 0.85; schools 0.80; probation,
fire and rescue, and voluntary services 0.70; housing 0.60; children's social care 0.20;
adult social care 0.10; the NHS (GP, acute, community, mental health, ambulance) 0.01.

Not noise, and so not scaled: UPNs appear only in school records (and the council education
service's), PNC IDs only in police records, and other names hold the previous surname the
agency knows of. The unborn have no date of birth or NHS number anywhere.
"""

from __future__ import annotations

import random
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from joinedup.directory.rules import AgencyKind
from joinedup.synthetic.model import Household, Person
from joinedup.synthetic.names import NICKNAMES
from joinedup.synthetic.places import INWARD_LETTERS

_MISSING_NHS_NUMBER = MappingProxyType(
    {
        AgencyKind.POLICE: 0.85,
        AgencyKind.SCHOOL: 0.80,
        AgencyKind.PROBATION: 0.70,
        AgencyKind.FIRE_RESCUE: 0.70,
        AgencyKind.VOLUNTARY: 0.70,
        AgencyKind.HOUSING: 0.60,
        AgencyKind.CHILDRENS_SOCIAL_CARE: 0.20,
        AgencyKind.ADULT_SOCIAL_CARE: 0.10,
        AgencyKind.ACUTE_TRUST: 0.01,
        AgencyKind.COMMUNITY_HEALTH: 0.01,
        AgencyKind.GP_PRACTICE: 0.01,
        AgencyKind.AMBULANCE: 0.01,
        AgencyKind.MENTAL_HEALTH: 0.01,
    }
)


@dataclass(frozen=True, slots=True)
class NoiseRates:
    typo: float = 0.03
    nickname: float = 0.15
    swapped_names: float = 0.01
    day_month_swapped: float = 0.03
    missing_date_of_birth: float = 0.02
    stale_family_name: float = 0.20
    stale_address: float = 0.30
    postcode_typo: float = 0.02
    postcode_without_space: float = 0.05
    duplicate: float = 0.01
    missing_nhs_number: Mapping[AgencyKind, float] = field(
        default_factory=lambda: _MISSING_NHS_NUMBER
    )

    def scaled(self, factor: float) -> NoiseRates:
        """Every rate multiplied by factor and capped at 1."""

        def scale(rate: float) -> float:
            return min(1.0, rate * factor)

        return NoiseRates(
            typo=scale(self.typo),
            nickname=scale(self.nickname),
            swapped_names=scale(self.swapped_names),
            day_month_swapped=scale(self.day_month_swapped),
            missing_date_of_birth=scale(self.missing_date_of_birth),
            stale_family_name=scale(self.stale_family_name),
            stale_address=scale(self.stale_address),
            postcode_typo=scale(self.postcode_typo),
            postcode_without_space=scale(self.postcode_without_space),
            duplicate=scale(self.duplicate),
            missing_nhs_number=MappingProxyType(
                {kind: scale(rate) for kind, rate in self.missing_nhs_number.items()}
            ),
        )


@dataclass(slots=True)
class Belief:
    """What one agency's record says about a person, before it is given ids."""

    given_name: str
    family_name: str
    other_names: str | None
    date_of_birth: date | None
    household: Household  # where the agency thinks they live
    postcode: str
    nhs_number: str | None


def believe(
    person: Person,
    kind: AgencyKind,
    rates: NoiseRates,
    rng: random.Random,
    households: Mapping[str, Household],
    as_of: date,
) -> Belief:
    """One agency's view of a person as the extract of `as_of` holds it, with noise."""
    r = rng.random
    given, family, other = person.given_name, person.family_name, person.previous_family_name
    if other is not None and r() < rates.stale_family_name:
        family, other = other, None  # the agency never heard of the change
    short_forms = NICKNAMES.get(given)
    if short_forms and r() < rates.nickname:
        given = rng.choice(short_forms)
    if r() < rates.typo:
        if r() < 0.5:
            given = typo(rng, given)
        else:
            family = typo(rng, family)
    if r() < rates.swapped_names:
        given, family = family, given
    born = person.date_of_birth
    if born is not None:
        if r() < rates.missing_date_of_birth:
            born = None
        elif born.day <= 12 and born.day != born.month and r() < rates.day_month_swapped:
            swapped = date(born.year, born.day, born.month)
            # A recent baby's swapped birthday can fall after the extract was taken, which no
            # agency's system would accept: such a slip goes unmade.
            if swapped <= as_of:
                born = swapped
    household = households[person.household_id]
    if person.previous_household_id is not None and r() < rates.stale_address:
        household = households[person.previous_household_id]
    postcode = household.postcode
    if r() < rates.postcode_typo:
        postcode = _postcode_typo(rng, postcode)
    if r() < rates.postcode_without_space:
        postcode = postcode.replace(" ", "")
    nhs = person.nhs_number
    if nhs is not None and r() < rates.missing_nhs_number.get(kind, 0.0):
        nhs = None
    return Belief(given, family, other, born, household, postcode, nhs)


def typo(rng: random.Random, word: str) -> str:
    """The word with one character changed, dropped, added, or swapped with its neighbour."""
    letters = string.ascii_lowercase
    for _ in range(10):
        at = rng.randrange(len(word))
        edit = rng.randrange(4)
        if edit == 0:
            changed = word[:at] + rng.choice(letters) + word[at + 1 :]
        elif edit == 1 and len(word) > 2:
            changed = word[:at] + word[at + 1 :]
        elif edit == 2:
            changed = word[:at] + rng.choice(letters) + word[at:]
        else:
            at = min(at, len(word) - 2)
            changed = word[:at] + word[at + 1 : at + 2] + word[at : at + 1] + word[at + 2 :]
        # Keep the capital where it was, as a typist would; only a real change counts.
        changed = changed[:1].upper() + changed[1:] if word[:1].isupper() else changed
        if changed != word and changed:
            return changed
    return word + rng.choice(letters)


def _postcode_typo(rng: random.Random, postcode: str) -> str:
    outward, inward = postcode.split(" ")
    at = rng.randrange(3)
    pool = string.digits if at == 0 else INWARD_LETTERS
    wrong = rng.choice([c for c in pool if c != inward[at]])
    return f"{outward} {inward[:at]}{wrong}{inward[at + 1 :]}"
