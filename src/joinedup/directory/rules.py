"""The vocabulary of the directory: kinds of agency and the roles people hold.

Pure: no I/O. The kinds and roles come from ../shared/domain.md ("The people and the place").
"""

from __future__ import annotations

import enum


class AgencyKind(enum.StrEnum):
    POLICE = "police"
    ACUTE_TRUST = "acute_trust"
    COMMUNITY_HEALTH = "community_health"
    GP_PRACTICE = "gp_practice"
    AMBULANCE = "ambulance"
    MENTAL_HEALTH = "mental_health"
    FIRE_RESCUE = "fire_rescue"
    PROBATION = "probation"
    SCHOOL = "school"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    ADULT_SOCIAL_CARE = "adult_social_care"
    HOUSING = "housing"
    VOLUNTARY = "voluntary"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def is_health(self) -> bool:
        return self in _HEALTH


_KIND_LABELS = {
    AgencyKind.POLICE: "Police",
    AgencyKind.ACUTE_TRUST: "Acute hospital trust",
    AgencyKind.COMMUNITY_HEALTH: "Community health",
    AgencyKind.GP_PRACTICE: "GP practice",
    AgencyKind.AMBULANCE: "Ambulance service",
    AgencyKind.MENTAL_HEALTH: "Mental health trust",
    AgencyKind.FIRE_RESCUE: "Fire and rescue",
    AgencyKind.PROBATION: "Probation",
    AgencyKind.SCHOOL: "School",
    AgencyKind.CHILDRENS_SOCIAL_CARE: "Children's social care",
    AgencyKind.ADULT_SOCIAL_CARE: "Adult social care",
    AgencyKind.HOUSING: "Housing",
    AgencyKind.VOLUNTARY: "Voluntary sector",
}

_HEALTH = frozenset(
    {
        AgencyKind.ACUTE_TRUST,
        AgencyKind.COMMUNITY_HEALTH,
        AgencyKind.GP_PRACTICE,
        AgencyKind.AMBULANCE,
        AgencyKind.MENTAL_HEALTH,
    }
)


class Role(enum.StrEnum):
    """What a professional may do in the hub. A person may hold several."""

    REFERRER = "referrer"
    MASH_PRACTITIONER = "mash_practitioner"  # researches their own agency's records
    MASH_MANAGER = "mash_manager"  # screens, rates and decides
    IG_LEAD = "ig_lead"  # their own agency's information governance owner
    SYSTEM_LEADER = "system_leader"  # aggregates only, never personal data
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.REFERRER: "Referrer",
    Role.MASH_PRACTITIONER: "MASH practitioner",
    Role.MASH_MANAGER: "MASH manager",
    Role.IG_LEAD: "Information governance lead",
    Role.SYSTEM_LEADER: "System leader",
    Role.ADMINISTRATOR: "Administrator",
}
