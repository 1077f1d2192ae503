"""What professionals are called, and the invented email domains their agencies use.

Job titles are the everyday ones of each kind of agency. Every domain ends in ".example"
(reserved by RFC 2606), so no synthetic address can ever reach a real mailbox.
"""

from __future__ import annotations

import re

from joinedup.directory.rules import AgencyKind
from joinedup.synthetic.model import Agency

# The first title of each kind is the one its first referrer holds (a school's DSL).
REFERRER_TITLES: dict[AgencyKind, tuple[str, ...]] = {
    AgencyKind.POLICE: (
        "Detective Constable",
        "Police Constable",
        "Police Sergeant",
        "Detective Sergeant",
        "Police Community Support Officer",
    ),
    AgencyKind.PROBATION: (
        "Probation Officer",
        "Probation Services Officer",
        "Senior Probation Officer",
    ),
    AgencyKind.FIRE_RESCUE: ("Safe and Well Adviser", "Firefighter", "Watch Manager"),
    AgencyKind.AMBULANCE: ("Paramedic", "Emergency Care Assistant", "Safeguarding Practitioner"),
    AgencyKind.MENTAL_HEALTH: (
        "Community Psychiatric Nurse",
        "Mental Health Practitioner",
        "Consultant Psychiatrist",
    ),
    AgencyKind.COMMUNITY_HEALTH: ("Health Visitor", "School Nurse", "District Nurse"),
    AgencyKind.ACUTE_TRUST: (
        "Staff Nurse",
        "Midwife",
        "Consultant Paediatrician",
        "Emergency Department Registrar",
    ),
    AgencyKind.GP_PRACTICE: ("GP Partner", "Salaried GP", "Practice Nurse"),
    AgencyKind.SCHOOL: (
        "Designated Safeguarding Lead",
        "Class Teacher",
        "Head of Year",
        "Pastoral Support Worker",
        "Headteacher",
    ),
    AgencyKind.CHILDRENS_SOCIAL_CARE: (
        "Social Worker",
        "Senior Social Worker",
        "Family Support Worker",
    ),
    AgencyKind.ADULT_SOCIAL_CARE: (
        "Social Worker",
        "Community Care Officer",
        "Occupational Therapist",
    ),
    AgencyKind.HOUSING: (
        "Housing Officer",
        "Tenancy Sustainment Officer",
        "Homelessness Prevention Officer",
    ),
    AgencyKind.VOLUNTARY: (
        "Family Support Worker",
        "Project Worker",
        "Independent Domestic Violence Adviser",
    ),
}
MASH_TITLES: dict[AgencyKind, str] = {
    AgencyKind.POLICE: "MASH Detective Constable",
    AgencyKind.PROBATION: "MASH Probation Officer",
    AgencyKind.MENTAL_HEALTH: "MASH Mental Health Practitioner",
    AgencyKind.COMMUNITY_HEALTH: "MASH Safeguarding Nurse",
    AgencyKind.ACUTE_TRUST: "MASH Safeguarding Nurse",
    AgencyKind.CHILDRENS_SOCIAL_CARE: "MASH Social Worker",
    AgencyKind.ADULT_SOCIAL_CARE: "MASH Social Worker (Adults)",
    AgencyKind.SCHOOL: "Education MASH Officer",
}
# Health and social care bodies have a Caldicott Guardian; a practice's IG sits with its manager.
IG_TITLES: dict[AgencyKind, str] = {
    AgencyKind.ACUTE_TRUST: "Caldicott Guardian",
    AgencyKind.COMMUNITY_HEALTH: "Caldicott Guardian",
    AgencyKind.MENTAL_HEALTH: "Caldicott Guardian",
    AgencyKind.AMBULANCE: "Caldicott Guardian",
    AgencyKind.CHILDRENS_SOCIAL_CARE: "Caldicott Guardian (Children's Services)",
    AgencyKind.ADULT_SOCIAL_CARE: "Caldicott Guardian (Adult Social Care)",
    AgencyKind.GP_PRACTICE: "Practice Manager",
    AgencyKind.SCHOOL: "School Business Manager",
    AgencyKind.POLICE: "Head of Information Management",
}

EMAIL_DOMAINS: dict[str, str] = {
    "NOTTS-POLICE": "police.notts.example",
    "EM-PROBATION": "probation.eastmids.example",
    "NOTTS-FIRE": "fire.notts.example",
    "EM-AMBULANCE": "ambulance.eastmids.nhs.example",
    "NOTTS-MH": "trentvalley-mh.nhs.example",
    "NOTTS-COMMUNITY": "community.notts.nhs.example",
    "ACUTE-SHERWOOD": "sherwoodvale.nhs.example",
    "ACUTE-TRENT": "trentside.nhs.example",
    # The council's three services share one domain, as a council's staff do.
    "NCC-CSC": "nottscc.example",
    "NCC-ASC": "nottscc.example",
    "NCC-EDUCATION": "nottscc.example",
}


def email_domain(agency: Agency) -> str:
    if agency.code in EMAIL_DOMAINS:
        return EMAIL_DOMAINS[agency.code]
    if agency.kind is AgencyKind.GP_PRACTICE:
        return f"{agency.code.lower()}.nhs.example"
    if agency.kind is AgencyKind.SCHOOL:
        return f"{agency.code.lower()}.schools.notts.example"
    slug = re.sub(r"[^a-z0-9]+", "-", agency.name.lower()).strip("-")
    if agency.kind is AgencyKind.HOUSING:
        return f"{slug.removesuffix('-housing-service')}.gov.example"
    return f"{slug}.org.example"
