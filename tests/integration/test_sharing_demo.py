"""The synthetic county's agreements: two active agreements signed by every party's IG lead,
with one deliberate gap, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.directory.models import Agency, Professional
from joinedup.directory.rules import AgencyKind, Role
from joinedup.sharing import queries, services
from joinedup.sharing.demo import ADULTS, CHILDREN, load_demo_agreements
from joinedup.sharing.models import Agreement
from joinedup.sharing.rules import (
    AccessRequest,
    AgreementStatus,
    DataCategory,
    DecisionBasis,
    Purpose,
    decide,
)
from joinedup.synthetic import County, CountyOptions, build_county
from joinedup.synthetic.load import load_county
from tests.factories import ADMIN, create_agency

TODAY = dt.date(2026, 11, 24)
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture(scope="module")
def county() -> County:
    return build_county(CountyOptions(people=100))


@pytest.fixture
def loaded(db: Session, county: County) -> list[Agreement]:
    """The county as `joinedup demo` loads it, which includes the two agreements."""
    load_county(db, county, demo_password="demo password for tests", seed=1)
    return list(db.scalars(select(Agreement).order_by(Agreement.id)))


def agency(db: Session, code: str) -> Agency:
    found = db.scalar(select(Agency).where(Agency.code == code))
    assert found is not None
    return found


def ask(
    db: Session, actor_code: str, role: Role, owner_code: str, category: DataCategory
) -> DecisionBasis:
    actor, owner = agency(db, actor_code), agency(db, owner_code)
    request = AccessRequest(
        actor_agency_id=actor.id,
        actor_agency_kind=AgencyKind(actor.kind),
        actor_roles=frozenset({role}),
        purpose=Purpose.SAFEGUARDING_CHILDREN,
        owner_agency_id=owner.id,
        category=category,
        on=TODAY,
        involved=True,
    )
    return decide(request, queries.active_terms(db, TODAY)).basis


def test_the_demo_activates_two_agreements_signed_by_every_partys_own_ig_lead(
    db: Session, loaded: list[Agreement]
) -> None:
    assert [a.title for a in loaded] == [CHILDREN, ADULTS]
    assert all(a.current_status is AgreementStatus.ACTIVE for a in loaded)
    assert {t.purpose for t in queries.active_terms(db, TODAY)} == {
        Purpose.SAFEGUARDING_CHILDREN,
        Purpose.SAFEGUARDING_ADULTS,
    }
    for agreement in loaded:
        assert len(agreement.parties) >= 8
        for party in agreement.parties:
            assert party.signature is not None
            signer = db.get(Professional, party.signature.signed_by_professional_id)
            assert signer is not None
            assert signer.agency_id == party.agency_id
            assert Role.IG_LEAD.value in signer.active_roles
            assert party.signature.signed_by_user_id is not None
    # District housing services share with the adults' MASH but have no MASH staff to receive.
    housing = [p for p in loaded[1].parties if p.agency.kind == AgencyKind.HOUSING]
    assert len(housing) == 7
    assert all(not p.grants for p in housing)


def test_the_mash_sees_partners_records_except_across_the_deliberate_gap(
    db: Session, loaded: list[Agreement]
) -> None:
    C = DataCategory
    mash_sees = [
        ("NCC-CSC", Role.MASH_MANAGER, "NOTTS-POLICE", C.POLICE_INTELLIGENCE),
        ("NOTTS-POLICE", Role.MASH_PRACTITIONER, "EM-PROBATION", C.CRIMINAL_OFFENCE),
        ("ACUTE-TRENT", Role.MASH_PRACTITIONER, "NOTTS-MH", C.MENTAL_HEALTH),
        ("NCC-EDUCATION", Role.MASH_PRACTITIONER, "NCC-CSC", C.SOCIAL_CARE_HISTORY),
    ]
    for asker, role, owner, category in mash_sees:
        assert ask(db, asker, role, owner, category) is DecisionBasis.AGREEMENT, (asker, owner)
    # Referrers see outcomes, not partners' research.
    referrer = ask(db, "NOTTS-POLICE", Role.REFERRER, "NCC-CSC", C.DEMOGRAPHICS)
    assert referrer is DecisionBasis.ROLE_NOT_GRANTED
    # The gap: probation's offences are withheld from the education safeguarding service.
    gap = ask(db, "NCC-EDUCATION", Role.MASH_PRACTITIONER, "EM-PROBATION", C.CRIMINAL_OFFENCE)
    assert gap is DecisionBasis.ROLE_NOT_GRANTED


def test_loading_the_demo_agreements_again_changes_nothing(
    db: Session, loaded: list[Agreement]
) -> None:
    assert load_demo_agreements(db, ADMIN, TODAY) == []
    assert len(db.scalars(select(Agreement)).all()) == 2


def test_parties_without_an_ig_lead_stop_the_demo_before_anything_is_written(
    db: Session,
) -> None:
    create_agency(db, AgencyKind.POLICE, name="Leaderless Police")
    create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE, name="Leaderless Social Care")
    message = "no information governance lead .*: Leaderless Police, Leaderless Social Care;"
    with pytest.raises(services.SharingError, match=message):
        load_demo_agreements(db, ADMIN, TODAY)
    assert db.scalars(select(Agreement)).all() == []
