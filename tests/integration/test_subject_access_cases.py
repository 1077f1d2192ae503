"""Subject access and social care: Jade's export holds her case at children's services (who
holds it, opened and closed) and, on each contact naming her, where intake routed it instead of
the MASH and whether a manager brought it back and why, with the worker, the manager, their
words and another child's case marked for the IG lead's review. On both databases.

tests/governance_cases.py: Sam, at children's services, holds Jade's case and Kai's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.audit.models import AuditEntry
from joinedup.governance.sar import SubjectAccessExport, export_subject_access
from joinedup.governance.sar_html import render_html
from joinedup.sharing.inputs import today
from tests.frontdoor import PRACTICE
from tests.governance_cases import BROUGHT_BACK, JADE, KAI, JadeWithCases


@dataclass
class Routed:
    case: JadeWithCases
    sam: str  # Sam's name
    bob: str
    to_her_worker: Any  # about Jade: with Sam, on her case
    on_kais_case: Any  # about Kai, naming Jade as his household: with Sam, on Kai's case
    brought_back: Any  # about Jade: routed, then Bob brought it back into the MASH


@pytest.fixture
def routed(db: Session, frozen_clock: clock.Clock, tmp_path: Path) -> Routed:
    case = JadeWithCases(db, today(), tmp_path)
    to_her_worker = case.about(JADE)
    on_kais_case = case.about(
        KAI, {**JADE, "role": "household_member", "relationship": "half-sister"}
    )
    brought_back = case.about(JADE)
    case.bring_back(brought_back)
    case.accept(to_her_worker)  # in her case's work, so it stays with the case as it closes
    case.cases(jade_closed_on=today(), kai_closed_on=None)  # her case closed today
    names = (case.user(who).professional.name for who in ("Sam", "Bob"))
    return Routed(case, *names, to_her_worker, on_kais_case, brought_back)


def export(db: Session, routed: Routed) -> SubjectAccessExport:
    return export_subject_access(db, routed.case.ian, routed.case.reference, PRACTICE, form="json")


def by_reference(made: SubjectAccessExport) -> dict[str, dict[str, Any]]:
    return {c["reference"]: c for c in made.document["contacts"]}


def test_the_export_holds_her_own_case_and_who_holds_it_and_not_kais(
    db: Session, routed: Routed
) -> None:
    made = export(db, routed)

    (case,) = made.document["social_care_cases"]
    assert case == {
        "agency": "Nottinghamshire Children's Services",
        "case_reference": "CIN-100",
        "person": routed.case.reference,
        "open": False,
        "opened_on": routed.case.opened_on.isoformat(),
        "closed_on": today().isoformat(),
        "allocated_worker": {
            "value": routed.sam,
            "for_review": "staff",
            "why": case["allocated_worker"]["why"],
        },
        "last_changed": case["last_changed"],
        # Social care's record of her: it weighs the serious harm test before release.
        "for_review": "owner_exemption",
        "why": case["why"],
    }
    assert "serious harm test for social work data" in case["why"]
    assert made.counts["social_care_cases"] == 1


def test_each_contact_says_where_it_was_routed_and_whether_it_was_brought_back_and_why(
    db: Session, routed: Routed
) -> None:
    contacts = by_reference(export(db, routed))

    assert contacts[routed.case.contact.reference]["routing"] is None  # the MASH screened it
    to_her_worker = contacts[routed.to_her_worker.reference]["routing"]
    assert to_her_worker["case"] == {
        "agency": "Nottinghamshire Children's Services",
        "case_reference": "CIN-100",
    }  # her own case: nothing to weigh
    assert to_her_worker["allocated_worker"]["value"] == routed.sam
    assert to_her_worker["allocated_worker"]["for_review"] == "staff"
    assert to_her_worker["brought_back_into_the_mash_at"] is None
    assert to_her_worker["brought_back_because"] is None
    back = contacts[routed.brought_back.reference]["routing"]
    assert back["brought_back_into_the_mash_at"] is not None
    assert (back["brought_back_by"]["value"], back["brought_back_by"]["for_review"]) == (
        routed.bob,
        "staff",
    )
    assert back["brought_back_because"]["value"] == BROUGHT_BACK
    assert back["brought_back_because"]["for_review"] == "free_text"
    assert contacts[routed.brought_back.reference]["status"] == "received"


def test_a_contact_routed_to_another_childs_case_marks_that_case_as_someone_elses(
    db: Session, routed: Routed
) -> None:
    on_kais_case = by_reference(export(db, routed))[routed.on_kais_case.reference]

    assert on_kais_case["named_as"] == ["a member of the household"]
    case = on_kais_case["routing"]["case"]
    assert (case["value"]["case_reference"], case["for_review"]) == ("CIN-200", "third_party")
    assert "another person's" in case["why"]


def test_the_marks_are_counted_and_the_ledger_names_social_care_but_not_her_case(
    db: Session, routed: Routed
) -> None:
    made = export(db, routed)

    assert made.counts["for_review"] == json.dumps(made.document).count('"for_review": "')
    entry = db.get(AuditEntry, made.audit_entry_id)
    assert entry is not None
    detail = json.loads(entry.detail)
    assert detail["owner_agency_ids"] == sorted([routed.case.police.id, routed.case.csc.id])
    assert detail["counts"]["social_care_cases"] == 1
    assert "CIN-100" not in entry.detail and BROUGHT_BACK not in entry.detail


def test_the_readable_document_shows_her_case_and_each_contacts_routing(
    db: Session, routed: Routed
) -> None:
    html = render_html(export(db, routed).document)

    assert '<h2 class="govuk-heading-m" id="social_care_cases">Social care cases</h2>' in html
    assert "Nottinghamshire Children&#39;s Services: case CIN-100, closed" in html
    assert '<a href="#social_care_cases">Social care cases</a></td><td>1</td>' in html
    assert "Routed to a social care case" in html
    assert "Why it was brought back (the manager&#39;s words)" in html
    assert BROUGHT_BACK in html
