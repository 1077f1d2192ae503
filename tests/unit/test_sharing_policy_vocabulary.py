"""The vocabulary of sharing: categories and the law that governs each, and agreement statuses."""

from __future__ import annotations

import pytest

from joinedup.directory.rules import AgencyKind, Role
from joinedup.sharing.rules import (
    ALLOWED_TRANSITIONS,
    CARE_PROFESSION_KINDS,
    GRANTABLE_ROLES,
    AgreementStatus,
    Article9Condition,
    ConsentStatus,
    DataCategory,
    LawfulBasis,
    OnwardSharing,
    Para18Reason,
    Purpose,
    can_move,
)

S = AgreementStatus


def test_health_mental_health_and_substance_misuse_are_special_category_data() -> None:
    special = {c for c in DataCategory if c.special_category}
    assert special == {
        DataCategory.HEALTH,
        DataCategory.MENTAL_HEALTH,
        DataCategory.SUBSTANCE_MISUSE,
    }


def test_intelligence_offences_and_domestic_abuse_are_criminal_offence_data() -> None:
    criminal = {c for c in DataCategory if c.criminal_offence_data}
    assert criminal == {
        DataCategory.POLICE_INTELLIGENCE,
        DataCategory.CRIMINAL_OFFENCE,
        DataCategory.DOMESTIC_ABUSE,
    }


def test_both_kinds_need_a_schedule_1_condition_and_the_rest_do_not() -> None:
    for category in DataCategory:
        assert category.needs_schedule_1_condition == (
            category.special_category or category.criminal_offence_data
        )
    assert not DataCategory.DEMOGRAPHICS.needs_schedule_1_condition


@pytest.mark.parametrize(
    "vocabulary",
    [DataCategory, Purpose, LawfulBasis, Article9Condition, OnwardSharing, Para18Reason],
)
def test_every_term_has_a_label_for_people(vocabulary: type[DataCategory]) -> None:
    labels = [member.label for member in vocabulary]
    # Sentence case, or a paragraph 18 letter: "(a) consent cannot be given".
    assert all(label[0].isupper() or label.startswith("(") for label in labels)
    assert len(set(labels)) == len(labels)


def test_lawful_bases_name_their_article() -> None:
    assert "6(1)(e)" in LawfulBasis.PUBLIC_TASK.label
    assert "6(1)(c)" in LawfulBasis.LEGAL_OBLIGATION.label
    assert "6(1)(d)" in LawfulBasis.VITAL_INTERESTS.label
    assert "6(1)(a)" in LawfulBasis.CONSENT.label


def test_each_article_9_condition_names_its_schedule_1_condition() -> None:
    public_interest = Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST
    assert "9(2)(g)" in public_interest.label
    assert "Part 2 paragraph 18" in public_interest.schedule_1_condition
    care = Article9Condition.HEALTH_OR_SOCIAL_CARE
    assert "9(2)(h)" in care.label
    assert "paragraph 2" in care.schedule_1_condition


def test_paragraph_18_reasons_are_the_three_in_the_act_in_order() -> None:
    assert [r.label[:3] for r in Para18Reason] == ["(a)", "(b)", "(c)"]
    assert [s.value for s in ConsentStatus] == ["given", "refused", "not_sought"]


def test_an_agreement_is_signed_before_it_is_active() -> None:
    assert not can_move(S.DRAFT, S.ACTIVE)
    assert can_move(S.DRAFT, S.SIGNED)
    assert can_move(S.SIGNED, S.ACTIVE)


def test_an_active_agreement_can_be_suspended_and_resumed() -> None:
    assert can_move(S.ACTIVE, S.SUSPENDED)
    assert can_move(S.SUSPENDED, S.ACTIVE)
    assert not can_move(S.SIGNED, S.SUSPENDED)


def test_expiry_is_reachable_from_every_status_and_final() -> None:
    for status in AgreementStatus:
        if status is not S.EXPIRED:
            assert can_move(status, S.EXPIRED)
    assert ALLOWED_TRANSITIONS[S.EXPIRED] == frozenset()


def test_no_status_moves_back_to_draft() -> None:
    assert not any(can_move(status, S.DRAFT) for status in AgreementStatus)


def test_a_system_leader_can_never_be_granted_a_category() -> None:
    assert Role.SYSTEM_LEADER not in GRANTABLE_ROLES
    assert GRANTABLE_ROLES | {Role.SYSTEM_LEADER} == set(Role)


def test_art_9_2_h_recipients_are_health_and_social_care() -> None:
    assert AgencyKind.GP_PRACTICE in CARE_PROFESSION_KINDS
    assert AgencyKind.ADULT_SOCIAL_CARE in CARE_PROFESSION_KINDS
    assert AgencyKind.POLICE not in CARE_PROFESSION_KINDS
    assert AgencyKind.SCHOOL not in CARE_PROFESSION_KINDS
