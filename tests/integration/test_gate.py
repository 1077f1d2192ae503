"""The gate to personal data, on both databases, under the synthetic county's demo agreements.

Ava Smith (a child) is known to children's social care, probation (as a young offender) and
the police, whose records of her join one master person on her NHS number. Pat is a police
MASH practitioner, Hana a health MASH practitioner at Trentside, Erin the education
safeguarding service's MASH practitioner, Sam a children's social care MASH practitioner,
Charlie a voluntary-sector worker whose agency is party to nothing and Dana a system leader.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.accounts.queries import actor_for_user
from joinedup.actor import Actor
from joinedup.audit.checkpoints import verify_ledger
from joinedup.audit.models import AuditEntry
from joinedup.directory.models import Agency
from joinedup.directory.rules import AgencyKind, Role
from joinedup.identifiers import pnc_check_character, upn_check_letter
from joinedup.people.imports import import_extract
from joinedup.people.models import AgencyRecord
from joinedup.people.schemas import COLUMN_NAMES
from joinedup.sharing import decisions
from joinedup.sharing.gate import (
    NOT_INVOLVED,
    Disclosure,
    Involvement,
    disclose,
    disclose_one,
    person_reference,
)
from joinedup.sharing.rules import DataCategory, DecisionBasis, Purpose
from joinedup.synthetic import County, CountyOptions, build_county
from joinedup.synthetic.load import load_county
from tests.factories import ADMIN, create_agency, create_user

pytestmark = pytest.mark.usefixtures("frozen_clock")
CHILDREN = Purpose.SAFEGUARDING_CHILDREN
NHS = "9434765919"
UPN = upn_check_letter("801234524002") + "801234524002"
PNC = f"2019/0012345{pnc_check_character(2019, 12345)}"
C = DataCategory


@pytest.fixture(scope="module")
def county() -> County:
    return build_county(CountyOptions(people=100))


def extract(record_id: str, **fields: str) -> io.BytesIO:
    row = {
        "record_id": record_id,
        "given_name": "Ava",
        "family_name": "Smith",
        "date_of_birth": "2011-04-01",
        "sex": "F",
        "address": "1 High Street, Mansfield",
        "postcode": "NG18 1AB",
        "nhs_number": NHS,
        "upn": UPN,
        "pnc_id": PNC,
        "local_id": f"L-{record_id}",
    } | fields
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMN_NAMES, restval="")
    writer.writeheader()
    writer.writerow(row)
    return io.BytesIO(text.getvalue().encode())


@pytest.fixture
def ava(db: Session, county: County) -> dict[str, AgencyRecord]:
    """Ava's records, by owning agency code, in a loaded county with its demo agreements."""
    load_county(db, county, demo_password="demo password for tests", seed=1)
    records = {}
    for code in ("NCC-CSC", "EM-PROBATION", "NOTTS-POLICE"):
        import_extract(db, ADMIN, code, extract(f"{code}-1"), file_name=f"{code}.csv")
        found = db.scalar(select(AgencyRecord).where(AgencyRecord.record_id == f"{code}-1"))
        assert found is not None
        records[code] = found
    assert len({r.master_person_id for r in records.values()}) == 1
    return records


def agency(db: Session, code: str) -> Agency:
    found = db.scalar(select(Agency).where(Agency.code == code))
    assert found is not None
    return found


def person(db: Session, name: str, agency: Agency, *roles: Role) -> Actor:
    return actor_for_user(create_user(db, name, roles=roles, agency=agency, password=None))


def working_on(record: AgencyRecord) -> Involvement:
    assert record.master_person_id is not None
    return Involvement.of_people([record.master_person_id])


def entries(db: Session) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def detail(entry: AuditEntry) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(entry.detail)
    return loaded


def test_an_agencys_own_staff_see_every_field_of_its_record(
    db: Session, ava: dict[str, AgencyRecord]
) -> None:
    sam = person(db, "Sam", agency(db, "NCC-CSC"), Role.MASH_PRACTITIONER)
    seen = disclose_one(db, sam, CHILDREN, ava["NCC-CSC"], involvement=NOT_INVOLVED)
    assert seen.withheld == {}
    assert seen.fields["given_name"] == "Ava"
    assert seen.fields["pnc_id"] == PNC
    assert seen.agreement_id is None  # an agency's own record needs no agreement


