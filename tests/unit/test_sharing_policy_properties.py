"""Properties of the policy decision that hold for any request and any set of agreements."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from joinedup.directory.rules import AgencyKind, Role
from joinedup.sharing.rules import (
    AccessRequest,
    AgreementStatus,
    AgreementTerms,
    Article9Condition,
    DataCategory,
    DecisionBasis,
    Grant,
    OnwardSharing,
    Purpose,
    Sensitivity,
    SharingChoice,
    decide,
)

AGENCIES = st.integers(min_value=1, max_value=4)
TODAY = date(2026, 11, 24)
DAYS = st.integers(min_value=-400, max_value=400).map(lambda n: TODAY + timedelta(days=n))
CATEGORIES = st.sampled_from(DataCategory)


ROLE_SETS = st.frozensets(st.sampled_from(Role), max_size=3)
# One time in four. Hypothesis favours small numbers, so the rare case is the largest.
RARELY = st.integers(min_value=0, max_value=3).map(lambda n: n == 3)
LENGTHS = st.none() | st.integers(min_value=0, max_value=800)
# Grants for any party, role and category: almost never the ones a request needs.
ANY_GRANTS = st.frozensets(
    st.builds(Grant, AGENCIES, st.sampled_from(Role), CATEGORIES), max_size=6
)

requests = st.builds(
    AccessRequest,
    actor_agency_id=AGENCIES,
    actor_agency_kind=st.sampled_from(AgencyKind),
    actor_roles=st.frozensets(st.sampled_from(Role), min_size=1, max_size=3),
    purpose=st.sampled_from(Purpose),
    owner_agency_id=AGENCIES,
    category=CATEGORIES,
    on=DAYS,
    sensitivity=st.sampled_from([Sensitivity.NORMAL] * 4 + list(Sensitivity)),
    owner_allows_beyond_mash=st.none() | st.booleans(),
    involved=RARELY.map(lambda rare: not rare),
    sharing_decision=st.none() | st.sampled_from(SharingChoice),
    break_glass=RARELY,
)


@st.composite
def agreement_for(draw: st.DrawFn, request: AccessRequest, agreement_id: int) -> AgreementTerms:
    """An agreement that usually, but not always, fits the request: random data alone would
    almost never produce one that permits, and the properties about permits would be empty.

    Only strategies built once are drawn from here: building them per draw is slow."""
    both = {request.actor_agency_id, request.owner_agency_id}
    starts_on = draw(DAYS) if draw(RARELY) else request.on - timedelta(days=30)
    length = draw(LENGTHS) if draw(RARELY) else 400
    roles = draw(ROLE_SETS) if draw(RARELY) else request.actor_roles
    return AgreementTerms(
        agreement_id=agreement_id,
        title=f"Agreement {agreement_id}",
        purpose=draw(st.sampled_from(Purpose)) if draw(RARELY) else request.purpose,
        status=draw(st.sampled_from(AgreementStatus)) if draw(RARELY) else AgreementStatus.ACTIVE,
        starts_on=starts_on,
        ends_on=None if length is None else starts_on + timedelta(days=length),
        parties=draw(st.frozensets(AGENCIES, max_size=4)) | (set() if draw(RARELY) else both),
        grants=frozenset(Grant(request.actor_agency_id, r, request.category) for r in roles)
        | draw(ANY_GRANTS),
        onward_sharing=draw(st.sampled_from(OnwardSharing)),
        article_9_condition=(
            draw(st.none() | st.sampled_from(Article9Condition))
            if draw(RARELY)
            else Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST
        ),
        schedule_1_condition="" if draw(RARELY) else "DPA 2018 Schedule 1 paragraph 18",
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[AccessRequest, list[AgreementTerms]]:
    request = draw(requests)
    count = draw(st.integers(min_value=1, max_value=4))
    return request, [draw(agreement_for(request, n)) for n in range(1, count + 1)]


Scenario = tuple[AccessRequest, list[AgreementTerms]]


@given(scenarios())
def test_a_denial_never_cites_an_agreement_nor_break_glass(scenario: Scenario) -> None:
    decision = decide(*scenario)
    if not decision.permitted:
        assert decision.agreement_id is None
        assert not decision.break_glass
        assert decision.reason.startswith("Withheld:")


@given(scenarios())
def test_an_agreement_relied_on_is_in_force_names_both_agencies_and_grants_the_role(
    scenario: Scenario,
) -> None:
    request, terms = scenario
    decision = decide(request, terms)
    if decision.basis is DecisionBasis.AGREEMENT:
        (relied,) = [t for t in terms if t.agreement_id == decision.agreement_id]
        assert relied.status is AgreementStatus.ACTIVE
        assert relied.in_force(request.on)
        assert {request.actor_agency_id, request.owner_agency_id} <= relied.parties
        assert relied.purpose is request.purpose
        assert relied.covers(request.category)
        roles = request.actor_roles - {Role.SYSTEM_LEADER}
        assert relied.grants_to(request.actor_agency_id, roles, request.category)
        assert request.involved
        assert request.sensitivity is not Sensitivity.RESTRICTED
        assert request.sharing_decision is not SharingChoice.DO_NOT_SHARE


@given(scenarios(), st.sampled_from(AgreementStatus))
def test_a_suspended_expired_or_unsigned_agreement_is_never_relied_on(
    scenario: Scenario, status: AgreementStatus
) -> None:
    request, terms = scenario
    decision = decide(request, terms)
    if decision.basis is DecisionBasis.AGREEMENT and status is not AgreementStatus.ACTIVE:
        changed = [
            dataclasses.replace(t, status=status) if t.agreement_id == decision.agreement_id else t
            for t in terms
        ]
        assert decide(request, changed).agreement_id != decision.agreement_id


@given(scenarios(), st.data())
def test_adding_an_unrelated_agreement_never_changes_a_decision(
    scenario: Scenario, data: st.DataObject
) -> None:
    request, terms = scenario
    extra = data.draw(agreement_for(request, agreement_id=0))  # lowest id: it would win a tie
    # Unrelated: one of the two agencies is not a party, or it is for another purpose.
    how = data.draw(st.sampled_from(["actor", "owner", "purpose"]))
    if how == "purpose":
        other = next(p for p in Purpose if p is not request.purpose)
        unrelated = dataclasses.replace(extra, purpose=other)
    else:
        left_out = request.actor_agency_id if how == "actor" else request.owner_agency_id
        unrelated = dataclasses.replace(extra, parties=extra.parties - {left_out})
    assert decide(request, [unrelated, *terms]) == decide(request, terms)


@given(scenarios())
def test_removing_the_agreement_relied_on_leaves_only_other_agreements_or_a_denial(
    scenario: Scenario,
) -> None:
    request, terms = scenario
    decision = decide(request, terms)
    remaining = list(terms)
    while decision.basis is DecisionBasis.AGREEMENT:
        removed = decision.agreement_id
        remaining = [t for t in remaining if t.agreement_id != removed]
        decision = decide(request, remaining)
        # Another agreement may also permit, but never the one just removed.
        assert decision.agreement_id != removed
    own = request.actor_agency_id == request.owner_agency_id
    assert not decision.permitted or own or decision.break_glass


@given(scenarios(), st.randoms(use_true_random=False))
def test_the_decision_is_deterministic_whatever_the_order_of_agreements(
    scenario: Scenario, rng: random.Random
) -> None:
    request, terms = scenario
    shuffled = list(terms)
    rng.shuffle(shuffled)
    assert decide(request, terms) == decide(request, terms) == decide(request, shuffled)


@given(scenarios())
def test_a_system_leader_alone_is_always_refused_even_with_break_glass(scenario: Scenario) -> None:
    request, terms = scenario
    leader = dataclasses.replace(request, actor_roles=frozenset({Role.SYSTEM_LEADER}))
    decision = decide(leader, terms)
    assert decision.basis is DecisionBasis.SYSTEM_LEADER
    assert not decision.permitted


@given(scenarios())
def test_break_glass_permits_anyone_with_a_working_role_and_never_takes_a_permit_away(
    scenario: Scenario,
) -> None:
    request, terms = scenario
    without = decide(dataclasses.replace(request, break_glass=False), terms)
    with_it = decide(dataclasses.replace(request, break_glass=True), terms)
    assert with_it.permitted == bool(request.actor_roles - {Role.SYSTEM_LEADER})
    if without.permitted:
        assert with_it == without
    else:
        assert with_it.break_glass == with_it.permitted


@given(scenarios())
def test_a_partner_not_working_the_case_is_refused_without_break_glass(scenario: Scenario) -> None:
    request, terms = scenario
    outsider = dataclasses.replace(request, involved=False, break_glass=False)
    if request.actor_agency_id != request.owner_agency_id:
        assert not decide(outsider, terms).permitted


@given(scenarios())
def test_an_agencys_own_unrestricted_records_are_open_to_its_working_staff(
    scenario: Scenario,
) -> None:
    request, terms = scenario
    own = dataclasses.replace(
        request, owner_agency_id=request.actor_agency_id, sensitivity=Sensitivity.NORMAL
    )
    expected = (
        DecisionBasis.OWN_AGENCY
        if request.actor_roles - {Role.SYSTEM_LEADER}
        else (DecisionBasis.SYSTEM_LEADER if request.actor_roles else DecisionBasis.NO_ROLE)
    )
    assert decide(own, terms).basis is expected
