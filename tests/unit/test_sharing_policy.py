"""The policy decision: who may see which category of whose record, and why not.

A small MASH: the police (1), children's social care (2, the MASH managers), an acute trust
(3), the education safeguarding service (4) and probation (5) are parties to one children's
agreement (10). Charlie's voluntary-sector agency (9) is party to nothing.

Alice is a police referrer, Pat a police MASH practitioner, Bob the MASH manager, Hana a
health MASH practitioner, Erin the education service's MASH practitioner, Charlie an outsider
and Dana a system leader.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from joinedup.directory.rules import AgencyKind, Role
from joinedup.sharing.rules import (
    AccessRequest,
    AgreementStatus,
    AgreementTerms,
    Article9Condition,
    DataCategory,
    Decision,
    DecisionBasis,
    Grant,
    OnwardSharing,
    Purpose,
    Sensitivity,
    SharingChoice,
    decide,
)

POLICE, CSC, HEALTH, EDUCATION, PROBATION, VOLUNTARY = 1, 2, 3, 4, 5, 9
TODAY = date(2026, 11, 24)
C = DataCategory


def grants(agency: int, role: Role, *categories: DataCategory) -> set[Grant]:
    return {Grant(agency, role, category) for category in categories}


CHILDREN = AgreementTerms(
    agreement_id=10,
    title="MASH: safeguarding children",
    purpose=Purpose.SAFEGUARDING_CHILDREN,
    status=AgreementStatus.ACTIVE,
    starts_on=date(2026, 1, 1),
    ends_on=date(2028, 12, 31),
    parties=frozenset({POLICE, CSC, HEALTH, EDUCATION, PROBATION}),
    grants=frozenset(
        grants(CSC, Role.MASH_MANAGER, *(c for c in DataCategory if c is not C.HOUSING))
        | grants(POLICE, Role.MASH_PRACTITIONER, C.DEMOGRAPHICS, C.CRIMINAL_OFFENCE)
        | grants(POLICE, Role.REFERRER, C.DEMOGRAPHICS)
        | grants(HEALTH, Role.MASH_PRACTITIONER, C.DEMOGRAPHICS, C.HEALTH, C.MENTAL_HEALTH)
        # The gap: no criminal offence data for the education service.
        | grants(EDUCATION, Role.MASH_PRACTITIONER, C.DEMOGRAPHICS, C.EDUCATION)
    ),
    onward_sharing=OnwardSharing.ORIGINATOR_CONSENT_REQUIRED,
    article_9_condition=Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST,
    schedule_1_condition=Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST.schedule_1_condition,
)

PEOPLE: dict[str, tuple[int, AgencyKind, frozenset[Role]]] = {
    "alice": (POLICE, AgencyKind.POLICE, frozenset({Role.REFERRER})),
    "pat": (POLICE, AgencyKind.POLICE, frozenset({Role.MASH_PRACTITIONER})),
    "ian": (POLICE, AgencyKind.POLICE, frozenset({Role.IG_LEAD})),
    "bob": (CSC, AgencyKind.CHILDRENS_SOCIAL_CARE, frozenset({Role.MASH_MANAGER})),
    "hana": (HEALTH, AgencyKind.ACUTE_TRUST, frozenset({Role.MASH_PRACTITIONER})),
    "erin": (EDUCATION, AgencyKind.SCHOOL, frozenset({Role.MASH_PRACTITIONER})),
    "charlie": (VOLUNTARY, AgencyKind.VOLUNTARY, frozenset({Role.MASH_PRACTITIONER})),
    "dana": (CSC, AgencyKind.CHILDRENS_SOCIAL_CARE, frozenset({Role.SYSTEM_LEADER})),
    "nobody": (CSC, AgencyKind.CHILDRENS_SOCIAL_CARE, frozenset()),
}


def ask(
    who: str,
    owner: int,
    category: DataCategory,
    agreements: tuple[AgreementTerms, ...] = (CHILDREN,),
    **overrides: Any,
) -> Decision:
    agency, kind, roles = PEOPLE[who]
    request = AccessRequest(
        actor_agency_id=agency,
        actor_agency_kind=kind,
        actor_roles=roles,
        purpose=Purpose.SAFEGUARDING_CHILDREN,
        owner_agency_id=owner,
        category=category,
        on=TODAY,
        involved=True,
    )
    return decide(dataclasses.replace(request, **overrides), agreements)


def terms(**changes: Any) -> AgreementTerms:
    return dataclasses.replace(CHILDREN, **changes)


# name: (who, owner, category, overrides, agreements, expected basis)
CASES: dict[str, tuple[str, int, DataCategory, dict[str, Any], tuple[AgreementTerms, ...], str]] = {
    # Need to know, under the agreement
    "Bob sees police intelligence on a child he is working": (
        "bob", POLICE, C.POLICE_INTELLIGENCE, {}, (CHILDREN,), "agreement"
    ),
    "Bob does not see a child he is not working": (
        "bob", POLICE, C.POLICE_INTELLIGENCE, {"involved": False}, (CHILDREN,), "not_involved"
    ),
    "Bob may break glass for a child he is not working": (
        "bob", POLICE, C.POLICE_INTELLIGENCE,
        {"involved": False, "break_glass": True}, (CHILDREN,), "break_glass",
    ),
    "Hana sees the acute trust's health record as her own agency's": (
        "hana", HEALTH, C.HEALTH, {"involved": False}, (), "own_agency"
    ),
    "Hana sees probation's demographics for a child she is working": (
        "hana", PROBATION, C.DEMOGRAPHICS, {}, (CHILDREN,), "agreement"
    ),
    # The owner's own staff
    "Alice sees her own force's intelligence without an agreement": (
        "alice", POLICE, C.POLICE_INTELLIGENCE, {"involved": False}, (), "own_agency"
    ),
    "Alice sees her force's sensitive record": (
        "alice", POLICE, C.POLICE_INTELLIGENCE,
        {"involved": False, "sensitivity": Sensitivity.SENSITIVE}, (), "own_agency",
    ),
    "Alice needs to be working the case to see her force's restricted record": (
        "alice", POLICE, C.POLICE_INTELLIGENCE,
        {"involved": False, "sensitivity": Sensitivity.RESTRICTED}, (), "restricted",
    ),
    "Alice sees her force's restricted record on a case she works": (
        "alice", POLICE, C.POLICE_INTELLIGENCE,
        {"sensitivity": Sensitivity.RESTRICTED}, (), "own_agency",
    ),
    "Alice may break glass on her force's restricted record": (
        "alice", POLICE, C.POLICE_INTELLIGENCE,
        {"involved": False, "sensitivity": Sensitivity.RESTRICTED, "break_glass": True},
        (), "break_glass",
    ),
    "A recorded decision not to share does not bind the owner's own staff": (
        "alice", POLICE, C.POLICE_INTELLIGENCE,
        {"sharing_decision": SharingChoice.DO_NOT_SHARE}, (), "own_agency",
    ),
    # Referrers see outcomes, not partners' research (originator control)
    "Alice the referrer does not see social care's demographics unless the owner agrees": (
        "alice", CSC, C.DEMOGRAPHICS, {}, (CHILDREN,), "originator_control"
    ),
    "Alice sees social care's demographics when the owner agrees": (
        "alice", CSC, C.DEMOGRAPHICS, {"owner_allows_beyond_mash": True}, (CHILDREN,),
        "agreement",
    ),
    "Alice never sees a partner's sensitive record, even when the owner agrees": (
        "alice", CSC, C.DEMOGRAPHICS,
        {"owner_allows_beyond_mash": True, "sensitivity": Sensitivity.SENSITIVE},
        (CHILDREN,), "originator_control",
    ),
    "Bob, in the MASH, sees a partner's sensitive record": (
        "bob", HEALTH, C.HEALTH, {"sensitivity": Sensitivity.SENSITIVE}, (CHILDREN,), "agreement"
    ),
    "Within-MASH terms keep Alice out even when the owner agrees": (
        "alice", CSC, C.DEMOGRAPHICS, {"owner_allows_beyond_mash": True},
        (terms(onward_sharing=OnwardSharing.WITHIN_MASH),), "originator_control",
    ),
    "To-parties terms let Alice see it when the owner has not said no": (
        "alice", CSC, C.DEMOGRAPHICS, {},
        (terms(onward_sharing=OnwardSharing.TO_PARTIES),), "agreement",
    ),
    "To-parties terms still respect an owner who said no": (
        "alice", CSC, C.DEMOGRAPHICS, {"owner_allows_beyond_mash": False},
        (terms(onward_sharing=OnwardSharing.TO_PARTIES),), "originator_control",
    ),
    "Alice does not see social care history: her role is not granted it": (
        "alice", CSC, C.SOCIAL_CARE_HISTORY, {}, (CHILDREN,), "role_not_granted"
    ),
    # Agreements: parties, purpose, category, role, dates, status
    "Charlie's agency is party to no agreement": (
        "charlie", CSC, C.DEMOGRAPHICS, {}, (CHILDREN,), "no_agreement"
    ),
    "Charlie may break glass without an agreement": (
        "charlie", CSC, C.DEMOGRAPHICS, {"break_glass": True}, (CHILDREN,), "break_glass"
    ),
    "Charlie's own records are his agency's": (
        "charlie", VOLUNTARY, C.DEMOGRAPHICS, {}, (), "own_agency"
    ),
    "An agreement without the owner as a party is not relied on": (
        "bob", POLICE, C.DEMOGRAPHICS, {},
        (terms(parties=CHILDREN.parties - {POLICE}),), "no_agreement",
    ),
    "A children's agreement does not cover safeguarding adults": (
        "bob", POLICE, C.DEMOGRAPHICS, {"purpose": Purpose.SAFEGUARDING_ADULTS},
        (CHILDREN,), "no_agreement",
    ),
    "Nobody is granted housing, so no agreement covers it": (
        "bob", POLICE, C.HOUSING, {}, (CHILDREN,), "category_not_covered"
    ),
    "Pat, police, is not granted health": (
        "pat", HEALTH, C.HEALTH, {}, (CHILDREN,), "role_not_granted"
    ),
    "The gap: Erin, education, is not granted probation's criminal offence data": (
        "erin", PROBATION, C.CRIMINAL_OFFENCE, {}, (CHILDREN,), "role_not_granted"
    ),
    "Pat, police, is granted probation's criminal offence data": (
        "pat", PROBATION, C.CRIMINAL_OFFENCE, {}, (CHILDREN,), "agreement"
    ),
    "A suspended agreement is not relied on": (
        "bob", POLICE, C.DEMOGRAPHICS, {}, (terms(status=AgreementStatus.SUSPENDED),),
        "no_agreement",
    ),
    "An expired agreement is not relied on": (
        "bob", POLICE, C.DEMOGRAPHICS, {}, (terms(status=AgreementStatus.EXPIRED),),
        "no_agreement",
    ),
    "A signed agreement not yet activated is not relied on": (
        "bob", POLICE, C.DEMOGRAPHICS, {}, (terms(status=AgreementStatus.SIGNED),),
        "no_agreement",
    ),
    "An active agreement past its end date is not relied on": (
        "bob", POLICE, C.DEMOGRAPHICS, {}, (terms(ends_on=date(2026, 11, 23)),), "no_agreement"
    ),
    "An active agreement is relied on on its last day": (
        "bob", POLICE, C.DEMOGRAPHICS, {}, (terms(ends_on=TODAY),), "agreement"
    ),
    "An active agreement not yet started is not relied on": (
        "bob", POLICE, C.DEMOGRAPHICS, {}, (terms(starts_on=date(2026, 11, 25)),),
        "no_agreement",
    ),
    "An open-ended agreement is relied on": (
        "bob", POLICE, C.DEMOGRAPHICS, {}, (terms(ends_on=None),), "agreement"
    ),
    # The law on special category and criminal offence data
    "Without an Art 9 condition an agreement covers no health data": (
        "bob", HEALTH, C.HEALTH, {}, (terms(article_9_condition=None),), "category_not_covered"
    ),
    "Without a Schedule 1 condition an agreement covers no criminal offence data": (
        "bob", PROBATION, C.CRIMINAL_OFFENCE, {}, (terms(schedule_1_condition=" "),),
        "category_not_covered",
    ),
    "Under Art 9(2)(h) social care receives health data": (
        "bob", HEALTH, C.HEALTH, {},
        (terms(article_9_condition=Article9Condition.HEALTH_OR_SOCIAL_CARE),), "agreement",
    ),
    "Under Art 9(2)(h) the police do not receive health data even when granted": (
        "pat", HEALTH, C.HEALTH, {},
        (
            terms(
                article_9_condition=Article9Condition.HEALTH_OR_SOCIAL_CARE,
                grants=CHILDREN.grants | grants(POLICE, Role.MASH_PRACTITIONER, C.HEALTH),
            ),
        ),
        "care_professionals_only",
    ),
    # Markings and recorded decisions on the record
    "Bob does not see a partner's restricted record": (
        "bob", POLICE, C.POLICE_INTELLIGENCE, {"sensitivity": Sensitivity.RESTRICTED},
        (CHILDREN,), "restricted",
    ),
    "Bob may break glass on a partner's restricted record": (
        "bob", POLICE, C.POLICE_INTELLIGENCE,
        {"sensitivity": Sensitivity.RESTRICTED, "break_glass": True}, (CHILDREN,), "break_glass",
    ),
    "A decision not to share keeps partners out": (
        "bob", POLICE, C.POLICE_INTELLIGENCE, {"sharing_decision": SharingChoice.DO_NOT_SHARE},
        (CHILDREN,), "do_not_share",
    ),
    "A decision to share changes nothing the agreement does not allow": (
        "alice", CSC, C.SOCIAL_CARE_HISTORY, {"sharing_decision": SharingChoice.SHARE},
        (CHILDREN,), "role_not_granted",
    ),
    "Break-glass sets aside a decision not to share": (
        "bob", POLICE, C.POLICE_INTELLIGENCE,
        {"sharing_decision": SharingChoice.DO_NOT_SHARE, "break_glass": True},
        (CHILDREN,), "break_glass",
    ),
    # Roles that reach nothing
    "Dana the system leader sees no person's record": (
        "dana", POLICE, C.DEMOGRAPHICS, {}, (CHILDREN,), "system_leader"
    ),
    "Dana does not see her own agency's records either": (
        "dana", CSC, C.DEMOGRAPHICS, {}, (), "system_leader"
    ),
    "Break-glass does not open records to a system leader": (
        "dana", CSC, C.DEMOGRAPHICS, {"break_glass": True}, (CHILDREN,), "system_leader"
    ),
    "Someone with no role sees nothing, break-glass or not": (
        "nobody", CSC, C.DEMOGRAPHICS, {"break_glass": True}, (), "no_role"
    ),
    "Ian the IG lead is granted nothing by the agreement": (
        "ian", CSC, C.DEMOGRAPHICS, {}, (CHILDREN,), "role_not_granted"
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_the_policy_decides(name: str) -> None:
    who, owner, category, overrides, agreements, expected = CASES[name]
    decision = ask(who, owner, category, agreements, **overrides)

    assert decision.basis == expected, decision.reason
    assert decision.permitted == (expected in {"agreement", "own_agency", "break_glass"})
    assert decision.break_glass == (expected == "break_glass")
    if expected == "agreement":
        assert decision.agreement_id == agreements[0].agreement_id
    else:
        assert decision.agreement_id is None


PERMITS = {"agreement", "own_agency", "break_glass"}


@pytest.mark.parametrize("name", [n for n, case in CASES.items() if case[-1] not in PERMITS])
def test_a_refusal_says_what_was_withheld_and_what_to_do(name: str) -> None:
    who, owner, category, overrides, agreements, _ = CASES[name]
    decision = ask(who, owner, category, agreements, **overrides)
    assert decision.reason.startswith("Withheld:")
    assert category.label.lower() in decision.reason
    assert "ask" in decision.reason


@pytest.mark.parametrize("name", [n for n, case in CASES.items() if case[-1] == "break_glass"])
def test_break_glass_permits_only_what_would_otherwise_be_withheld(name: str) -> None:
    who, owner, category, overrides, agreements, _ = CASES[name]
    without = ask(who, owner, category, agreements, **{**overrides, "break_glass": False})
    with_it = ask(who, owner, category, agreements, **overrides)
    assert not without.permitted
    assert with_it.overridden is without.basis


def test_the_reason_for_the_gap_is_the_one_a_practitioner_reads() -> None:
    decision = ask("erin", PROBATION, C.CRIMINAL_OFFENCE)
    assert decision.reason == (
        "Withheld: no agreement covers criminal offences and convictions for your role; "
        "ask your IG lead."
    )


def test_break_glass_says_what_it_set_aside_and_that_the_owner_is_told() -> None:
    decision = ask("bob", POLICE, C.POLICE_INTELLIGENCE, involved=False, break_glass=True)
    assert decision.overridden is DecisionBasis.NOT_INVOLVED
    assert decision.outcome == "permit"
    assert "break-glass" in decision.reason and "need to know" in decision.reason
    assert "told" in decision.reason


def test_break_glass_is_not_used_when_the_agreement_already_permits() -> None:
    decision = ask("bob", POLICE, C.POLICE_INTELLIGENCE, break_glass=True)
    assert decision.basis is DecisionBasis.AGREEMENT
    assert not decision.break_glass and decision.overridden is None


def test_a_system_leader_who_also_manages_the_mash_sees_as_a_manager() -> None:
    decision = ask(
        "bob", POLICE, C.POLICE_INTELLIGENCE, actor_roles={Role.MASH_MANAGER, Role.SYSTEM_LEADER}
    )
    assert decision.basis is DecisionBasis.AGREEMENT


def test_a_system_leader_grant_in_an_agreement_reaches_nothing() -> None:
    granted = terms(grants=CHILDREN.grants | grants(CSC, Role.SYSTEM_LEADER, C.DEMOGRAPHICS))
    decision = ask("dana", POLICE, C.DEMOGRAPHICS, (granted,))
    assert decision.basis is DecisionBasis.SYSTEM_LEADER


def test_a_referrer_who_is_also_in_the_mash_sees_through_the_mash_grant() -> None:
    decision = ask("pat", CSC, C.DEMOGRAPHICS, actor_roles={Role.REFERRER, Role.MASH_PRACTITIONER})
    assert decision.basis is DecisionBasis.AGREEMENT


def test_of_two_agreements_that_permit_the_earlier_is_relied_on_whatever_the_order() -> None:
    later = terms(agreement_id=42, title="Later")
    assert ask("bob", POLICE, C.DEMOGRAPHICS, (later, CHILDREN)).agreement_id == 10
    assert ask("bob", POLICE, C.DEMOGRAPHICS, (CHILDREN, later)).agreement_id == 10


def test_an_agreement_that_fails_one_test_does_not_hide_one_that_passes() -> None:
    suspended = terms(agreement_id=5, status=AgreementStatus.SUSPENDED)
    decision = ask("bob", POLICE, C.DEMOGRAPHICS, (suspended, CHILDREN))
    assert decision.agreement_id == 10


def test_the_permit_names_the_agreement_relied_on() -> None:
    decision = ask("bob", POLICE, C.POLICE_INTELLIGENCE)
    assert decision.reason == "Shown under “MASH: safeguarding children”."
