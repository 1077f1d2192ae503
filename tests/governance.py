"""Shared makings for information governance tests: Jade's case, through the real services.

The police know Jade Smith (an extract, then a second one with her new address). Alice, a
police officer, raises a concern about Jade that also names Dean Walker, her mother's partner.
Bob, the council's MASH manager, rates it, asks the hospital, where Hana answers, decides and
tells Alice. Pat, a social care MASH practitioner working Jade's case, reads her police record
through the gate; Bob records a decision to share and opens break-glass over her records.
Ian is the police's IG lead (tests/ig_scenario.py's partnership holds the rest).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.directory.rules import Role
from joinedup.frontdoor import decisions as frontdoor_decisions
from joinedup.frontdoor import research
from joinedup.frontdoor.decisions import DecisionIn
from joinedup.frontdoor.models import Contact
from joinedup.people.imports import import_extract
from joinedup.people.models import AgencyRecord
from joinedup.people.schemas import COLUMN_NAMES
from joinedup.sharing import decisions
from joinedup.sharing.gate import person_reference
from tests.factories import ADMIN
from tests.frontdoor import PRACTICE, a_contact, rate
from tests.ig_scenario import Partnership

JADE_NHS = "9434765919"
# Free text and names that must never reach the ledger, and that retention must remove.
WHAT_HAPPENED = "Dean Walker shouted at Jade's mother; Jade hid upstairs."
ANSWER = "Jade was seen in A&E in June with a sprained wrist."
RATING_REASON = "Dean Walker is known for violence"
PERSONAL = ("Jade", "Smith", "Dean", "Walker", "9434765919", "2015-03-27", "Forest Road")


def extract(address: str) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMN_NAMES, restval="")
    writer.writeheader()
    writer.writerow(
        {
            "record_id": "NP-JADE",
            "given_name": "Jade",
            "family_name": "Smith",
            "date_of_birth": "2015-03-27",
            "nhs_number": JADE_NHS,
            "address": address,
            "postcode": "NG18 1AB",
        }
    )
    return io.BytesIO(text.getvalue().encode())


class JadeCase(Partnership):
    def __init__(self, db: Session, today: dt.date, password: str | None = None) -> None:
        super().__init__(db, today, people=1, password=password)
        import_extract(db, ADMIN, self.police.code, extract("3 Mill Lane"), file_name="p1.csv")
        import_extract(db, ADMIN, self.police.code, extract("12 Forest Road"), file_name="p2.csv")
        self.jade_record = db.scalars(
            select(AgencyRecord).where(AgencyRecord.record_id == "NP-JADE")
        ).one()
        assert self.jade_record.master_person_id is not None
        self.jade = self.jade_record.master_person_id
        self.reference = person_reference(self.jade)
        self.alice = self.person("Alice", self.police, Role.REFERRER, password=password)
        self.contact = self.raise_concern()
        self.work_it(self.contact)
        # Pat works Jade's case and reads her police record through the gate.
        self.look(self.pat, [self.jade_record])
        decisions.record_sharing_decision(
            db,
            self.pat,
            subject_reference=self.reference,
            master_person_id=self.jade,
            decision="share",
            purpose="safeguarding_children",
            lawful_basis="public_task",
            consent_status="not_sought",
            para_18_reason="would_prejudice_protection",
            categories=["police_intelligence"],
            with_agency_code=self.hospital.code,
            reasons="Dean Walker may hurt Jade if told.",
        )
        decisions.open_break_glass(
            db,
            self.bob,
            subject_reference=self.reference,
            master_person_id=self.jade,
            owner_agency_code=self.police.code,
            justification="Jade missing overnight; the police hold her last known address.",
        )
        db.commit()

    def raise_concern(self, **overrides: object) -> Contact:
        fields: dict[str, object] = {
            "subjects": [
                {
                    "kind": "child",
                    "given_name": "Jade",
                    "family_name": "Smith",
                    "date_of_birth": "2015-03-27",
                    "nhs_number": JADE_NHS,
                },
                {
                    "role": "household_member",
                    "kind": "adult",
                    "given_name": "Dean",
                    "family_name": "Walker",
                    "relationship": "mother's partner",
                },
            ],
            "what_happened": WHAT_HAPPENED,
        } | overrides
        return a_contact(self.db, self.alice, **fields)

    def work_it(self, contact: Contact, decide: bool = True) -> None:
        """Bob rates it, asks the hospital, Hana answers; then Bob decides and tells Alice."""
        rate(self.db, self.bob, contact, "amber", RATING_REASON)
        (request,) = research.request_research(
            self.db, self.bob, contact.id, [self.hospital.id], "Known?", contact.version, PRACTICE
        )
        research.answer_research(self.db, self.hana, request.id, ANSWER, "normal", True)
        if not decide:
            return
        self.db.refresh(contact)
        frontdoor_decisions.decide_contact(
            self.db,
            self.bob,
            contact.id,
            DecisionIn(
                # On the children's and the adults' lists alike.
                outcome="information_and_advice",
                rationale="Advice for the family; Dean Walker to be spoken to.",
                harm_indicated=False,
            ),
            contact.version,
            PRACTICE,
        )
        for task in contact.feedback_tasks:
            if task.sent_at is None:
                frontdoor_decisions.send_feedback(
                    self.db, self.bob, task.id, "Thank you: advice for the family."
                )
