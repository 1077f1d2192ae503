"""The access matrix: what the gate shows each role, in each kind of agency, of each category of
data, held by whom, with and without a grant, working the case or not, on both databases.

The expected outcome of every cell comes from the tables below, written from the rules in
docs/sharing.md ("The policy decision") and ../shared/domain.md ("The law on sharing"), not from
the code. The hub: one active children's agreement under UK GDPR Art 9(2)(h) (health or social
care), originator consent required for onward sharing, whose parties are
- for each kind of agency below, a *granted* agency whose every role but the system leader's
  may see every category, and an *ungranted* one that only shares;
- the *partner*, which holds records and is granted nothing;
and an *outsider* agency that is party to nothing. Every actor looks at a note of each
category held by their own agency, by the partner and by the outsider, about a person they
work on and about one they do not.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.accounts.queries import actor_for_user
from joinedup.actor import Actor
from joinedup.audit.models import AuditEntry
from joinedup.directory.models import Agency
from joinedup.directory.rules import AgencyKind, Role
from joinedup.sharing import services
from joinedup.sharing.gate import Disclosure, Involvement, disclose
from joinedup.sharing.models import AgreementGrant
from joinedup.sharing.rules import DataCategory, Purpose, Sensitivity
from tests.conftest import TEST_NOW
from tests.factories import ADMIN, create_agency, create_master_person, create_user

C = DataCategory
TODAY = TEST_NOW.date()

# --- What the rules say --------------------------------------------------------------------

ROLES = [
    Role.REFERRER,
    Role.MASH_PRACTITIONER,
    Role.MASH_MANAGER,
    Role.IG_LEAD,
    Role.SYSTEM_LEADER,
    Role.ADMINISTRATOR,
]
KINDS = [
    AgencyKind.POLICE,
    AgencyKind.ACUTE_TRUST,
    AgencyKind.SCHOOL,
    AgencyKind.CHILDRENS_SOCIAL_CARE,
    AgencyKind.ADULT_SOCIAL_CARE,
    AgencyKind.PROBATION,
]
# Health and social care agencies: under Art 9(2)(h) only they receive special category data
# (DPA 2018 s11(1): by or under the responsibility of a health or social work professional).
CARE_PROFESSIONS = {
    AgencyKind.ACUTE_TRUST,
    AgencyKind.CHILDRENS_SOCIAL_CARE,
    AgencyKind.ADULT_SOCIAL_CARE,
}
# Special category data (UK GDPR Art 9(1)): data concerning health, treatment included.
SPECIAL = {C.HEALTH, C.MENTAL_HEALTH, C.SUBSTANCE_MISUSE}

OWN, PARTNER, OUTSIDER = "own agency", "partner", "outsider"
SHOWN = "shown"

# A system leader sees aggregates, never a person's records, whoever holds them (rule 1).
# An agency's own staff see its records (rule 2). Without an agreement between the two
# agencies, nothing is shared (rule 3).
BY_HOLDER = {OWN: SHOWN, OUTSIDER: "no_agreement"}

# A partner's record, under the agreement: by role, grant and need to know. Rule 5: without a
# grant for their role and the category, nothing (the category is covered: other parties are
# granted it). Rule 7: granted, but not working this person's contact or case, nothing. Rule
# 10, originator control: beyond the MASH's roles, a partner's record stays in the MASH unless
# its owner agrees (originator consent required, and this owner has not said).
# fmt: off
UNDER_THE_AGREEMENT = {
    # role                   granted involved
    (Role.REFERRER,          True,   True):  "originator_control",
    (Role.REFERRER,          True,   False): "not_involved",
    (Role.REFERRER,          False,  True):  "role_not_granted",
    (Role.REFERRER,          False,  False): "role_not_granted",
    (Role.MASH_PRACTITIONER, True,   True):  SHOWN,
    (Role.MASH_PRACTITIONER, True,   False): "not_involved",
    (Role.MASH_PRACTITIONER, False,  True):  "role_not_granted",
    (Role.MASH_PRACTITIONER, False,  False): "role_not_granted",
    (Role.MASH_MANAGER,      True,   True):  SHOWN,
    (Role.MASH_MANAGER,      True,   False): "not_involved",
    (Role.MASH_MANAGER,      False,  True):  "role_not_granted",
    (Role.MASH_MANAGER,      False,  False): "role_not_granted",
    (Role.IG_LEAD,           True,   True):  "originator_control",
    (Role.IG_LEAD,           True,   False): "not_involved",
    (Role.IG_LEAD,           False,  True):  "role_not_granted",
    (Role.IG_LEAD,           False,  False): "role_not_granted",
    (Role.ADMINISTRATOR,     True,   True):  "originator_control",
    (Role.ADMINISTRATOR,     True,   False): "not_involved",
    (Role.ADMINISTRATOR,     False,  True):  "role_not_granted",
    (Role.ADMINISTRATOR,     False,  False): "role_not_granted",
}
# fmt: on


def expected(
    role: Role, kind: AgencyKind, granted: bool, holder: str, category: DataCategory, involved: bool
) -> str:
    """The outcome the rules give one cell: SHOWN, or the rule that withholds it."""
    if role is Role.SYSTEM_LEADER:
        return "system_leader"  # rule 1, before anything else
    if holder in BY_HOLDER:
        return BY_HOLDER[holder]
    if granted and category in SPECIAL and kind not in CARE_PROFESSIONS:
        return "care_professionals_only"  # rule 6, before need to know
    return UNDER_THE_AGREEMENT[(role, granted, involved)]


# --- The hub ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """A note about a person, of one data category, held by one agency: the smallest kind of
    record the gate discloses (it meets gate.PersonRecord). What it reveals is its category."""

    object_id: int
    owner_agency_id: int
    master_person_id: int
    category: DataCategory
    object_type: str = "matrix_note"
    sensitivity: Sensitivity = Sensitivity.NORMAL
    owner_allows_beyond_mash: bool | None = None

    @property
    def record_category(self) -> DataCategory:
        return self.category

    @property
    def field_categories(self) -> Mapping[str, DataCategory]:
        return {"note": self.category}

    def field_values(self) -> dict[str, Any]:
        return {"note": f"{self.category.label}, held by agency {self.owner_agency_id}"}


@dataclass(frozen=True)
class Hub:
    agencies: dict[tuple[AgencyKind, bool], Agency]  # (kind, granted) -> agency
    partner: Agency
    outsider: Agency
    working_on: int  # the master person every actor works on
    not_working_on: int


def build_hub(db: Session) -> Hub:
    agencies = {
        (kind, granted): create_agency(db, kind, name=f"{'G' if granted else 'U'} {kind.label}")
        for kind in KINDS
        for granted in (True, False)
    }
    partner = create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE, name="The partner")
    outsider = create_agency(db, AgencyKind.VOLUNTARY, name="The outsider")
    agreement = services.draft_agreement(
        db,
        ADMIN,
        title="The matrix agreement",
        purpose=Purpose.SAFEGUARDING_CHILDREN.value,
        lawful_basis="public_task",
        article_9_condition="health_or_social_care",
        starts_on=TODAY,
        review_on=TODAY + dt.timedelta(days=365),
        ends_on=None,
        retention_days=365,
    )
    parties = [*agencies.values(), partner]
    for agency in parties:
        services.add_party(db, ADMIN, agreement.id, agency.code)
    # Straight onto the draft's parties: services.grant, 300 times over, would take most of the
    # test's time (its checks are tested in test_sharing_agreements). A system leader's role is
    # never granted (DESIGN invariant 7).
    for party in agreement.parties:
        if agencies.get((AgencyKind(party.agency.kind), True)) is party.agency:
            party.grants.extend(
                AgreementGrant(role=role.value, category=category.value)
                for role, category in itertools.product(ROLES, DataCategory)
                if role is not Role.SYSTEM_LEADER
            )
    db.flush()
    for agency in parties:
        ig_lead = create_user(db, "Ida", roles=(Role.IG_LEAD,), agency=agency, password=None)
        services.sign(db, actor_for_user(ig_lead), agreement.id)
    services.activate(db, ADMIN, agreement.id)
    people = create_master_person(db).id, create_master_person(db).id
    return Hub(agencies, partner, outsider, *people)


def actor(agency: Agency, role: Role, user_id: int) -> Actor:
    """One role in one agency, as signing in makes them (accounts.queries.actor_for_user);
    the gate reads nothing else about who asks."""
    return Actor(
        label=f"{role.label} at {agency.name}",
        user_id=user_id,
        agency_id=agency.id,
        agency_kind=AgencyKind(agency.kind),
        roles=frozenset({role}),
    )


def outcome(disclosure: Disclosure, entry: Mapping[str, Any], category: DataCategory) -> str:
    """What the practitioner was shown of one note, and the rule its ledger entry names."""
    if disclosure.fields:
        assert disclosure.withheld == {}
        assert entry["permitted"] == [category.value]
        return SHOWN
    reason = disclosure.withheld["note"]
    # Never a silent gap: what was withheld, in words.
    assert reason.startswith("Withheld") and category.label.lower() in reason, reason
    rule: str = entry["denied"][category.value]
    return rule


# --- The matrix ------------------------------------------------------------------------------


def test_every_cell_of_the_access_matrix_gets_what_the_rules_say(
    db: Session, frozen_clock: object
) -> None:
    hub = build_hub(db)
    holders = {PARTNER: hub.partner.id, OUTSIDER: hub.outsider.id}
    serial = itertools.count(1)
    wrong: list[str] = []
    cells = 0
    for role, kind, granted in itertools.product(ROLES, KINDS, (True, False)):
        agency = hub.agencies[(kind, granted)]
        notes = {
            (holder, category, involved): Note(
                next(serial),
                holders.get(holder, agency.id),
                hub.working_on if involved else hub.not_working_on,
                category,
            )
            for holder in (OWN, PARTNER, OUTSIDER)
            for category in DataCategory
            for involved in (True, False)
        }
        asking = actor(agency, role, user_id=100_000 + next(serial))
        shown = disclose(
            db,
            asking,
            Purpose.SAFEGUARDING_CHILDREN,
            list(notes.values()),
            involvement=Involvement.of_people([hub.working_on]),
        )
        entries = ledger_details(db, [d.audit_entry_id for d in shown])
        for (holder, category, involved), disclosure in zip(notes, shown, strict=True):
            cells += 1
            want = expected(role, kind, granted, holder, category, involved)
            got = outcome(disclosure, entries[disclosure.audit_entry_id], category)
            if got != want:
                wrong.append(
                    f"{asking.label}, {category.label.lower()} held by the {holder}, "
                    f"{'' if involved else 'not '}working on the person: "
                    f"expected {want}, got {got}"
                )
    assert cells == len(ROLES) * len(KINDS) * 2 * 3 * len(DataCategory) * 2
    assert wrong == []


def ledger_details(db: Session, entry_ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = db.execute(select(AuditEntry.id, AuditEntry.detail).where(AuditEntry.id.in_(entry_ids)))
    return {entry_id: json.loads(detail) for entry_id, detail in rows}
