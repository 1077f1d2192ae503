"""A MASH manager decides who a person a contact names is, among the trained model's candidates:
the same person as one of them (linked, and then known on the contact's page), or none of them
(the candidates are no longer offered); once, with a reason, on both databases.

Alice, a police officer, raises a concern about Jade. Children's services hold a record of Jade
Smith (C1), with an open case Sam holds; a GP practice holds one of a Jayde Smyth (G7). The
model (a stand-in, tests/candidates.py) puts both forward, linking neither. Bob and Bea are the
council's MASH managers; Hana a health MASH practitioner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.audit.models import AuditEntry
from joinedup.directory.models import Agency, Professional
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import linking
from joinedup.frontdoor.cases import load_cases
from joinedup.frontdoor.contact_file import open_contact
from joinedup.frontdoor.link_models import SubjectLinkDecision
from joinedup.frontdoor.models import Contact, ContactSubject, DomainEvent, SubjectCandidate
from joinedup.frontdoor.rules import FrontDoorError
from joinedup.frontdoor.services import ConcurrentChange, ContactNotFound
from joinedup.governance.retention import ANONYMISED, run_retention
from joinedup.governance.rules import RetentionPolicy
from joinedup.governance.sar import export_subject_access
from joinedup.people import queries as people_index
from joinedup.sharing.inputs import today
from tests.candidates import ModelPutsForward, candidate, contact_about_jade, import_record
from tests.factories import ADMIN, create_agency
from tests.frontdoor import PRACTICE, person, rate
from tests.governance import JADE_NHS, JadeCase
from tests.integration.test_frontdoor_concurrency import (  # noqa: F401 (fixtures)
    all_at_once,
    fresh_engine,
    people,
)

pytestmark = pytest.mark.usefixtures("frozen_clock")
REASON = "Same name, date of birth and school as the council's record."


@dataclass
class Hub:
    contact: Contact
    jade: ContactSubject
    council_record: SubjectCandidate  # C1: Jade Smith, children's services, best
    gp_record: SubjectCandidate  # G7: Jayde Smyth, a GP practice
    jade_person: int  # C1's master person
    alice: Actor
    bob: Actor
    bea: Actor
    hana: Actor


@pytest.fixture
def hub(db: Session) -> Hub:
    police = create_agency(db, AgencyKind.POLICE, name="Nottinghamshire Police")
    council = create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE, name="Children's Services")
    gp = create_agency(db, AgencyKind.GP_PRACTICE, name="Meadow Practice")
    health = create_agency(db, AgencyKind.COMMUNITY_HEALTH, name="Community Health")
    sam = person(db, "Sam", (Role.REFERRER,), council)
    import_record(db, council.code, "C1", "Jade", "Smith")
    import_record(db, gp.code, "G7", "Jayde", "Smyth")
    sam_email = db.get(Professional, sam.professional_id).email  # type: ignore[union-attr]
    load_cases(
        db,
        ADMIN,
        council.code,
        f"record_id,case_reference,allocated_worker_email,opened_on\nC1,CIN-1,{sam_email},"
        "2026-09-01\n".encode(),
        "cases.csv",
    )
    alice = person(db, "Alice", (Role.REFERRER,), police)
    model = ModelPutsForward(
        candidate(db, council.code, "C1", 3.5), candidate(db, gp.code, "G7", 2.9)
    )
    contact = contact_about_jade(db, alice, model)
    best, other = linking.candidates_of(db, contact.subjects[0].id)
    record = people_index.agency_record(db, council.code, "C1")
    assert record is not None and record.master_person_id is not None
    return Hub(
        contact=contact,
        jade=contact.subjects[0],
        council_record=best,
        gp_record=other,
        jade_person=record.master_person_id,
        alice=alice,
        bob=person(db, "Bob", (Role.MASH_MANAGER,), council),
        bea=person(db, "Bea", (Role.MASH_MANAGER,), council),
        hana=person(db, "Hana", (Role.MASH_PRACTITIONER,), health),
    )


def link(db: Session, hub: Hub, manager: Actor, version: int | None = None) -> object:
    return linking.link_subject(
        db,
        manager,
        hub.contact.id,
        hub.jade.id,
        hub.council_record.id,
        REASON,
        hub.contact.version if version is None else version,
        PRACTICE,
    )


def test_a_manager_links_a_person_to_a_candidate_with_the_reason(db: Session, hub: Hub) -> None:
    version = hub.contact.version

    decision = linking.link_subject(
        db, hub.bob, hub.contact.id, hub.jade.id, hub.council_record.id, REASON, version, PRACTICE
    )

    db.refresh(hub.jade)
    db.refresh(hub.council_record)
    db.refresh(hub.contact)
    assert hub.jade.master_person_id == hub.jade_person
    assert hub.council_record.linked and not hub.gp_record.linked
    assert (decision.linked, decision.candidate_rank, decision.candidates) == (True, 1, 2)
    assert (decision.reason, decision.decided_by.name) == (REASON, "Bob Archer")
    assert decision.decided_at == clock.now()
    assert hub.contact.version == version + 1  # a page read before the link is told
    event = db.scalars(
        select(DomainEvent)
        .where(DomainEvent.contact_id == hub.contact.id, DomainEvent.type == "contact.matched")
        .order_by(DomainEvent.id.desc())
    ).first()
    assert event is not None
    assert event.payload == {
        "reference": hub.contact.reference,
        "people_index": 1,
        "by_manager": True,
        "master_person_id": hub.jade_person,
        "candidate_rank": 1,
        "candidates": 2,
        "subject_position": 0,
    }
    entry = db.scalar(
        select(AuditEntry).where(AuditEntry.action == "manager:contact_subject:linked")
    )
    assert entry is not None and entry.object_id == str(hub.jade.id)


def test_once_linked_the_contact_shows_them_as_known_and_is_not_routed_again(
    db: Session, hub: Hub
) -> None:
    before = open_contact(db, hub.bob, hub.contact.reference, PRACTICE)
    assert before is not None
    assert (before.people[0].records, before.people[0].open_cases) == ([], [])
    assert len(before.people[0].candidates) == 2

    link(db, hub, hub.bob)

    after = open_contact(db, hub.bob, hub.contact.reference, PRACTICE)
    assert after is not None
    jade = after.people[0]
    assert [r.fields.get("record_id") for r in jade.records] == ["C1"]
    assert [c.case_reference for c in jade.open_cases] == ["CIN-1"]
    assert jade.candidates == []
    assert jade.link_decision is not None and jade.link_decision.reason == REASON
    # Routing is decided as a contact arrives: linking leaves it with the MASH.
    assert (after.contact.status, after.contact.routing) == ("received", None)


def test_none_of_these_is_kept_and_the_candidates_are_no_longer_offered(
    db: Session, hub: Hub
) -> None:
    decision = linking.none_of_the_candidates(
        db,
        hub.bob,
        hub.contact.id,
        hub.jade.id,
        "Jade lives in Mansfield; both records are of children in Worksop.",
        hub.contact.version,
        PRACTICE,
    )

    assert (decision.linked, decision.master_person_id, decision.candidate_rank) == (
        False,
        None,
        None,
    )
    db.refresh(hub.jade)
    assert hub.jade.master_person_id is None
    file = open_contact(db, hub.bob, hub.contact.reference, PRACTICE)
    assert file is not None and file.people[0].candidates == []
    assert file.people[0].link_decision is not None
    event = db.scalar(select(DomainEvent).where(DomainEvent.type == "contact.not_matched"))
    assert event is not None and event.payload["candidates"] == 2
    assert "Mansfield" not in str(event.payload)
    assert db.scalar(
        select(AuditEntry).where(AuditEntry.action == "manager:contact_subject:not_linked")
    )


def test_a_decision_needs_a_reason_and_one_of_the_persons_own_candidates(
    db: Session, hub: Hub
) -> None:
    version = hub.contact.version
    problems = [
        (hub.council_record.id, "  ", "reason", "Enter why this is the same person"),
        (None, "", "reason", "Enter why none of these is the same person"),
        (hub.council_record.id, "x" * 5_001, "reason", "5,000 characters or fewer"),
        (999_999, REASON, "candidate", "Select one of the records listed, or None of these"),
    ]
    for candidate_id, reason, field, message in problems:
        with pytest.raises(FrontDoorError, match=message) as raised:
            if candidate_id is None:
                linking.none_of_the_candidates(
                    db, hub.bob, hub.contact.id, hub.jade.id, reason, version, PRACTICE
                )
            else:
                linking.link_subject(
                    db,
                    hub.bob,
                    hub.contact.id,
                    hub.jade.id,
                    candidate_id,
                    reason,
                    version,
                    PRACTICE,
                )
        assert raised.value.field == field
    db.refresh(hub.contact)
    db.refresh(hub.jade)
    assert hub.contact.version == version  # nothing written, the version given back
    assert hub.jade.master_person_id is None and hub.jade.link_decision is None


def test_only_a_mash_manager_may_decide_who_someone_is(db: Session, hub: Hub) -> None:
    for outsider in (hub.alice, hub.hana):
        with pytest.raises(ContactNotFound):
            link(db, hub, outsider)
    db.refresh(hub.jade)
    assert hub.jade.master_person_id is None


def test_of_two_managers_at_once_one_decides_and_the_other_is_told_who_linked_whom(
    db: Session, hub: Hub
) -> None:
    read = hub.contact.version  # both opened the contact at this version
    link(db, hub, hub.bob, read)

    with pytest.raises(ConcurrentChange) as raised:
        linking.none_of_the_candidates(
            db, hub.bea, hub.contact.id, hub.jade.id, "Not her", read, PRACTICE
        )

    assert str(raised.value).startswith(
        "Bob Archer (Children's Services) linked this person to candidate 1 of 2 at 10am on "
        "24 November 2026, after you opened it. Nothing you sent was saved"
    )
    db.refresh(hub.jade)
    assert hub.jade.master_person_id == hub.jade_person
    assert hub.jade.link_decision is not None and hub.jade.link_decision.reason == REASON


def test_who_someone_is_is_decided_once(db: Session, hub: Hub) -> None:
    link(db, hub, hub.bob)
    db.refresh(hub.contact)

    with pytest.raises(FrontDoorError, match="has been decided already"):
        linking.none_of_the_candidates(
            db, hub.bea, hub.contact.id, hub.jade.id, "Not her", hub.contact.version, PRACTICE
        )


def test_two_managers_deciding_at_once_one_succeeds_and_the_other_is_told(
    fresh_engine: Engine,  # noqa: F811 (the fixture)
    people: dict[str, Actor],  # noqa: F811
) -> None:
    """Real, committed, concurrent transactions, on a fresh database of each kind."""
    with Session(fresh_engine, expire_on_commit=False) as session:
        council = session.get(Agency, people["Bob"].agency_id)
        assert council is not None
        import_record(session, council.code, "C1", "Jade", "Smith")
        model = ModelPutsForward(candidate(session, council.code, "C1", 3.5))
        contact = contact_about_jade(session, people["Alice"], model)
        (best,) = linking.candidates_of(session, contact.subjects[0].id)
        subject_id = contact.subjects[0].id

    def as_bob(session: Session) -> SubjectLinkDecision:
        return linking.link_subject(
            session, people["Bob"], contact.id, subject_id, best.id, REASON, 1, PRACTICE
        )

    def as_dana(session: Session) -> SubjectLinkDecision:
        return linking.none_of_the_candidates(
            session, people["Dana"], contact.id, subject_id, "Not her", 1, PRACTICE
        )

    calls: list[Callable[[Session], SubjectLinkDecision]] = [as_bob, as_dana]
    results = all_at_once(fresh_engine, calls)

    won = [r for r in results if isinstance(r, SubjectLinkDecision)]
    told = [r for r in results if isinstance(r, ConcurrentChange)]
    assert (len(won), len(told)) == (1, 1), results
    expected = (
        "Bob Archer (The Council) linked this person to candidate 1 of 1"
        if won[0].linked
        else "Dana Archer (The Council) decided that this person is none of the candidates"
    )
    assert str(told[0]).startswith(expected)
    with Session(fresh_engine) as session:
        stored = session.scalars(select(SubjectLinkDecision)).one()
        assert stored.reason == won[0].reason
        subject = session.get(ContactSubject, subject_id)
        assert subject is not None
        assert (subject.master_person_id is not None) == stored.linked


def test_a_subject_access_export_holds_the_decision_and_retention_removes_its_reason(
    db: Session, frozen_clock: clock.Clock
) -> None:
    """Jade's case of tests/governance.py: the police hold her record; a concern about her
    that also names Dean and Kai, where the model put her record forward for each."""
    case = JadeCase(db, today())
    model = ModelPutsForward(candidate(db, case.police.code, "NP-JADE", 3.5))
    contact = contact_about_jade(
        db,
        case.alice,
        model,
        subjects=[
            {"kind": "child", "given_name": "Jade", "family_name": "Smith", "nhs_number": JADE_NHS},
            {"role": "household_member", "kind": "adult", "given_name": "Dean"},
            {"role": "household_member", "kind": "child", "given_name": "Kai"},
        ],
    )
    jade, dean, kai = contact.subjects
    (best,) = linking.candidates_of(db, jade.id)
    linking.link_subject(
        db, case.bob, contact.id, jade.id, best.id, "Same NHS number", contact.version, PRACTICE
    )
    linking.none_of_the_candidates(
        db, case.bob, contact.id, dean.id, "Dean is an adult", contact.version, PRACTICE
    )
    case.work_it(contact)

    export = export_subject_access(db, case.ian, case.reference, PRACTICE, form="json")

    (section,) = [c for c in export.document["contacts"] if c["reference"] == contact.reference]
    (decided,) = section["who_they_are"]
    assert decided["decided"] == "linked to the people index: the same person as candidate 1 of 1"
    assert (decided["reason"]["value"], decided["reason"]["for_review"]) == (
        "Same NHS number",
        "free_text",
    )
    assert (decided["decided_by"]["value"], decided["decided_by"]["for_review"]) == (
        "Bob Archer",
        "staff",
    )
    assert decided["decided_at"] == clock.now().isoformat()
    assert "Dean is an adult" not in str(section)  # his decision is about him, not her

    frozen_clock.advance(dt.timedelta(days=2190, hours=1))
    run_retention(db, Actor.system("retention run"), RetentionPolicy())

    decisions = db.scalars(
        select(SubjectLinkDecision)
        .where(SubjectLinkDecision.contact_subject_id.in_([jade.id, dean.id]))
        .order_by(SubjectLinkDecision.contact_subject_id)
    ).all()
    assert [(d.linked, d.candidate_rank, d.reason, d.master_person_id) for d in decisions] == [
        (True, 1, ANONYMISED, None),
        (False, None, ANONYMISED, None),
    ]
    # Nobody it named can be linked now: that would name them again.
    (kais,) = linking.candidates_of(db, kai.id)
    db.refresh(contact)
    with pytest.raises(FrontDoorError, match="anonymised when its retention period ended"):
        linking.link_subject(
            db, case.bob, contact.id, kai.id, kais.id, "Kai", contact.version, PRACTICE
        )
    db.refresh(kai)
    assert kai.master_person_id is None and kai.link_decision is None


def test_a_manager_rating_from_a_page_opened_before_a_link_is_told_of_the_link(
    db: Session, hub: Hub
) -> None:
    read = hub.contact.version
    link(db, hub, hub.bob, read)

    with pytest.raises(ConcurrentChange) as raised:
        rate(db, hub.bea, hub.contact, "amber", version=read)

    assert str(raised.value).startswith(
        "Bob Archer (Children's Services) decided who a person this contact names is at 10am "
        "on 24 November 2026, after you opened it"
    )
