"""The allocated worker's acceptance of a routed contact under governance, on both databases:
retention anonymises the worker's note with its contact and keeps who accepted it and when;
a subject access export holds all three, the worker and their words marked for review.

tests/governance_cases.py: Sam, at children's services, holds Jade's case.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.frontdoor.case_models import ContactRouting
from joinedup.governance.retention import ANONYMISED, run_retention
from joinedup.governance.rules import RetentionPolicy
from joinedup.governance.sar import export_subject_access
from joinedup.sharing.inputs import today
from tests.frontdoor import PRACTICE
from tests.governance_cases import JADE, JadeWithCases

NOTE = "Spoke to her grandmother, Mrs Ellis: Jade is staying with her until Friday."


def test_retention_anonymises_the_note_and_keeps_who_accepted_it_and_when(
    db: Session, frozen_clock: clock.Clock, tmp_path: Path
) -> None:
    jade = JadeWithCases(db, today(), tmp_path)
    routed = jade.about(JADE)
    jade.accept(routed, NOTE)
    accepted_at = clock.now()
    jade.cases(jade_closed_on=today(), kai_closed_on=None)
    frozen_clock.advance(dt.timedelta(days=2190, hours=1))  # six years after it closed

    done = run_retention(db, Actor.system("retention run"), RetentionPolicy())

    assert routed.id in {c.contact_id for c in done.contacts}
    db.expire_all()
    routing = db.get(ContactRouting, routed.routing.id)  # type: ignore[union-attr]
    assert routing is not None
    assert routing.accepted_note == ANONYMISED
    assert routing.accepted_at == accepted_at
    assert routing.accepted_by_professional_id == jade.sam.professional_id


def test_her_export_holds_the_acceptance_with_the_worker_and_note_for_review(
    db: Session, frozen_clock: clock.Clock, tmp_path: Path
) -> None:
    jade = JadeWithCases(db, today(), tmp_path)
    routed = jade.about(JADE)
    jade.accept(routed, NOTE)

    made = export_subject_access(db, jade.ian, jade.reference, PRACTICE, form="json")

    (section,) = [c for c in made.document["contacts"] if c["reference"] == routed.reference]
    routing = section["routing"]
    assert routing["accepted_into_the_case_at"] == clock.now().isoformat()
    assert routing["accepted_by"]["value"] == jade.user("Sam").professional.name
    assert routing["accepted_by"]["for_review"] == "staff"
    assert routing["note_on_accepting"]["value"] == NOTE  # it names her grandmother
    assert routing["note_on_accepting"]["for_review"] == "free_text"
