"""Which data category each piece of a person's record belongs to, and redaction by category.

Pure: no I/O. The gate (sharing.gate) asks `rules.decide` once per category a record holds,
then `redact` keeps the fields whose categories were permitted and puts the Decision's reason
against every other field, so nothing is ever a silent gap.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from joinedup.directory.rules import AgencyKind
from joinedup.sharing.rules import DataCategory, Decision

C = DataCategory

# What an agency's holding a record about someone reveals by itself: being known to the police
# is police information, being on probation's books is criminal offence data, a mental health
# trust's patient list is mental health data. The fields that say which agency holds the
# record, and the agency's own references for the person, take this category, and so does the
# record as a whole (see `redact`). The one place an agency's kind implies a category.
HOLDING_CATEGORY: dict[AgencyKind, DataCategory] = {
    # Police person records are built from incidents, arrests and intelligence logs; most of it
    # is unproven, so intelligence (UK GDPR Art 10, DPA 2018 s11(2): alleged offences).
    AgencyKind.POLICE: C.POLICE_INTELLIGENCE,
    # Probation supervises people convicted or on licence: convictions and sentences.
    AgencyKind.PROBATION: C.CRIMINAL_OFFENCE,
    AgencyKind.ACUTE_TRUST: C.HEALTH,
    AgencyKind.COMMUNITY_HEALTH: C.HEALTH,
    AgencyKind.GP_PRACTICE: C.HEALTH,
    AgencyKind.AMBULANCE: C.HEALTH,
    AgencyKind.MENTAL_HEALTH: C.MENTAL_HEALTH,
    AgencyKind.SCHOOL: C.EDUCATION,
    AgencyKind.CHILDRENS_SOCIAL_CARE: C.SOCIAL_CARE_HISTORY,
    AgencyKind.ADULT_SOCIAL_CARE: C.SOCIAL_CARE_HISTORY,
    AgencyKind.HOUSING: C.HOUSING,
    # Fire and rescue's person records are home fire safety visits: who lives where, and
    # whether the home is safe; the nearest category is housing.
    AgencyKind.FIRE_RESCUE: C.HOUSING,
    # Voluntary services mostly support families the council also knows; the cautious reading
    # is social care history, which no agreement grants beyond the MASH by default.
    AgencyKind.VOLUNTARY: C.SOCIAL_CARE_HISTORY,
}

# A field of an agency record whose category is the holding agency's (HOLDING_CATEGORY).
HELD = "held"

# people.models.AgencyRecord: field -> category, or HELD.
AGENCY_RECORD_FIELDS: dict[str, DataCategory | str] = {
    # Who the person is: demographics (no Art 9 or 10 data in a name or an address).
    "given_name": C.DEMOGRAPHICS,
    "family_name": C.DEMOGRAPHICS,
    "other_names": C.DEMOGRAPHICS,
    "date_of_birth": C.DEMOGRAPHICS,
    "sex": C.DEMOGRAPHICS,
    "address": C.DEMOGRAPHICS,
    "postcode": C.DEMOGRAPHICS,
    # An NHS number is issued to everyone registered with the NHS: it identifies, and says
    # nothing about care, so demographics (as the Personal Demographics Service holds it).
    "nhs_number": C.DEMOGRAPHICS,
    # A unique pupil number exists only because a school or the council's education service
    # registered the child: education.
    "upn": C.EDUCATION,
    # A PNC ID exists only because the person was arrested, charged, cautioned or convicted
    # (the Police National Computer's nominal record): a record of proceedings, not unverified
    # intelligence, so criminal offences and convictions (UK GDPR Art 10; DPA 2018 s11(2)
    # counts the alleged commission of offences, which an arrest is). It is what lets a partner
    # look the convictions up, so it goes no further than criminal offence data does.
    "pnc_id": C.CRIMINAL_OFFENCE,
    # The agency's own references and household grouping say who holds the record.
    "record_id": HELD,
    "local_id": HELD,
    "household_ref": HELD,
    "source": HELD,
}


@functools.cache
def agency_record_categories(owner_kind: AgencyKind) -> Mapping[str, DataCategory]:
    """AGENCY_RECORD_FIELDS with the holding agency's category filled in (made once a kind:
    the gate asks for every record it discloses)."""
    held = HOLDING_CATEGORY[owner_kind]
    return MappingProxyType(
        {
            name: held if category == HELD else DataCategory(category)
            for name, category in AGENCY_RECORD_FIELDS.items()
        }
    )


@dataclass(frozen=True)
class Redacted:
    """What of one record may be shown, and for each withheld field, why not."""

    shown: dict[str, Any]
    withheld: dict[str, str]  # field -> the reason, written for the practitioner


def redact(
    values: Mapping[str, Any],
    field_categories: Mapping[str, DataCategory],
    record_category: DataCategory,
    decisions: Mapping[DataCategory, Decision],
) -> Redacted:
    """Keep each field whose category, and the record's own category, were permitted.

    The record's category is what its existence reveals (a probation record says the person
    has convictions), so when it is refused every field is withheld with that reason: showing
    a name from probation's record would tell the reader the person is on probation. A field
    with no category in `field_categories` is never shown: unmapped means not yet governed.
    """
    whole = decisions[record_category]
    shown: dict[str, Any] = {}
    withheld: dict[str, str] = {}
    for name, value in values.items():
        category = field_categories.get(name)
        if category is None:
            withheld[name] = "Withheld: this field has no data category yet; ask your IG lead."
            continue
        decision = whole if not whole.permitted else decisions[category]
        if decision.permitted:
            shown[name] = value
        else:
            withheld[name] = decision.reason
    return Redacted(shown, withheld)
