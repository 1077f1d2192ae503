"""The agreements in the database drive the policy: active_terms feeds decide, end to end, and
IG leads find their agreements and those due for review, on both databases.

The MASH: police, children's social care, the education safeguarding service and probation,
each with an IG lead, under one children's agreement. Bob is the MASH manager, Pat a police
MASH practitioner, Erin the education service's MASH practitioner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from joinedup.accounts.queries import actor_for_user
from joinedup.actor import Actor
from joinedup.directory.models import Agency
from joinedup.directory.rules import AgencyKind, Role
from joinedup.sharing import queries, services
from joinedup.sharing.models import Agreement
from joinedup.sharing.rules import (
    AccessRequest,
    DataCategory,
    DecisionBasis,
    Purpose,
    decide,
)
from tests.factories import ADMIN, create_agency, create_user

TODAY = dt.date(2026, 11, 24)
pytestmark = pytest.mark.usefixtures("frozen_clock")


def person(db: Session, name: str, agency: Agency, *roles: Role) -> Actor:
    # No password: hashing one (argon2) would only slow the tests.
    return actor_for_user(create_user(db, name, roles=roles, agency=agency, password=None))


def agreement(
    db: Session,
    title: str,
    parties: dict[Agency, list[tuple[str, str]]],
    activate: bool = True,
    **overrides: Any,
) -> Agreement:
    """An agreement drafted by an operator's command, signed by every party's IG lead."""
    fields: dict[str, Any] = {
        "title": title,
        "purpose": "safeguarding_children",
        "lawful_basis": "public_task",
        "article_9_condition": "substantial_public_interest",
        "starts_on": TODAY,
        "review_on": TODAY + dt.timedelta(days=365),
        "ends_on": TODAY + dt.timedelta(days=1095),
        "retention_days": 2190,
    }
    drafted = services.draft_agreement(db, ADMIN, **{**fields, **overrides})
    for agency, grants in parties.items():
        services.add_party(db, ADMIN, drafted.id, agency.code)
        for role, category in grants:
            services.grant(db, ADMIN, drafted.id, agency.code, role, category)
    for agency in parties:
        services.sign(db, person(db, f"IG{agency.id}", agency, Role.IG_LEAD), drafted.id)
    return services.activate(db, ADMIN, drafted.id) if activate else drafted


class Mash:
    def __init__(self, db: Session) -> None:
        self.police = create_agency(db, AgencyKind.POLICE)
        self.csc = create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE)
        self.education = create_agency(db, AgencyKind.SCHOOL)
        self.probation = create_agency(db, AgencyKind.PROBATION)
        self.bob = person(db, "Bob", self.csc, Role.MASH_MANAGER)
        self.pat = person(db, "Pat", self.police, Role.MASH_PRACTITIONER)
        self.erin = person(db, "Erin", self.education, Role.MASH_PRACTITIONER)
        self.children = agreement(
            db,
            "MASH: safeguarding children",
            {
                self.csc: [("mash_manager", c.value) for c in DataCategory],
                self.police: [("mash_practitioner", "criminal_offence")],
                self.education: [("mash_practitioner", "demographics")],
                self.probation: [],
            },
        )


def ask(actor: Actor, owner: Agency, category: DataCategory, db: Session, **more: Any) -> Any:
    assert actor.agency_id is not None and actor.agency_kind is not None
    request = AccessRequest(
        actor_agency_id=actor.agency_id,
        actor_agency_kind=actor.agency_kind,
        actor_roles=actor.roles,
        purpose=more.pop("purpose", Purpose.SAFEGUARDING_CHILDREN),
        owner_agency_id=owner.id,
        category=category,
        on=more.pop("on", TODAY),
        involved=True,
        **more,
    )
    return decide(request, queries.active_terms(db, request.on))


def test_the_mash_manager_sees_what_the_agreement_in_the_database_grants(db: Session) -> None:
    mash = Mash(db)
    decision = ask(mash.bob, mash.police, DataCategory.POLICE_INTELLIGENCE, db)
    assert decision.permitted
    assert decision.agreement_id == mash.children.id
    assert decision.reason == "Shown under “MASH: safeguarding children”."


def test_the_gap_shows_end_to_end(db: Session) -> None:
    mash = Mash(db)
    decision = ask(mash.erin, mash.probation, DataCategory.CRIMINAL_OFFENCE, db)
    assert decision.basis is DecisionBasis.ROLE_NOT_GRANTED
    assert decision.reason == (
        "Withheld: no agreement covers criminal offences and convictions for your role; "
        "ask your IG lead."
    )
    assert ask(mash.pat, mash.probation, DataCategory.CRIMINAL_OFFENCE, db).permitted


def test_suspending_the_agreement_withdraws_what_it_granted_at_once(db: Session) -> None:
    mash = Mash(db)
    services.suspend(db, ADMIN, mash.children.id, "A party has withdrawn")
    decision = ask(mash.bob, mash.police, DataCategory.POLICE_INTELLIGENCE, db)
    assert decision.basis is DecisionBasis.NO_AGREEMENT


def test_an_agreement_is_relied_on_only_between_its_dates(db: Session) -> None:
    mash = Mash(db)
    assert mash.children.ends_on is not None
    last_day = mash.children.ends_on
    assert ask(mash.bob, mash.police, DataCategory.HEALTH, db, on=last_day).permitted
    after = last_day + dt.timedelta(days=1)
    assert not ask(mash.bob, mash.police, DataCategory.HEALTH, db, on=after).permitted
    before = TODAY - dt.timedelta(days=1)
    assert not ask(mash.bob, mash.police, DataCategory.HEALTH, db, on=before).permitted


def test_an_agency_outside_the_agreement_is_refused(db: Session) -> None:
    mash = Mash(db)
    charlie = person(db, "Charlie", create_agency(db, AgencyKind.VOLUNTARY), Role.MASH_PRACTITIONER)
    decision = ask(charlie, mash.police, DataCategory.DEMOGRAPHICS, db)
    assert decision.basis is DecisionBasis.NO_AGREEMENT


def test_the_adults_purpose_is_not_covered_by_the_childrens_agreement(db: Session) -> None:
    mash = Mash(db)
    adults = Purpose.SAFEGUARDING_ADULTS
    decision = ask(mash.bob, mash.police, DataCategory.DEMOGRAPHICS, db, purpose=adults)
    assert decision.basis is DecisionBasis.NO_AGREEMENT


@contextmanager
def counted(db: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = db.get_bind()

    def count(*args: Any) -> None:
        if args[2].lstrip().upper().startswith("SELECT"):  # not the test's savepoints
            statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_active_terms_are_loaded_in_two_queries_with_every_party_and_grant(db: Session) -> None:
    mash = Mash(db)
    agreement(
        db,
        "MASH: safeguarding adults",
        {mash.police: [("mash_practitioner", "demographics")], mash.csc: []},
        purpose="safeguarding_adults",
    )
    agreement(
        db, "Signed, not active", {mash.police: [("referrer", "housing")], mash.csc: []}, False
    )
    db.expire_all()

    with counted(db) as statements:
        terms = queries.active_terms(db, TODAY)

    assert len(statements) == 2
    by_title = {t.title: t for t in terms}
    assert set(by_title) == {"MASH: safeguarding children", "MASH: safeguarding adults"}
    children = by_title["MASH: safeguarding children"]
    assert children.parties == {mash.police.id, mash.csc.id, mash.education.id, mash.probation.id}
    assert len(children.grants) == len(DataCategory) + 2
    assert queries.terms_of(mash.children) == children


def test_an_ig_lead_finds_their_agencys_agreements(db: Session) -> None:
    mash = Mash(db)
    other = create_agency(db, AgencyKind.HOUSING)
    agreement(db, "Housing and police", {mash.police: [("referrer", "housing")], other: []})

    titles = [a.title for a in queries.agreements_for_agency(db, mash.police.id)]
    assert titles == ["Housing and police", "MASH: safeguarding children"]
    assert [a.title for a in queries.agreements_for_agency(db, mash.education.id)] == [
        "MASH: safeguarding children"
    ]


def test_agreements_due_for_review_or_ending_soon_are_listed_soonest_first(db: Session) -> None:
    mash = Mash(db)
    soon = agreement(
        db,
        "Review soon",
        {mash.police: [("mash_practitioner", "demographics")], mash.csc: []},
        review_on=TODAY + dt.timedelta(days=20),
        ends_on=TODAY + dt.timedelta(days=40),
    )

    assert queries.agreements_due_for_review(db, TODAY, within_days=30) == [soon]
    assert queries.agreements_due_for_review(db, TODAY, within_days=365) == [soon, mash.children]
    assert queries.agreements_due_for_review(db, TODAY, 30, agency_id=mash.education.id) == []
    assert queries.agreements_ending(db, TODAY, within_days=30) == []
    assert queries.agreements_ending(db, TODAY, within_days=60) == [soon]