def test_a_mash_practitioner_sees_what_the_agreement_grants_and_why_the_rest_is_withheld(
    db: Session, ava: dict[str, AgencyRecord]
) -> None:
    hana = person(db, "Hana", agency(db, "ACUTE-TRENT"), Role.MASH_PRACTITIONER)
    seen = disclose_one(db, hana, CHILDREN, ava["NCC-CSC"], involvement=working_on(ava["NCC-CSC"]))
    assert seen.fields["family_name"] == "Smith"
    assert seen.fields["nhs_number"] == NHS
    assert seen.fields["record_id"] == "NCC-CSC-1"  # social care history: granted to health
    assert seen.withheld == {
        "upn": "Withheld: no agreement covers education for your role; ask your IG lead.",
        "pnc_id": "Withheld: no agreement covers criminal offences and convictions for your "
        "role; ask your IG lead.",
    }
    assert seen.agreement_id is not None


def test_the_deliberate_gap_withholds_probations_record_from_the_education_service(
    db: Session, ava: dict[str, AgencyRecord]
) -> None:
    erin = person(db, "Erin", agency(db, "NCC-EDUCATION"), Role.MASH_PRACTITIONER)
    involved = working_on(ava["EM-PROBATION"])
    from_probation = disclose_one(db, erin, CHILDREN, ava["EM-PROBATION"], involvement=involved)
    gap = "Withheld: no agreement covers criminal offences and convictions for your role; ask "
    assert from_probation.fields == {}
    assert set(from_probation.withheld.values()) == {gap + "your IG lead."}
    # From social care she sees the child, but not the PNC ID, for the same reason.
    from_csc = disclose_one(db, erin, CHILDREN, ava["NCC-CSC"], involvement=involved)
    assert from_csc.fields["upn"] == UPN
    assert from_csc.withheld == {"pnc_id": gap + "your IG lead."}
    # The police's MASH practitioner, under the same agreement, sees probation's record.
    pat = person(db, "Pat", agency(db, "NOTTS-POLICE"), Role.MASH_PRACTITIONER)
    police_view = disclose_one(db, pat, CHILDREN, ava["EM-PROBATION"], involvement=involved)
    assert police_view.withheld == {}


def test_an_agency_with_no_agreement_sees_nothing_and_is_told_why(
    db: Session, ava: dict[str, AgencyRecord]
) -> None:
    charlie = person(db, "Charlie", create_agency(db, AgencyKind.VOLUNTARY), Role.REFERRER)
    seen = disclose_one(
        db, charlie, CHILDREN, ava["NCC-CSC"], involvement=working_on(ava["NCC-CSC"])
    )
    assert seen.fields == {}
    assert not seen.disclosed
    assert all("No active agreement between your agency" in r for r in seen.withheld.values())
    assert entries(db)[-1].action == "user:agency_record:withheld"


def test_a_system_leader_reaches_no_one_even_in_their_own_agency(
    db: Session, ava: dict[str, AgencyRecord]
) -> None:
    dana = person(db, "Dana", agency(db, "NCC-CSC"), Role.SYSTEM_LEADER)
    seen = disclose_one(db, dana, CHILDREN, ava["NCC-CSC"], involvement=working_on(ava["NCC-CSC"]))
    assert seen.fields == {}
    assert all("A system leader sees aggregates" in r for r in seen.withheld.values())


def test_an_operators_command_reads_no_ones_record(
    db: Session, ava: dict[str, AgencyRecord]
) -> None:
    seen = disclose_one(db, ADMIN, CHILDREN, ava["NCC-CSC"], involvement=working_on(ava["NCC-CSC"]))
    assert seen.fields == {}
    assert entries(db)[-1].action == "system:agency_record:withheld"


def test_a_partner_not_working_the_persons_case_is_told_it_is_need_to_know(
    db: Session, ava: dict[str, AgencyRecord]
) -> None:
    pat = person(db, "Pat", agency(db, "NOTTS-POLICE"), Role.MASH_PRACTITIONER)
    seen = disclose_one(db, pat, CHILDREN, ava["NCC-CSC"], involvement=Involvement.of_people([-1]))
    assert seen.fields == {}
    assert all("need-to-know basis" in r for r in seen.withheld.values())
    assert detail(entries(db)[-1])["denied"]["demographics"] == "not_involved"


