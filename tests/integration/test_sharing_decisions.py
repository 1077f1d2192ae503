"""Decisions about people: sharing decisions (golden rule 7) and break-glass, on both databases.

Pat is a police MASH practitioner, Bob a MASH manager in children's social care, Dana a system
leader and Ian the police IG lead.
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
from joinedup.sharing import decisions, queries, services
from joinedup.sharing.models import SharingDecision
from joinedup.sharing.rules import SharingChoice
from tests.conftest import TEST_NOW
from tests.factories import ADMIN, create_agency, create_master_person, create_user

pytestmark = pytest.mark.usefixtures("frozen_clock")
CHILD = "P00000042"


def person(db: Session, name: str, agency: Agency, *roles: Role) -> Actor:
    # No password: hashing one (argon2) would only slow the tests.
    return actor_for_user(create_user(db, name, roles=roles, agency=agency, password=None))


def decide(db: Session, actor: Actor, **overrides: Any) -> SharingDecision:
    fields: dict[str, Any] = {
        "subject_reference": CHILD,
        "decision": "share",
        "purpose": "safeguarding_children",
        "lawful_basis": "public_task",
        "consent_status": "not_sought",
        "para_18_reason": "would_prejudice_protection",
        "categories": ["police_intelligence", "demographics"],
        "with_agency_code": overrides.pop("with_agency_code", None),
        "reasons": "Father's violence is escalating; the school needs to know today.",
    }
    return decisions.record_sharing_decision(db, actor, **{**fields, **overrides})


@pytest.fixture
def police(db: Session) -> Agency:
    return create_agency(db, AgencyKind.POLICE)


@pytest.fixture
def csc(db: Session) -> Agency:
    return create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE)


# --- Sharing decisions --------------------------------------------------------------------


def test_a_decision_to_share_records_what_with_whom_why_by_whom_and_when(
    db: Session, police: Agency, csc: Agency
) -> None:
    pat = person(db, "Pat", police, Role.MASH_PRACTITIONER)
    jade = create_master_person(db)
    decided = decide(db, pat, with_agency_code=csc.code, master_person_id=jade.id)

    assert decided.decision == "share"
    assert decided.categories == "demographics,police_intelligence"
    assert decided.with_agency_id == csc.id
    assert decided.agency_id == police.id
    assert decided.para_18_reason == "would_prejudice_protection"
    assert decided.decided_by_professional_id == pat.professional_id
    assert decided.decided_at == TEST_NOW
    assert decided.master_person_id == jade.id
    entry = db.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry is not None
    assert entry.action == "practitioner:sharing_decision:recorded"
    assert '"with_agency":"' + csc.code + '"' in entry.detail


def test_sharing_without_consent_needs_the_paragraph_18_reason(
    db: Session, police: Agency, csc: Agency
) -> None:
    pat = person(db, "Pat", police, Role.MASH_PRACTITIONER)
    for consent in ("not_sought", "refused"):
        with pytest.raises(services.SharingError, match="without consent: \\(a\\)") as refused:
            decide(db, pat, with_agency_code=csc.code, consent_status=consent, para_18_reason=None)
        assert refused.value.field == "para_18_reason"


def test_a_paragraph_18_reason_is_refused_when_consent_was_given(
    db: Session, police: Agency, csc: Agency
) -> None:
    pat = person(db, "Pat", police, Role.MASH_PRACTITIONER)
    with pytest.raises(services.SharingError, match="Consent was given") as refused:
        decide(db, pat, with_agency_code=csc.code, consent_status="given")
    assert refused.value.field == "para_18_reason"
    decided = decide(
        db, pat, with_agency_code=csc.code, consent_status="given", para_18_reason=None
    )
    assert decided.consent_status == "given"


def test_a_decision_not_to_share_is_recorded_with_reasons_and_no_recipient(
    db: Session, police: Agency, csc: Agency
) -> None:
    pat = person(db, "Pat", police, Role.MASH_PRACTITIONER)
    decided = decide(
        db,
        pat,
        decision="do_not_share",
        consent_status="refused",
        para_18_reason=None,
        categories=[],
        reasons="Historic allegation, no current risk; sharing would not be proportionate.",
    )
    assert decided.decision == "do_not_share"
    assert decided.with_agency_id is None
    assert queries.latest_sharing_choice(db, CHILD, police.id, csc.id) is SharingChoice.DO_NOT_SHARE


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"lawful_basis": None}, "lawful_basis", "Choose the lawful basis"),
        ({"lawful_basis": "because"}, "lawful_basis", "one of public_task"),
        ({"lawful_basis": "consent"}, "lawful_basis", "only when it was given"),
        ({"consent_status": "maybe"}, "consent_status", "given, refused or not sought"),
        ({"para_18_reason": "(d)"}, "para_18_reason", "cannot_be_given"),
        ({"decision": "perhaps"}, "decision", "one of share, do_not_share"),
        ({"categories": []}, "categories", "Choose what you are sharing"),
        ({"categories": ["gossip"]}, "categories", "one of demographics"),
        ({"with_agency_code": None}, "with_agency", "Choose the agency you are sharing with"),
        ({"reasons": " "}, "reasons", "whether or not you share"),
        ({"subject_reference": ""}, "subject", "person's reference"),
        ({"purpose": ""}, "purpose", "Choose the purpose"),
    ],
)
def test_a_sharing_decision_with_missing_or_wrong_answers_is_refused_naming_the_field(
    db: Session,
    police: Agency,
    csc: Agency,
    overrides: dict[str, Any],
    field: str,
    message: str,
) -> None:
    pat = person(db, "Pat", police, Role.MASH_PRACTITIONER)
    overrides = {"with_agency_code": csc.code, **overrides}
    with pytest.raises(services.SharingError, match=message) as refused:
        decide(db, pat, **overrides)
    assert refused.value.field == field


def test_a_sharing_decision_is_a_practitioners_not_a_commands(db: Session, csc: Agency) -> None:
    with pytest.raises(services.SharingError, match="practitioner who made it"):
        decide(db, ADMIN, with_agency_code=csc.code)


def test_a_system_leader_records_no_decision_about_a_person(db: Session, csc: Agency) -> None:
    dana = person(db, "Dana", csc, Role.SYSTEM_LEADER)
    with pytest.raises(services.SharingError, match="system leader does not make decisions"):
        decide(db, dana, with_agency_code=csc.code)


def test_the_latest_decision_for_the_recipient_or_for_everyone_counts(
    db: Session, police: Agency, csc: Agency, frozen_clock: clock.Clock
) -> None:
    pat = person(db, "Pat", police, Role.MASH_PRACTITIONER)
    other = create_agency(db, AgencyKind.ACUTE_TRUST)
    assert queries.latest_sharing_choice(db, CHILD, police.id, csc.id) is None

    decide(db, pat, with_agency_code=csc.code)
    frozen_clock.advance(dt.timedelta(hours=1))
    decide(
        db,
        pat,
        decision="do_not_share",
        consent_status="refused",
        para_18_reason=None,
        with_agency_code=other.code,
    )

    assert queries.latest_sharing_choice(db, CHILD, police.id, csc.id) is SharingChoice.SHARE
    assert (
        queries.latest_sharing_choice(db, CHILD, police.id, other.id) is SharingChoice.DO_NOT_SHARE
    )
    assert queries.latest_sharing_choice(db, "P-someone-else", police.id, csc.id) is None


# --- Break-glass --------------------------------------------------------------------------


def test_break_glass_opens_for_an_hour_with_a_justification(
    db: Session, police: Agency, csc: Agency, frozen_clock: clock.Clock
) -> None:
    bob = person(db, "Bob", csc, Role.MASH_MANAGER)
    grant = decisions.open_break_glass(
        db,
        bob,
        subject_reference=CHILD,
        owner_agency_code=police.code,
        justification="Child missing overnight; police hold the last known address.",
    )

    assert grant.starts_at == TEST_NOW
    assert grant.expires_at == TEST_NOW + dt.timedelta(hours=1)
    assert grant.owner_notified_at is None  # the gate sends the alert
    assert bob.user_id is not None
    assert queries.break_glass_in_force(db, bob.user_id, CHILD, police.id, clock.now()) == grant
    assert queries.break_glass_in_force(db, bob.user_id, CHILD, csc.id, clock.now()) is None
    entry = db.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry is not None and entry.action == "practitioner:break_glass:opened"
    assert CHILD in entry.detail and police.code in entry.detail
    assert "last known address" not in entry.detail  # free text stays off the ledger

    frozen_clock.advance(dt.timedelta(hours=1))
    assert queries.break_glass_in_force(db, bob.user_id, CHILD, police.id, clock.now()) is None


def test_break_glass_over_every_owner_and_for_longer_when_asked(
    db: Session, police: Agency, csc: Agency
) -> None:
    bob = person(db, "Bob", csc, Role.MASH_MANAGER)
    grant = decisions.open_break_glass(
        db,
        bob,
        subject_reference=CHILD,
        justification="Out-of-hours strategy discussion about an unborn baby.",
        duration=dt.timedelta(hours=4),
    )
    assert grant.owner_agency_id is None
    assert grant.expires_at - grant.starts_at == dt.timedelta(hours=4)
    assert bob.user_id is not None
    assert queries.break_glass_in_force(db, bob.user_id, CHILD, police.id, clock.now()) == grant


@pytest.mark.parametrize(
    ("justification", "duration", "field", "message"),
    [
        ("", dt.timedelta(hours=1), "justification", "at least 20 characters"),
        ("Urgent.", dt.timedelta(hours=1), "justification", "who is at risk"),
        ("A" * 40, dt.timedelta(days=2), "duration", "between 5 minutes and 12 hours"),
        ("A" * 40, dt.timedelta(0), "duration", "between 5 minutes and 12 hours"),
    ],
)
def test_break_glass_without_a_justification_or_too_long_is_refused(
    db: Session, csc: Agency, justification: str, duration: dt.timedelta, field: str, message: str
) -> None:
    bob = person(db, "Bob", csc, Role.MASH_MANAGER)
    with pytest.raises(services.SharingError, match=message) as refused:
        decisions.open_break_glass(
            db, bob, subject_reference=CHILD, justification=justification, duration=duration
        )
    assert refused.value.field == field


@pytest.mark.parametrize("role", [Role.SYSTEM_LEADER, Role.IG_LEAD, Role.ADMINISTRATOR])
def test_break_glass_is_only_for_staff_who_work_cases(db: Session, csc: Agency, role: Role) -> None:
    dana = person(db, "Dana", csc, role)
    with pytest.raises(services.SharingError, match="staff who work cases"):
        decisions.open_break_glass(
            db, dana, subject_reference=CHILD, justification="I would like to see the record."
        )


def test_break_glass_is_never_opened_by_a_command(db: Session) -> None:
    with pytest.raises(services.SharingError, match="signed-in practitioner"):
        decisions.open_break_glass(
            db, ADMIN, subject_reference=CHILD, justification="Operator curiosity, not allowed."
        )
