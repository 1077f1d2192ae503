"""Information sharing agreements: drafted, granted, signed by each party's IG lead, activated,
suspended and expired, with every step in the ledger, on both databases.

Ian is the police IG lead, Sue the children's social care IG lead; Bob is a MASH manager (not
an IG lead); Charlie is the IG lead of a voluntary agency that is party to nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts.queries import actor_for_user
from joinedup.actor import Actor
from joinedup.audit.models import AuditEntry
from joinedup.directory.models import Agency
from joinedup.directory.rules import AgencyKind, Role
from joinedup.sharing import queries, services
from joinedup.sharing.models import Agreement
from joinedup.sharing.rules import AgreementStatus
from tests.factories import ADMIN, create_agency, create_user

TODAY = dt.date(2026, 11, 24)  # the frozen clock's day
pytestmark = pytest.mark.usefixtures("frozen_clock")


def person(db: Session, name: str, agency: Agency, *roles: Role) -> Actor:
    # No password: hashing one (argon2) would only slow the tests.
    return actor_for_user(create_user(db, name, roles=roles, agency=agency, password=None))


def draft(db: Session, actor: Actor, **overrides: Any) -> Agreement:
    fields: dict[str, Any] = {
        "title": "MASH: safeguarding children",
        "purpose": "safeguarding_children",
        "lawful_basis": "public_task",
        "article_9_condition": "substantial_public_interest",
        "starts_on": TODAY,
        "review_on": TODAY + dt.timedelta(days=365),
        "ends_on": TODAY + dt.timedelta(days=3 * 365),
        "retention_days": 2190,
    }
    return services.draft_agreement(db, actor, **{**fields, **overrides})


class Mash:
    """Police and children's social care, each with its IG lead, and a draft between them."""

    def __init__(self, db: Session) -> None:
        self.police = create_agency(db, AgencyKind.POLICE)
        self.csc = create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE)
        self.ian = person(db, "Ian", self.police, Role.IG_LEAD)
        self.sue = person(db, "Sue", self.csc, Role.IG_LEAD)
        self.agreement = draft(db, self.sue)
        services.add_party(db, self.sue, self.agreement.id, self.police.code)
        services.grant(
            db, self.sue, self.agreement.id, self.csc.code, "mash_manager", "police_intelligence"
        )

    def sign_all(self, db: Session) -> Agreement:
        services.sign(db, self.ian, self.agreement.id)
        return services.sign(db, self.sue, self.agreement.id)


def ledger(db: Session, agreement: Agreement) -> list[str]:
    return list(
        db.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "agreement", AuditEntry.object_id == str(agreement.id))
            .order_by(AuditEntry.id)
        )
    )


# --- Drafting -----------------------------------------------------------------------------


def test_an_ig_lead_drafts_an_agreement_and_their_agency_is_its_first_party(db: Session) -> None:
    mash = Mash(db)
    agreement = mash.agreement

    assert agreement.current_status is AgreementStatus.DRAFT
    assert [p.agency_id for p in agreement.parties] == [mash.csc.id, mash.police.id]
    assert agreement.schedule_1_condition.startswith("DPA 2018 Schedule 1 Part 2 paragraph 18")
    assert agreement.created_by_professional_id == mash.sue.professional_id
    assert [c.to_status for c in agreement.status_changes] == ["draft"]
    assert ledger(db, agreement) == [
        "ig:agreement:drafted",
        "ig:agreement:party_added",
        "ig:agreement:granted",
    ]


