"""Shared makings for tests of a MASH manager deciding who a person named is: agency records of
Jade, and a stand-in for the trained model that puts them forward without linking anyone.

The stand-in answers as a trained model would, so intake keeps its candidates exactly as it
keeps a real model's (tests/integration/test_frontdoor_online_matching.py runs the real one).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from joinedup.actor import Actor
from joinedup.frontdoor import matching, services
from joinedup.frontdoor.models import Contact, ContactSubject
from joinedup.frontdoor.schemas import ContactIn
from joinedup.people import queries as people
from joinedup.people.imports import import_extract
from joinedup.people.schemas import COLUMN_NAMES
from tests.factories import ADMIN
from tests.frontdoor import PRACTICE


class ModelPutsForward:
    """Answers as a trained model would for every person named: these candidates, none linked."""

    def __init__(self, *candidates: matching.PersonCandidate) -> None:
        self.candidates = candidates

    @property
    def model_file(self) -> str | None:
        return "person-test.json"

    def match(
        self, session: Session, subjects: Sequence[ContactSubject]
    ) -> list[matching.SubjectMatch]:
        return [matching.SubjectMatch(None, self.candidates) for _ in subjects]


def import_record(
    db: Session,
    agency_code: str,
    record_id: str,
    given: str,
    family: str,
    file_name: str | None = None,
    **more: str,
) -> None:
    """One record in an agency's extract, imported: a master person of its own. Pages show the
    record's source as its file's name."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMN_NAMES, restval="")
    writer.writeheader()
    writer.writerow(
        {
            "record_id": record_id,
            "given_name": given,
            "family_name": family,
            "date_of_birth": "2015-03-27",
            **more,
        }
    )
    data = io.BytesIO(text.getvalue().encode())
    import_extract(db, ADMIN, agency_code, data, file_name or f"{record_id}.csv")


def candidate(db: Session, agency: str, record_id: str, weight: float) -> matching.PersonCandidate:
    record = people.agency_record(db, agency, record_id)
    assert record is not None and record.master_person_id is not None
    return matching.PersonCandidate(
        master_person_id=record.master_person_id,
        agency_record_id=record.id,
        match_probability=1 / (1 + 2**-weight),
        match_weight=weight,
        linked=False,
        contributions=(
            ("prior", "Two records drawn at random", -12.0),
            ("first_name", "Exact match on first_name", 4.5),
            ("date_of_birth", "Exact match on date_of_birth", 11.0),
        ),
    )


def contact_about_jade(
    db: Session, referrer: Actor, model: ModelPutsForward, **overrides: Any
) -> Contact:
    data: dict[str, Any] = {
        "subjects": [
            {"kind": "child", "given_name": "Jade", "family_name": "Smith"},
        ],
        "concern_categories": ["neglect"],
        "what_happened": "Hungry at school.",
        "urgency": "routine",
        "consent": "given",
    } | overrides
    made = services.receive_contact(
        db, referrer, ContactIn.model_validate(data), PRACTICE, matcher=model
    ).contact
    assert all(s.master_person_id is None for s in made.subjects)
    return made
