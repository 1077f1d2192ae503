"""What an IG lead reads to oversee sharing, on both databases: the agreement register with its
warnings, break-glass over the agency's records and its reviews, who has seen the agency's
information (from the gate's ledger entries), and access that looks unusual.

The people are those of tests/ig_scenario.py: Ian the police IG lead, Sue social care's, Pat a
social care MASH practitioner working the cases, Nia one who is not, Bob a MASH manager who may
open break-glass, and Hana at a hospital with no agreement.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.audit.models import AuditEntry
from joinedup.clock import WorkingCalendar
from joinedup.directory.rules import Role
from joinedup.sharing import decisions, oversight, services, transparency
from joinedup.sharing.models import BreakGlassGrant
from joinedup.sharing.rules import AgreementStatus, DataCategory, DecisionBasis, Purpose
from tests.conftest import TEST_NOW
from tests.ig_scenario import Partnership, draft_terms

TODAY = TEST_NOW.date()
DAY = dt.timedelta(days=1)


@pytest.fixture
def mash(db: Session, frozen_clock: clock.Clock) -> Partnership:
    return Partnership(db, TODAY)


def police_accesses(
    mash: Partnership, page: int = 1, per_page: int = 50
) -> transparency.AccessPage:
    return transparency.accesses_to_agency(
        mash.db,
        mash.police.id,
        since=TEST_NOW - DAY,
        until=clock.now() + dt.timedelta(minutes=1),
        page=page,
        per_page=per_page,
    )


# --- The agreement register -----------------------------------------------------------------


def test_the_register_groups_an_agencys_agreements_and_warns_of_reviews_and_ends(
    db: Session, mash: Partnership
) -> None:
    soon = services.draft_agreement(
        db,
        mash.sue,
        **draft_terms(  # type: ignore[arg-type]
            TODAY, title="Reviewed soon", review_on=TODAY + 10 * DAY, ends_on=TODAY + 20 * DAY
        ),
    )
    services.draft_agreement(db, mash.ian, **draft_terms(TODAY, title="Police only"))  # type: ignore[arg-type]

    register = oversight.agreement_register(db, mash.csc.id, TODAY)

    assert [line.agreement.title for line in register.active] == ["MASH: safeguarding children"]
    assert [line.agreement.title for line in register.drafts] == ["Reviewed soon"]
    draft = register.drafts[0]
    assert draft.awaiting_our_signature and draft.unsigned == 1 and draft.parties == 1
    assert (draft.review_due, draft.ending) == (True, True)
    assert [line.agreement.id for line in register.warnings] == [soon.id]
    assert register.active[0].status is AgreementStatus.ACTIVE


def test_agencies_to_add_leaves_out_the_parties(db: Session, mash: Partnership) -> None:
    names = [a.name for a in oversight.agencies_to_add(db, mash.agreement)]

    assert "Sherwood Forest Hospitals" in names
    assert mash.police.name not in names and mash.csc.name not in names


# --- Break-glass over the agency's records -------------------------------------------------


def test_the_owners_ig_lead_sees_each_break_glass_use_newest_first_with_what_it_showed(
    db: Session, mash: Partnership, frozen_clock: clock.Clock
) -> None:
    first = mash.break_glass()
    mash.look(mash.bob, mash.records[:1], involved=False)  # shown under break-glass
    frozen_clock.advance(dt.timedelta(hours=2))
    everyone = mash.break_glass(owner_agency_code=None, duration=dt.timedelta(hours=4))
    over_hospital = mash.break_glass(owner=mash.hospital)

    police = oversight.break_glass_uses(db, mash.police.id)
    hospital = oversight.break_glass_uses(db, mash.hospital.id)

    assert [u.grant.id for u in police] == [everyone.id, first.id]
    newest, oldest = police
    assert (newest.opened_by, newest.opened_by_agency) == ("Bob Archer", mash.csc.name)
    assert newest.over_every_agency and newest.lasts == dt.timedelta(hours=4)
    assert oldest.records_seen == 1 and newest.records_seen == 0
    assert oldest.grant.justification.startswith("Child missing overnight")
    assert [u.grant.id for u in hospital] == [over_hospital.id, everyone.id]


def test_reviewing_a_use_records_the_note_and_the_ledger_entry_and_leaves_the_grant_alone(
    db: Session, mash: Partnership
) -> None:
    grant = mash.break_glass()
    before = {c: getattr(grant, c) for c in ("justification", "starts_at", "expires_at")}

    review = decisions.review_break_glass(
        db, mash.ian, grant.id, "  Spoke to Bob's manager: justified, the child was found.  "
    )

    assert review.note == "Spoke to Bob's manager: justified, the child was found."
    assert review.reviewed_by_label.startswith("Ian Archer")
    assert oversight.break_glass_uses(db, mash.police.id, unreviewed_only=True) == []
    [use] = oversight.break_glass_uses(db, mash.police.id)
    assert use.review is not None and use.review.id == review.id
    db.expire_all()
    kept = db.get(BreakGlassGrant, grant.id)
    assert kept is not None
    assert {c: getattr(kept, c) for c in before} == before
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert (entry.action, entry.object_id) == ("ig:break_glass:reviewed", str(grant.id))
    assert "justified" not in entry.detail  # free text stays off the ledger


def test_a_use_over_every_agency_is_reviewed_by_each_agency_for_itself(
    db: Session, mash: Partnership
) -> None:
    grant = mash.break_glass(owner_agency_code=None)
    hilda = mash.person("Hilda", mash.hospital, Role.IG_LEAD)

    decisions.review_break_glass(db, mash.ian, grant.id, "Justified.")

    assert oversight.break_glass_uses(db, mash.police.id, unreviewed_only=True) == []
    [waiting] = oversight.break_glass_uses(db, mash.hospital.id, unreviewed_only=True)
    assert waiting.grant.id == grant.id
    decisions.review_break_glass(db, hilda, grant.id, "Justified here too.")
    assert oversight.break_glass_uses(db, mash.hospital.id, unreviewed_only=True) == []


@pytest.mark.parametrize(
    ("note", "message"),
    [("   ", "Say what you found"), ("x" * 5001, "5,000 characters or fewer")],
)
def test_a_review_needs_a_note_of_sensible_length(
    db: Session, mash: Partnership, note: str, message: str
) -> None:
    grant = mash.break_glass()
    with pytest.raises(services.SharingError, match=message) as refused:
        decisions.review_break_glass(db, mash.ian, grant.id, note)
    assert refused.value.field == "note"
    assert len(oversight.break_glass_uses(db, mash.police.id, unreviewed_only=True)) == 1


def test_a_use_is_reviewed_once_per_agency(db: Session, mash: Partnership) -> None:
    grant = mash.break_glass()
    decisions.review_break_glass(db, mash.ian, grant.id, "Justified.")
    with pytest.raises(services.SharingError, match=r"Ian Archer .* already reviewed this use"):
        decisions.review_break_glass(db, mash.ian, grant.id, "Again.")


def test_no_one_else_can_review_a_use_nor_learn_that_it_exists(
    db: Session, mash: Partnership
) -> None:
    grant = mash.break_glass()  # over the police's records only
    hilda = mash.person("Hilda", mash.hospital, Role.IG_LEAD)
    police_referrer = mash.person("Rob", mash.police, Role.REFERRER)
    for outsider in (mash.sue, hilda, police_referrer):
        with pytest.raises(decisions.BreakGlassNotFound, match=f"no break-glass use {grant.id}"):
            decisions.review_break_glass(db, outsider, grant.id, "Looks fine to me.")
    with pytest.raises(decisions.BreakGlassNotFound):
        decisions.review_break_glass(db, mash.ian, grant.id + 1000, "No such use.")
    assert oversight.break_glass_use(db, mash.csc.id, grant.id) is None


# --- Who has seen the agency's information -------------------------------------------------


def test_every_access_to_the_agencys_records_is_listed_newest_first_with_its_basis(
    db: Session, mash: Partnership, frozen_clock: clock.Clock
) -> None:
    mash.look(mash.pat, mash.records[:1])
    frozen_clock.advance(dt.timedelta(minutes=5))
    mash.look(mash.hana, mash.records[:1])
    frozen_clock.advance(dt.timedelta(minutes=5))
    mash.look(mash.pat, mash.records[:1], involved=False)

    accesses = police_accesses(mash).accesses

    assert [(a.who, a.agency, a.shown) for a in accesses] == [
        ("Pat Archer", mash.csc.name, False),
        ("Hana Archer", mash.hospital.name, False),
        ("Pat Archer", mash.csc.name, True),
    ]
    refused_pat, refused_hana, shown = accesses
    assert shown.agreements == ("MASH: safeguarding children",)
    assert shown.purpose is Purpose.SAFEGUARDING_CHILDREN
    assert set(shown.permitted) == {DataCategory.POLICE_INTELLIGENCE, DataCategory.DEMOGRAPHICS}
    assert shown.refused == {
        DataCategory.EDUCATION: DecisionBasis.CATEGORY_NOT_COVERED,
        DataCategory.CRIMINAL_OFFENCE: DecisionBasis.CATEGORY_NOT_COVERED,
    }
    assert shown.record == f"agency record {mash.records[0].id}"
    assert refused_hana.refusals == [DecisionBasis.NO_AGREEMENT]
    assert refused_pat.refused[DataCategory.POLICE_INTELLIGENCE] is DecisionBasis.NOT_INVOLVED
    assert not any(a.own_staff for a in accesses)


def test_accesses_to_another_agencys_records_or_outside_the_dates_are_left_out(
    db: Session, mash: Partnership, frozen_clock: clock.Clock
) -> None:
    mash.look(mash.pat, mash.records[:1])
    frozen_clock.advance(2 * DAY)
    mash.look(mash.pat, mash.records[1:2])

    latest = transparency.accesses_to_agency(
        db, mash.police.id, since=clock.now() - DAY, until=clock.now() + DAY
    )
    to_social_care = transparency.accesses_to_agency(
        db, mash.csc.id, since=TEST_NOW - DAY, until=clock.now() + DAY
    )

    assert [a.object_id for a in latest.accesses] == [str(mash.records[1].id)]
    assert latest.total == 1
    assert to_social_care.total == 0


def test_accesses_come_a_page_at_a_time(
    db: Session, frozen_clock: clock.Clock, mash: Partnership
) -> None:
    mash.look(mash.pat)  # three records, three entries
    mash.look(mash.pat)

    first, last = police_accesses(mash, 1, per_page=4), police_accesses(mash, 2, per_page=4)
    beyond = police_accesses(mash, 9, per_page=4)

    assert (first.total, first.pages, len(first.accesses), len(last.accesses)) == (6, 2, 4, 2)
    assert {a.entry_id for a in first.accesses}.isdisjoint(a.entry_id for a in last.accesses)
    assert beyond.page == 2  # past the end: the last page


def test_an_own_staff_member_looking_is_marked_as_such(db: Session, mash: Partnership) -> None:
    rob = mash.person("Rob", mash.police, Role.MASH_PRACTITIONER)
    mash.look(rob, mash.records[:1], involved=False)

    [access] = police_accesses(mash).accesses

    assert access.own_staff and access.shown and access.agreements == ()


# --- Unusual access ------------------------------------------------------------------------


def unusual(
    mash: Partnership, calendar: WorkingCalendar | None = None
) -> transparency.UnusualAccess:
    return transparency.unusual_access(
        mash.db,
        mash.police.id,
        since=TEST_NOW - DAY,
        until=clock.now() + DAY,
        calendar=calendar or WorkingCalendar(),
    )


def test_someone_seeing_many_more_records_than_their_peers_is_flagged(
    db: Session, frozen_clock: clock.Clock
) -> None:
    mash = Partnership(db, TODAY, people=transparency.HEAVY_FLOOR)
    mash.look(mash.pat)  # every record
    ola = mash.person("Ola", mash.csc, Role.MASH_PRACTITIONER)
    mash.look(ola, mash.records[:2])
    ken = mash.person("Ken", mash.csc, Role.MASH_PRACTITIONER)
    mash.look(ken, mash.records[:3])

    found = unusual(mash)

    assert found.viewers == 3
    assert [(h.who, h.records, h.peers_median) for h in found.heavy] == [
        ("Pat Archer", transparency.HEAVY_FLOOR, 2.5)
    ]


def test_break_glass_and_refusals_for_not_working_the_case_are_flagged(
    db: Session, mash: Partnership
) -> None:
    mash.break_glass()
    mash.look(mash.bob, mash.records[:1], involved=False)
    mash.look(mash.nia, mash.records[:2], involved=False)
    mash.look(mash.pat, mash.records[:1])  # ordinary

    found = unusual(mash)

    assert [(a.who, a.break_glass) for a in found.break_glass.accesses] == [("Bob Archer", True)]
    assert [a.who for a in found.not_involved.accesses] == ["Nia Archer", "Nia Archer"]
    assert (found.break_glass.total, found.not_involved.total) == (1, 2)
    assert found.heavy == []


def test_partners_shown_records_while_the_mash_is_closed_are_flagged(
    db: Session, mash: Partnership, frozen_clock: clock.Clock
) -> None:
    mash.look(mash.pat, mash.records[:1])  # Tuesday 10am: open
    frozen_clock.set(dt.datetime(2026, 11, 24, 22, 30, tzinfo=dt.UTC))
    mash.look(mash.pat, mash.records[1:2])
    rob = mash.person("Rob", mash.police, Role.MASH_PRACTITIONER)
    mash.look(rob, mash.records[2:], involved=False)  # the police's own staff: not flagged

    found = unusual(mash)

    assert [a.object_id for a in found.out_of_hours.accesses] == [str(mash.records[1].id)]
    assert found.out_of_hours.total == 1


def test_the_ledger_detail_these_reports_read_is_the_gates(db: Session, mash: Partnership) -> None:
    """A guard on what the reports assume: if the gate's entries change shape, this fails first."""
    mash.look(mash.pat, mash.records[:1])
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert entry.action == "user:agency_record:disclosed"
    assert {
        "owner_agency_id",
        "purpose",
        "permitted",
        "denied",
        "agreement_ids",
        "break_glass",
    } <= (json.loads(entry.detail).keys())


def test_the_reports_ask_the_ledger_through_its_owner_index(db: Session, mash: Partnership) -> None:
    """The reports' expression must be the one migration 0009 indexes, or each report reads
    every entry of its period; this fails if the two drift apart."""
    where = transparency._to_agency(db, mash.police.id, TEST_NOW - DAY, TEST_NOW + DAY)
    query = select(func.count()).select_from(AuditEntry).where(*where)
    compiled = query.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
    sql = str(compiled).replace("%%", "%")
    raw = db.connection().connection.dbapi_connection
    assert raw is not None
    if db.get_bind().dialect.name == "postgresql":
        raw.execute("SET LOCAL enable_seqscan = off")  # a tiny table is otherwise read whole
        plan = " ".join(row[0] for row in raw.execute("EXPLAIN " + sql).fetchall())
    else:
        plan = " ".join(str(row[-1]) for row in raw.execute("EXPLAIN QUERY PLAN " + sql))
    assert "ix_audit_entries_owner_agency_id_at" in plan
