"""The professionals of the county: who refers, who researches, who decides, who governs.

Every agency has referrers and an IG lead; the MASH partners (police, probation, the acute
trusts, community health, mental health, children's and adult social care, and the education
safeguarding service) second MASH practitioners; social care supplies the MASH managers; the
council's safeguarding partnership has the system leaders and its business support the one
administrator. Whether someone actually uses the hub follows their district's adoption rate;
county-wide staff follow the county's (the mean of the districts').
"""

from __future__ import annotations

import math
import random
import re
from statistics import fmean

from joinedup.directory.rules import AgencyKind, Role
from joinedup.synthetic.agencies import ADULT_SOCIAL_CARE, CHILDRENS_SOCIAL_CARE, TEAM_PLAN
from joinedup.synthetic.model import Agency, District, Professional
from joinedup.synthetic.names import family_name, given_name
from joinedup.synthetic.options import CountyOptions
from joinedup.synthetic.staff_titles import IG_TITLES, MASH_TITLES, REFERRER_TITLES, email_domain

# Referrers per agency: county-wide ones grow with the square root of the population (like
# the number of practices and schools); a practice or school always has a handful.
COUNTY_REFERRERS = {
    AgencyKind.POLICE: 24,
    AgencyKind.PROBATION: 6,
    AgencyKind.FIRE_RESCUE: 4,
    AgencyKind.AMBULANCE: 6,
    AgencyKind.MENTAL_HEALTH: 8,
    AgencyKind.COMMUNITY_HEALTH: 10,
    AgencyKind.ACUTE_TRUST: 10,
    AgencyKind.CHILDRENS_SOCIAL_CARE: 10,
    AgencyKind.ADULT_SOCIAL_CARE: 8,
    AgencyKind.SCHOOL: 2,
}
DISTRICT_REFERRERS = {
    AgencyKind.GP_PRACTICE: 3,
    AgencyKind.SCHOOL: 3,
    AgencyKind.HOUSING: 3,
    AgencyKind.VOLUNTARY: 2,
}
MASH_PRACTITIONERS = {
    AgencyKind.POLICE: 5,
    AgencyKind.PROBATION: 2,
    AgencyKind.MENTAL_HEALTH: 2,
    AgencyKind.COMMUNITY_HEALTH: 2,
    AgencyKind.ACUTE_TRUST: 2,
    AgencyKind.CHILDRENS_SOCIAL_CARE: 6,
    AgencyKind.ADULT_SOCIAL_CARE: 4,
    AgencyKind.SCHOOL: 2,
}
MASH_MANAGERS = {CHILDRENS_SOCIAL_CARE: 3, ADULT_SOCIAL_CARE: 1}  # all-age MASH
SYSTEM_LEADERS = ("Head of Safeguarding Partnerships", "Partnership Performance Analyst")
ADMINISTRATOR = "MASH Systems Administrator"


class _Staffing:
    def __init__(self, rng: random.Random, districts: list[District]) -> None:
        self.rng = rng
        self.adoption: dict[str | None, float] = {d.code: d.adoption for d in districts}
        self.adoption[None] = fmean(d.adoption for d in districts)
        self.emails: set[str] = set()
        self.staff: list[Professional] = []

    def hire(self, agency: Agency, duty: str, title: str, roles: tuple[Role, ...]) -> None:
        rng = self.rng
        sex = rng.choice(("F", "M"))
        given = given_name(rng, sex, rng.randint(1962, 2002))
        family = family_name(rng)
        team = next(
            (
                f"{agency.code}-{suffix}"
                for suffix, _, team_duty in TEAM_PLAN.get(agency.code, ())
                if team_duty == duty
            ),
            None,
        )
        self.staff.append(
            Professional(
                email=self._email(given, family, email_domain(agency)),
                given_name=given,
                family_name=family,
                agency_code=agency.code,
                team_code=team,
                job_title=title,
                roles=tuple(role for role in Role if role in roles),  # in the enum's order
                district_code=agency.district_code,
                uses_hub=rng.random() < self.adoption[agency.district_code],
            )
        )

    def _email(self, given: str, family: str, domain: str) -> str:
        local = f"{_email_part(given)}.{_email_part(family)}"
        for n in range(1, 10_000):
            email = f"{local}{n if n > 1 else ''}@{domain}"
            if email not in self.emails:
                self.emails.add(email)
                return email
        raise RuntimeError(f"too many people called {given} {family} at {domain}")


def build_professionals(
    options: CountyOptions, rng: random.Random, districts: list[District], agencies: list[Agency]
) -> list[Professional]:
    scale = math.sqrt(options.people / 50_000)
    staffing = _Staffing(rng, districts)
    hire = staffing.hire
    for agency in agencies:
        kind = agency.kind
        county_wide = agency.district_code is None
        referrers = (
            max(1, round(COUNTY_REFERRERS[kind] * scale))
            if county_wide
            else DISTRICT_REFERRERS[kind]
        )
        titles = REFERRER_TITLES[kind]
        for n in range(referrers):
            # A school's first referrer is its designated safeguarding lead (DSL).
            title = titles[0] if n == 0 else rng.choice(titles)
            hire(agency, "front", title, (Role.REFERRER,))
        if county_wide and kind in MASH_PRACTITIONERS:
            for _ in range(max(1, round(MASH_PRACTITIONERS[kind] * math.sqrt(scale)))):
                hire(agency, "mash", MASH_TITLES[kind], (Role.MASH_PRACTITIONER,))
        for _ in range(MASH_MANAGERS.get(agency.code, 0)):
            hire(agency, "mash", "MASH Team Manager", (Role.MASH_MANAGER,))
        # In a practice, school or small charity the IG lead is also a working professional.
        ig_roles = (Role.IG_LEAD,) if county_wide else (Role.IG_LEAD, Role.REFERRER)
        hire(agency, "ig", IG_TITLES.get(kind, "Information Governance Lead"), ig_roles)
        if agency.code == CHILDRENS_SOCIAL_CARE:
            for title in SYSTEM_LEADERS:
                hire(agency, "partnership", title, (Role.SYSTEM_LEADER,))
            hire(agency, "support", ADMINISTRATOR, (Role.ADMINISTRATOR,))
    return staffing.staff


def choose_demo_sign_ins(
    professionals: list[Professional], agencies: list[Agency]
) -> list[Professional]:
    """One professional per role per kind of agency where that pairing exists.

    Prefers someone who uses the hub, then the first hired, so the choice is stable.
    """
    kind_of = {agency.code: agency.kind for agency in agencies}
    chosen = []
    for role in Role:
        for kind in AgencyKind:
            candidates = [
                p for p in professionals if role in p.roles and kind_of[p.agency_code] is kind
            ]
            if candidates:
                chosen.append(next((p for p in candidates if p.uses_hub), candidates[0]))
    return chosen


def _email_part(name: str) -> str:
    """Lower case letters and hyphens only: "O'Brien" -> "obrien", "Smith-Jones" kept."""
    return re.sub(r"[^a-z-]", "", name.lower())