def test_only_an_ig_lead_drafts_an_agreement(db: Session) -> None:
    bob = person(db, "Bob", create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE), Role.MASH_MANAGER)
    with pytest.raises(services.SharingError, match="Only an information governance lead"):
        draft(db, bob)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "Enter the agreement's title"),
        ({"purpose": "curiosity"}, "purpose", "one of safeguarding_children"),
        ({"lawful_basis": ""}, "lawful_basis", "Choose the lawful basis"),
        ({"article_9_condition": "9(2)(z)"}, "article_9_condition", "substantial_public_interest"),
        ({"onward_sharing": "anyone"}, "onward_sharing", "within_mash"),
        ({"review_on": TODAY - dt.timedelta(days=1)}, "review_on", "on or after the start"),
        ({"ends_on": TODAY}, "ends_on", "after the start date"),
        ({"review_on": TODAY + dt.timedelta(days=2000)}, "review_on", "on or before the end"),
        (
            {"starts_on": TODAY - dt.timedelta(days=30), "ends_on": TODAY - dt.timedelta(days=1),
             "review_on": TODAY - dt.timedelta(days=10)},
            "ends_on",
            "has passed",
        ),
        ({"retention_days": 0}, "retention_days", "between 1 and"),
    ],
)  # fmt: skip
def test_a_draft_with_bad_terms_is_refused_naming_the_field(
    db: Session, overrides: dict[str, Any], field: str, message: str
) -> None:
    sue = person(db, "Sue", create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE), Role.IG_LEAD)
    with pytest.raises(services.SharingError, match=message) as refused:
        draft(db, sue, **overrides)
    assert refused.value.field == field


def test_special_category_data_needs_an_article_9_condition_before_it_is_granted(
    db: Session,
) -> None:
    mash = Mash(db)
    bare = draft(db, mash.sue, article_9_condition=None, title="No condition")
    with pytest.raises(services.SharingError, match="special category data") as refused:
        services.grant(db, mash.sue, bare.id, mash.csc.code, "mash_manager", "health")
    assert refused.value.field == "category"
    with pytest.raises(services.SharingError, match="criminal offence data"):
        services.grant(db, mash.sue, bare.id, mash.csc.code, "mash_manager", "criminal_offence")
    # Demographics need no condition beyond Art 6.
    services.grant(db, mash.sue, bare.id, mash.csc.code, "mash_manager", "demographics")


def test_a_system_leader_is_never_granted_a_category(db: Session) -> None:
    mash = Mash(db)
    with pytest.raises(services.SharingError, match="never reaches personal data") as refused:
        services.grant(
            db, mash.sue, mash.agreement.id, mash.csc.code, "system_leader", "demographics"
        )
    assert refused.value.field == "role"


def test_a_grant_goes_only_to_a_party_and_only_once(db: Session) -> None:
    mash = Mash(db)
    outsider = create_agency(db, AgencyKind.VOLUNTARY)
    with pytest.raises(services.SharingError, match="as a party before granting"):
        services.grant(db, mash.sue, mash.agreement.id, outsider.code, "referrer", "demographics")
    with pytest.raises(services.SharingError, match="already see police intelligence"):
        services.grant(
            db, mash.sue, mash.agreement.id, mash.csc.code, "mash_manager", "police_intelligence"
        )
    with pytest.raises(services.SharingError, match="already a party"):
        services.add_party(db, mash.sue, mash.agreement.id, mash.police.code)
    with pytest.raises(services.SharingError, match="no agency with the code NOPE"):
        services.add_party(db, mash.sue, mash.agreement.id, "NOPE")


# --- Signing ------------------------------------------------------------------------------


def test_each_party_signs_and_the_last_signature_makes_it_signed(db: Session) -> None:
    mash = Mash(db)
    services.sign(db, mash.ian, mash.agreement.id)
    assert mash.agreement.current_status is AgreementStatus.DRAFT
    assert [p.agency_id for p in mash.agreement.unsigned_parties] == [mash.csc.id]

    agreement = services.sign(db, mash.sue, mash.agreement.id)

    assert agreement.current_status is AgreementStatus.SIGNED
    signers = {p.agency_id: p.signature.signed_by_professional_id for p in agreement.parties}
    assert signers == {
        mash.police.id: mash.ian.professional_id,
        mash.csc.id: mash.sue.professional_id,
    }
    assert all(p.signature.signed_by_user_id for p in agreement.parties)
    assert [c.to_status for c in agreement.status_changes] == ["draft", "signed"]
    assert ledger(db, agreement)[-2:] == ["ig:agreement:signed", "ig:agreement:signed"]


