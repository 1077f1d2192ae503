"""The synthetic county's agreements: one for safeguarding children, one for adults at risk.

Each is drafted and activated by the operator's command and signed by every party's own IG
lead, through the same services a real hub uses. The parties are the county-wide MASH
partners (and, for adults, the district councils' housing services); GP practices, schools and
voluntary services refer and see outcomes, so they are not parties here.

One gap is deliberate, so its effect shows (docs/sharing.md): the children's agreement grants
the education safeguarding service's MASH practitioners no criminal offence data, so
Probation's records of convictions and licence conditions are withheld from them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.accounts.models import User
from joinedup.accounts.queries import actor_for_user
from joinedup.actor import Actor
from joinedup.directory.models import Agency, Professional
from joinedup.directory.rules import AgencyKind, Role
from joinedup.sharing import services
from joinedup.sharing.models import Agreement
from joinedup.sharing.rules import (
    Article9Condition,
    DataCategory,
    LawfulBasis,
    OnwardSharing,
    Purpose,
)

CHILDREN = "Nottinghamshire MASH: safeguarding children"
ADULTS = "Nottinghamshire MASH: safeguarding adults at risk"
# Illustrative only: each area sets the retention period in its own agreements.
RETENTION_DAYS = 6 * 365

C = DataCategory
HEALTH_KINDS = (AgencyKind.ACUTE_TRUST, AgencyKind.COMMUNITY_HEALTH, AgencyKind.MENTAL_HEALTH)
HEALTH_SHARE = (
    C.DEMOGRAPHICS,
    C.HEALTH,
    C.MENTAL_HEALTH,
    C.SUBSTANCE_MISUSE,
    C.SOCIAL_CARE_HISTORY,
    C.DOMESTIC_ABUSE,
)
PROBATION_SEES = (
    C.DEMOGRAPHICS,
    C.POLICE_INTELLIGENCE,
    C.CRIMINAL_OFFENCE,
    C.DOMESTIC_ABUSE,
    C.SOCIAL_CARE_HISTORY,
    C.HOUSING,
)
POLICE_SEES = (
    C.DEMOGRAPHICS,
    C.CRIMINAL_OFFENCE,
    C.DOMESTIC_ABUSE,
    C.SOCIAL_CARE_HISTORY,
    C.HOUSING,
)
MASH = (Role.MASH_PRACTITIONER,)
DECIDERS = (Role.MASH_MANAGER, Role.MASH_PRACTITIONER)

# Who receives what, by kind of party: (roles, categories). A party absent here only shares.
CHILDREN_GRANTS: dict[AgencyKind, tuple[tuple[Role, ...], tuple[DataCategory, ...]]] = {
    AgencyKind.CHILDRENS_SOCIAL_CARE: (DECIDERS, tuple(DataCategory)),
    AgencyKind.POLICE: (MASH, (*POLICE_SEES, C.EDUCATION)),
    AgencyKind.PROBATION: (MASH, PROBATION_SEES),
    **{kind: (MASH, HEALTH_SHARE) for kind in HEALTH_KINDS},
    # THE GAP: no criminal offence data for the education safeguarding service.
    AgencyKind.SCHOOL: (
        MASH,
        (C.DEMOGRAPHICS, C.EDUCATION, C.SOCIAL_CARE_HISTORY, C.DOMESTIC_ABUSE),
    ),
}
ADULTS_GRANTS: dict[AgencyKind, tuple[tuple[Role, ...], tuple[DataCategory, ...]]] = {
    AgencyKind.ADULT_SOCIAL_CARE: (
        DECIDERS,
        tuple(c for c in DataCategory if c is not C.EDUCATION),
    ),
    AgencyKind.POLICE: (MASH, POLICE_SEES),
    AgencyKind.PROBATION: (MASH, PROBATION_SEES),
    **{kind: (MASH, HEALTH_SHARE) for kind in HEALTH_KINDS},
}
# Ambulance, fire and housing hold what adults' safeguarding needs but have no MASH staff.
ADULTS_PROVIDERS = (AgencyKind.AMBULANCE, AgencyKind.FIRE_RESCUE, AgencyKind.HOUSING)


def load_demo_agreements(session: Session, actor: Actor, on: dt.date) -> list[Agreement]:
    """Draft, sign and activate the two county agreements from `on` (today or earlier).

    Parties are found by kind in the loaded directory; agreements already loaded (by title)
    are left alone. Returns the agreements loaded now. Raises SharingError, before writing
    anything, naming every party that has no IG lead to sign for it.
    """
    children_parties = _agencies(session, CHILDREN_GRANTS, county_wide_only=True)
    adults_parties = _agencies(session, ADULTS_GRANTS, county_wide_only=True) + _agencies(
        session, ADULTS_PROVIDERS, county_wide_only=False
    )
    everyone = {*children_parties, *adults_parties}
    found = {agency.id: _ig_lead(session, agency) for agency in everyone}
    signers = {agency_id: lead for agency_id, lead in found.items() if lead is not None}
    missing = sorted(agency.name for agency in everyone if agency.id not in signers)
    if missing:
        raise services.SharingError(
            "These agencies have no information governance lead to sign the demo agreements: "
            + ", ".join(missing)
            + "; add one to each in the directory"
        )
    loaded = []
    for title, purpose, parties, grants in (
        (CHILDREN, Purpose.SAFEGUARDING_CHILDREN, children_parties, CHILDREN_GRANTS),
        (ADULTS, Purpose.SAFEGUARDING_ADULTS, adults_parties, ADULTS_GRANTS),
    ):
        if session.scalar(select(Agreement.id).where(Agreement.title == title)) is None:
            agreement = _draft(session, actor, on, title, purpose, parties, grants)
            for agency in parties:
                services.sign(session, signers[agency.id], agreement.id)
            loaded.append(services.activate(session, actor, agreement.id))
    return loaded


def _draft(
    session: Session,
    actor: Actor,
    on: dt.date,
    title: str,
    purpose: Purpose,
    parties: list[Agency],
    grants: Mapping[AgencyKind, tuple[tuple[Role, ...], tuple[DataCategory, ...]]],
) -> Agreement:
    agreement = services.draft_agreement(
        session,
        actor,
        title=title,
        purpose=purpose,
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        article_9_condition=Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST,
        onward_sharing=OnwardSharing.ORIGINATOR_CONSENT_REQUIRED,
        retention_days=RETENTION_DAYS,
        starts_on=on,
        review_on=on + dt.timedelta(days=365),
        ends_on=on + dt.timedelta(days=3 * 365),
    )
    for agency in parties:
        services.add_party(session, actor, agreement.id, agency.code)
        roles, categories = grants.get(AgencyKind(agency.kind), ((), ()))
        for role in roles:
            for category in categories:
                services.grant(session, actor, agreement.id, agency.code, role, category)
    return agreement


def _agencies(
    session: Session, kinds: Iterable[AgencyKind], county_wide_only: bool
) -> list[Agency]:
    query = select(Agency).where(Agency.kind.in_([k.value for k in kinds]))
    if county_wide_only:
        query = query.where(Agency.area_id.is_(None))
    return list(session.scalars(query.order_by(Agency.code)))


def _ig_lead(session: Session, agency: Agency) -> Actor | None:
    """The agency's IG lead as a signed-in actor (the one longest in post, if several)."""
    for professional in session.scalars(
        select(Professional)
        .where(Professional.agency_id == agency.id, Professional.left_at.is_(None))
        .order_by(Professional.joined_at, Professional.id)
    ):
        if Role.IG_LEAD.value in professional.active_roles:
            user = session.scalar(select(User).where(User.professional_id == professional.id))
            if user is not None:
                return actor_for_user(user)
            return Actor(
                label=f"{professional.name} ({agency.name})",
                professional_id=professional.id,
                agency_id=agency.id,
                agency_kind=AgencyKind(agency.kind),
                area_id=agency.area_id,
                roles=frozenset(Role(r) for r in professional.active_roles),
            )
    return None