def test_break_glass_shows_the_record_and_flags_the_ledger_entry(
    db: Session, ava: dict[str, AgencyRecord]
) -> None:
    pat = person(db, "Pat", agency(db, "NOTTS-POLICE"), Role.MASH_PRACTITIONER)
    record = ava["NCC-CSC"]
    assert record.master_person_id is not None
    decisions.open_break_glass(
        db,
        pat,
        subject_reference=person_reference(record.master_person_id),
        justification="Child missing overnight; the duty social worker cannot be reached.",
    )
    seen = disclose_one(db, pat, CHILDREN, record, involvement=NOT_INVOLVED)
    assert seen.withheld == {}
    assert seen.break_glass
    assert seen.decisions[C.DEMOGRAPHICS].overridden is DecisionBasis.NOT_INVOLVED
    logged = detail(entries(db)[-1])
    assert logged["break_glass"] is True
    assert logged["denied"] == {}


def test_every_call_writes_one_entry_per_record_with_no_personal_data_and_the_chain_verifies(
    db: Session, ava: dict[str, AgencyRecord]
) -> None:
    erin = person(db, "Erin", agency(db, "NCC-EDUCATION"), Role.MASH_PRACTITIONER)
    before = db.scalar(select(func.count()).select_from(AuditEntry)) or 0
    records = [ava["NCC-CSC"], ava["EM-PROBATION"], ava["NOTTS-POLICE"]]
    seen: list[Disclosure] = disclose(
        db, erin, CHILDREN, records, involvement=working_on(records[0])
    )
    written = entries(db)[before:]
    assert [e.id for e in written] == [d.audit_entry_id for d in seen]
    assert [(e.object_type, e.object_id) for e in written] == [
        ("agency_record", str(r.id)) for r in records
    ]
    assert [e.action for e in written] == [
        "user:agency_record:disclosed",
        "user:agency_record:withheld",
        "user:agency_record:withheld",
    ]
    first = detail(written[0])
    assert first["purpose"] == "safeguarding_children"
    assert first["permitted"] == ["demographics", "education", "social_care_history"]
    assert first["denied"] == {"criminal_offence": "role_not_granted"}
    assert first["agreement_ids"] == [seen[0].agreement_id]
    assert first["break_glass"] is False
    for entry in written:
        assert "Ava" not in entry.detail and NHS not in entry.detail and PNC not in entry.detail
    assert verify_ledger(db).intact


def test_a_recorded_decision_not_to_share_binds_partners(
    db: Session, ava: dict[str, AgencyRecord]
) -> None:
    record = ava["NCC-CSC"]
    assert record.master_person_id is not None
    sam = person(db, "Sam", agency(db, "NCC-CSC"), Role.MASH_MANAGER)
    decisions.record_sharing_decision(
        db,
        sam,
        subject_reference=person_reference(record.master_person_id),
        decision="do_not_share",
        purpose="safeguarding_children",
        lawful_basis="public_task",
        consent_status="not_sought",
        para_18_reason=None,
        categories=["demographics"],
        with_agency_code=None,
        reasons="Sharing now would alert the father before the strategy discussion.",
    )
    hana = person(db, "Hana", agency(db, "ACUTE-TRENT"), Role.MASH_PRACTITIONER)
    seen = disclose_one(db, hana, CHILDREN, record, involvement=working_on(record))
    assert seen.fields == {}
    assert all("A decision not to share" in r for r in seen.withheld.values())


def test_break_glass_over_a_decision_not_to_share_says_it_set_that_decision_aside(
    db: Session, ava: dict[str, AgencyRecord]
) -> None:
    record = ava["NCC-CSC"]
    assert record.master_person_id is not None
    reference = person_reference(record.master_person_id)
    sam = person(db, "Sam", agency(db, "NCC-CSC"), Role.MASH_MANAGER)
    decisions.record_sharing_decision(
        db,
        sam,
        subject_reference=reference,
        decision="do_not_share",
        purpose="safeguarding_children",
        lawful_basis="public_task",
        consent_status="not_sought",
        para_18_reason=None,
        categories=["demographics"],
        with_agency_code=None,
        reasons="Sharing now would alert the father before the strategy discussion.",
    )
    pat = person(db, "Pat", agency(db, "NOTTS-POLICE"), Role.MASH_PRACTITIONER)
    decisions.open_break_glass(
        db,
        pat,
        subject_reference=reference,
        justification="Child missing overnight; the duty social worker cannot be reached.",
    )
    seen = disclose_one(db, pat, CHILDREN, record, involvement=working_on(record))
    assert seen.fields["family_name"] == "Smith"
    assert seen.decisions[C.DEMOGRAPHICS].overridden is DecisionBasis.DO_NOT_SHARE
    assert "setting aside a decision not to share" in seen.decisions[C.DEMOGRAPHICS].reason