def test_someone_who_is_not_the_partys_ig_lead_cannot_sign_for_it(db: Session) -> None:
    mash = Mash(db)
    bob = person(db, "Bob", mash.csc, Role.MASH_MANAGER)
    with pytest.raises(services.SharingError, match="Only an information governance lead"):
        services.sign(db, bob, mash.agreement.id)
    assert mash.agreement.party_for(mash.csc.id).signature is None  # type: ignore[union-attr]


def test_an_agreement_an_agency_is_not_party_to_is_not_found_by_its_ig_lead(db: Session) -> None:
    mash = Mash(db)
    charlie = person(db, "Charlie", create_agency(db, AgencyKind.VOLUNTARY), Role.IG_LEAD)

    with pytest.raises(services.AgreementNotFound, match=f"no agreement {mash.agreement.id}$"):
        services.sign(db, charlie, mash.agreement.id)
    with pytest.raises(services.AgreementNotFound):
        services.add_party(db, charlie, mash.agreement.id, agency_code(db, charlie))
    assert queries.agreement_for(db, charlie, mash.agreement.id) is None
    # The same answer as for an agreement that does not exist.
    with pytest.raises(services.AgreementNotFound, match=r"no agreement 999999$"):
        services.sign(db, charlie, 999_999)


def agency_code(db: Session, actor: Actor) -> str:
    agency = db.get(Agency, actor.agency_id)
    assert agency is not None
    return agency.code


def test_a_party_signs_once(db: Session) -> None:
    mash = Mash(db)
    services.sign(db, mash.ian, mash.agreement.id)
    with pytest.raises(services.SharingError, match="has already signed"):
        services.sign(db, mash.ian, mash.agreement.id)


def test_an_operators_command_cannot_sign_for_anyone(db: Session) -> None:
    mash = Mash(db)
    with pytest.raises(services.AgreementNotFound):
        services.sign(db, ADMIN, mash.agreement.id)


def test_an_agreement_is_signed_only_when_complete(db: Session) -> None:
    sue = person(db, "Sue", create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE), Role.IG_LEAD)
    alone = draft(db, sue)
    with pytest.raises(services.SharingError, match="at least two parties"):
        services.sign(db, sue, alone.id)
    services.add_party(db, sue, alone.id, create_agency(db, AgencyKind.POLICE).code)
    with pytest.raises(services.SharingError, match="grants no one anything"):
        services.sign(db, sue, alone.id)


def test_terms_are_frozen_once_anyone_has_signed(db: Session) -> None:
    mash = Mash(db)
    services.sign(db, mash.ian, mash.agreement.id)
    with pytest.raises(services.SharingError, match="can no longer change"):
        services.grant(db, mash.sue, mash.agreement.id, mash.csc.code, "mash_manager", "housing")
    with pytest.raises(services.SharingError, match="can no longer change"):
        services.add_party(
            db, mash.sue, mash.agreement.id, create_agency(db, AgencyKind.PROBATION).code
        )


# --- Activation, suspension, expiry ------------------------------------------------------


def test_an_unsigned_agreement_is_not_activated(db: Session) -> None:
    mash = Mash(db)
    services.sign(db, mash.ian, mash.agreement.id)
    with pytest.raises(services.SharingError, match=f"waiting for {mash.csc.name}"):
        services.activate(db, mash.sue, mash.agreement.id)


