"""Subject access: an IG lead's export holds everything about Jade across agencies, with other
people, the referrer, staff and free text marked for review (never removed), who has seen her
records, and one ledger entry that names the requester and Jade, never her details.

Jade's case is tests/governance.py's: Ian is the police's IG lead; Pat a social care MASH
practitioner; Dean is named in the contact about Jade.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.actor import Actor
from joinedup.audit.checkpoints import verify_ledger
from joinedup.audit.models import AuditEntry
from joinedup.governance.rules import GovernanceError, PersonNotFound
from joinedup.governance.sar import SubjectAccessExport, export_subject_access
from joinedup.governance.sar_html import render_html
from joinedup.sharing import decisions
from joinedup.sharing.gate import person_reference
from joinedup.sharing.inputs import today
from tests.factories import create_master_person
from tests.frontdoor import PRACTICE
from tests.governance import ANSWER, JADE_NHS, PERSONAL, RATING_REASON, WHAT_HAPPENED, JadeCase

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def case(db: Session) -> JadeCase:
    return JadeCase(db, today())


def export(db: Session, actor: Actor, person: str) -> SubjectAccessExport:
    return export_subject_access(db, actor, person, PRACTICE, form="json")


def ledger_size(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_an_export_holds_each_agencys_record_as_held_with_its_versions(
    db: Session, case: JadeCase
) -> None:
    (record,) = export(db, case.ian, case.reference).document["agency_records"]

    assert (record["agency"], record["record_id"], record["person"]) == (
        "Nottinghamshire Police",
        "NP-JADE",
        case.reference,
    )
    assert record["held"]["address"] == "12 Forest Road"
    assert [v["held"]["address"] for v in record["versions"]] == ["3 Mill Lane"]
    # Police information: the police decide the crime exemption before it is released.
    assert record["for_review"] == "owner_exemption"
    assert "crime exemption" in record["why"]


def test_an_export_holds_every_contact_naming_them_with_its_ratings_research_decision_and_feedback(
    db: Session, case: JadeCase
) -> None:
    (contact,) = export(db, case.ian, case.reference).document["contacts"]

    assert contact["reference"] == case.contact.reference
    assert contact["named_as"] == ["the person the concern is about"]
    assert contact["as_named"][0]["given_name"] == "Jade"  # her own details: not marked
    assert contact["what_happened"]["value"] == WHAT_HAPPENED
    assert [r["reason"]["value"] for r in contact["ratings"]] == [RATING_REASON]
    (research,) = contact["research"]
    assert research["agency"] == "Sherwood Forest Hospitals"
    assert research["answer"]["value"] == ANSWER
    assert contact["decision"]["outcome"] == "Information and advice"
    assert [f["kind"] for f in contact["feedback"]] == ["acknowledgement", "outcome"]


def test_other_people_the_referrer_staff_and_free_text_are_marked_for_review_not_removed(
    db: Session, case: JadeCase
) -> None:
    made = export(db, case.ian, case.reference)
    (contact,) = made.document["contacts"]

    (dean,) = contact["other_people"]
    assert dean["for_review"] == "third_party"
    assert (dean["value"]["given_name"], dean["value"]["relationship_to_subject"]) == (
        "Dean",
        "mother's partner",
    )
    assert contact["referrer"] == {
        "value": {"name": "Alice Archer", "agency": "Nottinghamshire Police"},
        "for_review": "referrer",
        "why": contact["referrer"]["why"],
    }
    assert contact["ratings"][0]["rated_by"]["for_review"] == "staff"
    assert contact["what_happened"]["for_review"] == "free_text"
    assert contact["research"][0]["answer"]["for_review"] == "owner_exemption"
    assert "Sherwood Forest Hospitals" in contact["research"][0]["answer"]["why"]
    assert made.counts["for_review"] == json.dumps(made.document).count('"for_review": "')


def test_a_contact_naming_them_as_a_household_member_is_theirs_too(
    db: Session, case: JadeCase
) -> None:
    about_kai = case.raise_concern(
        subjects=[
            {"kind": "child", "given_name": "Kai", "family_name": "Walker"},
            {
                "role": "household_member",
                "kind": "child",
                "given_name": "Jade",
                "family_name": "Smith",
                "nhs_number": JADE_NHS,
                "relationship": "half-sister",
            },
        ]
    )

    contacts = export(db, case.ian, case.reference).document["contacts"]

    assert [c["reference"] for c in contacts] == [case.contact.reference, about_kai.reference]
    assert contacts[1]["named_as"] == ["a member of the household"]
    assert contacts[1]["other_people"][0]["value"]["given_name"] == "Kai"
    assert contacts[1]["other_people"][0]["for_review"] == "third_party"


def test_decisions_break_glass_and_who_has_seen_their_records_are_in_the_export(
    db: Session, case: JadeCase
) -> None:
    document = export(db, case.ian, case.reference).document

    (decision,) = document["sharing_decisions"]
    assert (decision["decision"], decision["with"]) == ("share", "Sherwood Forest Hospitals")
    assert decision["reasons"]["for_review"] == "free_text"
    (grant,) = document["break_glass"]
    assert (grant["records_of"], grant["opened_by"]["value"]) == (
        "Nottinghamshire Police",
        "Bob Archer",
    )
    (seen,) = document["disclosures"]
    assert seen["who"] == {"value": "Pat Archer", "for_review": "staff", "why": seen["who"]["why"]}
    assert seen["agency"] == "Nottinghamshire Children's Services"
    assert seen["what"] == "Nottinghamshire Police record NP-JADE"
    assert seen["shown"] and "Police intelligence" in seen["categories_shown"]
    assert seen["agreements"] == ["MASH: safeguarding children"]


def test_an_export_is_one_ledger_entry_naming_the_requester_and_the_person_never_their_details(
    db: Session, case: JadeCase
) -> None:
    before = ledger_size(db)

    made = export(db, case.ian, case.reference)

    assert ledger_size(db) == before + 1
    entry = db.get(AuditEntry, made.audit_entry_id)
    assert entry is not None
    assert (entry.action, entry.actor_user_id, entry.object_type, entry.object_id) == (
        "user:subject_access:disclosed",
        case.user_ids["Ian"],
        "person",
        case.reference,
    )
    detail: dict[str, Any] = json.loads(entry.detail)
    assert detail["person_references"] == [case.reference]
    assert detail["owner_agency_ids"] == [case.police.id]
    assert not [word for word in PERSONAL if word in entry.detail]
    assert verify_ledger(db).intact
    # The next export lists this one among the disclosures.
    again = export(db, case.ian, case.reference).document["disclosures"]
    assert again[-1]["what"] == "a subject access export"


def test_an_nhs_number_finds_the_person_and_a_merged_reference_finds_who_they_became(
    db: Session, case: JadeCase
) -> None:
    merged = create_master_person(db)
    merged.merged_into_id = case.jade  # as a linkage run leaves it
    decisions.record_sharing_decision(
        db,
        case.pat,
        subject_reference=person_reference(merged.id),
        master_person_id=merged.id,
        decision="do_not_share",
        purpose="safeguarding_children",
        lawful_basis="public_task",
        consent_status="refused",
        reasons="Recorded before the two were found to be one person.",
    )

    by_number = export(db, case.ian, "943 476 5919")
    by_old_reference = export(db, case.ian, person_reference(merged.id))

    assert by_number.person.key == case.reference
    for made in (by_number, by_old_reference):
        assert made.person.references == [case.reference, person_reference(merged.id)]
        assert made.document["about"]["merged_people"] == [person_reference(merged.id)]
        assert len(made.document["sharing_decisions"]) == 2


def test_someone_known_only_from_a_contact_is_found_by_nhs_number_and_named_by_its_row(
    db: Session, case: JadeCase
) -> None:
    about_ann = case.raise_concern(
        subjects=[
            {
                "kind": "adult",
                "given_name": "Ann",
                "family_name": "Lee",
                "nhs_number": "401 023 2137",
            }
        ]
    )

    made = export(db, case.ian, "4010232137")

    assert made.person.references == [] and made.person.key == "4010232137"
    assert [c["reference"] for c in made.document["contacts"]] == [about_ann.reference]
    entry = db.get(AuditEntry, made.audit_entry_id)
    assert entry is not None
    assert (entry.object_type, entry.object_id) == (
        "contact_subject",
        str(about_ann.subjects[0].id),
    )
    assert "4010232137" not in entry.detail
    again = export(db, case.ian, "4010232137").document["disclosures"]
    assert [d["what"] for d in again] == ["a subject access export"]


def test_a_reference_or_number_that_is_wrong_or_names_no_one_says_so_and_records_nothing(
    db: Session, case: JadeCase
) -> None:
    before = ledger_size(db)
    problems = {
        "P99999999": "There is no person P99999999 in the hub: check the reference",
        "943 476 5918": "NHS number 943 476 5918 fails its check digit",
        "400 000 0039": "No record or contact in the hub carries NHS number 400 000 0039",
        "Jade Smith": "Enter a master person reference like P00000042, or an NHS number",
        "": "Enter a master person reference like P00000042, or an NHS number",
    }
    for typed, message in problems.items():
        with pytest.raises(GovernanceError) as refused:
            export(db, case.ian, typed)
        assert message in str(refused.value), typed
        assert refused.value.field == "person"
    assert ledger_size(db) == before


def test_only_an_ig_lead_or_the_operators_command_may_export(db: Session, case: JadeCase) -> None:
    for outsider in (case.pat, case.bob, case.alice):
        with pytest.raises(PersonNotFound) as refused:
            export(db, outsider, case.reference)
        assert str(refused.value) == f"There is no person {case.reference} in the hub"

    made = export(db, Actor.system("sar export"), case.reference)
    entry = db.get(AuditEntry, made.audit_entry_id)
    assert entry is not None and entry.action == "system:subject_access:disclosed"


def test_the_readable_document_shows_each_section_and_each_mark_where_it_stands(
    db: Session, case: JadeCase
) -> None:
    html = render_html(export(db, case.ian, case.reference).document)

    assert html.startswith("<!DOCTYPE html>")
    assert '<h1 class="govuk-heading-l">Subject access export: ' + case.reference in html
    assert "Dean" in html and "For review" in html
    assert "Nottinghamshire Police record NP-JADE" in html
    assert "No social care service has a case for them." in html
    assert "<script" not in html and "http" not in html.split("<body>")[1]  # fetches nothing