def test_a_signed_agreement_is_activated_from_its_start_date(db: Session) -> None:
    mash = Mash(db)
    mash.sign_all(db)
    agreement = services.activate(db, mash.sue, mash.agreement.id)

    assert agreement.current_status is AgreementStatus.ACTIVE
    assert ledger(db, agreement)[-1] == "ig:agreement:activated"
    assert [t.agreement_id for t in queries.active_terms(db, TODAY)] == [agreement.id]


def test_an_agreement_is_not_activated_before_it_starts(db: Session) -> None:
    sue = person(db, "Sue", create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE), Role.IG_LEAD)
    ian = person(db, "Ian", create_agency(db, AgencyKind.POLICE), Role.IG_LEAD)
    later = draft(db, sue, starts_on=dt.date(2027, 1, 4))
    services.add_party(db, sue, later.id, agency_code(db, ian))
    services.grant(db, sue, later.id, agency_code(db, sue), "mash_manager", "demographics")
    services.sign(db, sue, later.id)
    services.sign(db, ian, later.id)

    with pytest.raises(services.SharingError, match="starts on 4 January 2027"):
        services.activate(db, sue, later.id)


def test_only_an_ig_lead_of_a_party_activates_it(db: Session, frozen_clock: clock.Clock) -> None:
    mash = Mash(db)
    mash.sign_all(db)
    bob = person(db, "Bob", mash.csc, Role.MASH_MANAGER)
    with pytest.raises(services.SharingError, match="Only an information governance lead"):
        services.activate(db, bob, mash.agreement.id)


def test_a_suspended_agreement_needs_a_reason_is_not_relied_on_and_can_resume(
    db: Session,
) -> None:
    mash = Mash(db)
    mash.sign_all(db)
    services.activate(db, mash.sue, mash.agreement.id)

    with pytest.raises(services.SharingError, match="Say why") as refused:
        services.suspend(db, mash.ian, mash.agreement.id, "  ")
    assert refused.value.field == "reason"
    services.suspend(db, mash.ian, mash.agreement.id, "Data breach under investigation")

    assert mash.agreement.current_status is AgreementStatus.SUSPENDED
    assert queries.active_terms(db, TODAY) == []
    assert mash.agreement.status_changes[-1].reason == "Data breach under investigation"

    services.activate(db, mash.sue, mash.agreement.id)
    assert mash.agreement.current_status is AgreementStatus.ACTIVE
    assert ledger(db, mash.agreement)[-2:] == ["ig:agreement:suspended", "ig:agreement:resumed"]


def test_only_an_active_agreement_is_suspended(db: Session) -> None:
    mash = Mash(db)
    with pytest.raises(services.SharingError, match="only an active one is suspended"):
        services.suspend(db, mash.sue, mash.agreement.id, "Changed our minds")


def test_agreements_past_their_end_date_expire_and_are_returned(
    db: Session, frozen_clock: clock.Clock
) -> None:
    mash = Mash(db)
    mash.sign_all(db)
    services.activate(db, mash.sue, mash.agreement.id)
    assert mash.agreement.ends_on is not None
    assert services.expire_due(db, ADMIN) == []

    frozen_clock.advance(dt.timedelta(days=3 * 365 + 1))
    expired = services.expire_due(db, ADMIN)

    assert [a.id for a in expired] == [mash.agreement.id]
    assert mash.agreement.current_status is AgreementStatus.EXPIRED
    assert mash.agreement.status_changes[-1].from_status == "active"
    assert ledger(db, mash.agreement)[-1] == "system:agreement:expired"
    assert services.expire_due(db, ADMIN) == []
    with pytest.raises(services.SharingError, match="cannot be activated"):
        services.activate(db, mash.sue, mash.agreement.id)


def test_an_open_ended_agreement_never_expires(db: Session, frozen_clock: clock.Clock) -> None:
    sue = person(db, "Sue", create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE), Role.IG_LEAD)
    draft(db, sue, ends_on=None)
    frozen_clock.advance(dt.timedelta(days=10 * 365))
    assert services.expire_due(db, ADMIN) == []
