"""For a MASH manager, a contact's page shows who the people index may have for each person
intake did not link: the trained model's candidates, best first, each by its best-scoring
record through the gate, with each comparison's part in the match weight, or what the gate
withheld and why.

Alice is a police referrer; Bob is the council's MASH manager. The council holds a record of
Jade; a GP practice, with no agreement with the council here, holds another. The model (a
stand-in answering as a trained one would) puts both forward, linking neither.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.accounts.models import User
from joinedup.accounts.queries import actor_for_user
from joinedup.audit.models import AuditEntry
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import matching, services
from joinedup.frontdoor.models import Contact, ContactSubject
from joinedup.frontdoor.schemas import ContactIn
from joinedup.people import queries as people
from joinedup.people.imports import import_extract
from joinedup.people.schemas import COLUMN_NAMES
from tests.factories import ADMIN, create_agency, create_user
from tests.frontdoor import PRACTICE
from tests.web.conftest import page, sign_in, table_rows

pytestmark = pytest.mark.usefixtures("frozen_clock")
CAPTION = "Not linked: who the people index may have for this person"


class ModelPutsForward:
    """Answers as a trained model would for one person: these candidates, none linked."""

    def __init__(self, *candidates: matching.PersonCandidate) -> None:
        self.candidates = candidates

    @property
    def model_file(self) -> str | None:
        return "person-test.json"

    def match(
        self, session: Session, subjects: Sequence[ContactSubject]
    ) -> list[matching.SubjectMatch]:
        return [matching.SubjectMatch(None, self.candidates) for _ in subjects]


def extract(record_id: str, given: str, family: str) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMN_NAMES, restval="")
    writer.writeheader()
    writer.writerow(
        {
            "record_id": record_id,
            "given_name": given,
            "family_name": family,
            "date_of_birth": "2015-03-27",
        }
    )
    return io.BytesIO(text.getvalue().encode())


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


@pytest.fixture
def contact(sqlite_db: Session) -> tuple[Contact, dict[str, int]]:
    db = sqlite_db
    police = create_agency(db, AgencyKind.POLICE)
    council = create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE, code="NCC-CSC", name="CSC")
    create_agency(db, AgencyKind.GP_PRACTICE, code="GP-1", name="Meadow Practice")
    alice = create_user(db, "Alice", agency=police)
    bob = create_user(db, "Bob", roles=(Role.MASH_MANAGER,), agency=council)
    import_extract(db, ADMIN, "NCC-CSC", extract("C1", "Jade", "Smith"), "csc.csv")
    import_extract(db, ADMIN, "GP-1", extract("G7", "Jayde", "Smyth"), "gp.csv")
    model = ModelPutsForward(candidate(db, "NCC-CSC", "C1", 3.5), candidate(db, "GP-1", "G7", 2.9))
    made = services.receive_contact(
        db,
        actor_for_user(alice),
        ContactIn.model_validate(
            {
                "subjects": [{"kind": "child", "given_name": "Jade", "family_name": "Smith"}],
                "concern_categories": ["neglect"],
                "what_happened": "Hungry at school.",
                "urgency": "routine",
                "consent": "given",
            }
        ),
        PRACTICE,
        matcher=model,
    ).contact
    assert made.subjects[0].master_person_id is None
    return made, {"alice": alice.id, "bob": bob.id}


def as_(client: TestClient, db: Session, user_id: int) -> TestClient:
    user = db.get(User, user_id)  # read afresh: the app's requests close this session
    assert user is not None and user.professional.email
    return sign_in(client, user)


def test_a_manager_sees_each_candidate_with_its_weights_or_what_the_gate_withheld(
    client: TestClient, sqlite_db: Session, contact: tuple[Contact, dict[str, int]]
) -> None:
    made, users = contact
    as_(client, sqlite_db, users["bob"])

    shown = page(client.get(f"/contacts/{made.reference}"))

    own, theirs = table_rows(shown, CAPTION)
    assert own[0] == "csc C1"
    assert "First name: Jade" in own[1]
    assert own[2] == (
        "Before comparing anything: Two records drawn at random (-12.0) "
        "First name: Exact match on first_name (+4.5) "
        "Date of birth: Exact match on date_of_birth (+11.0)"
    )
    assert own[3] == "+3.5 91.9%"
    # The GP's record: no agreement between the practice and the council here.
    assert theirs[0] == "Withheld"
    assert "No active agreement" in theirs[1]
    assert "First name: Withheld" in theirs[2] and "+4.5" not in theirs[2]
    assert theirs[3] == "Not shown: a comparison is withheld"
    entries = sqlite_db.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "agency_record")
    ).all()
    assert sorted(entries) == ["user:agency_record:disclosed", "user:agency_record:withheld"]


def test_the_referrer_sees_no_candidates(
    client: TestClient, sqlite_db: Session, contact: tuple[Contact, dict[str, int]]
) -> None:
    made, users = contact
    as_(client, sqlite_db, users["alice"])

    shown = page(client.get(f"/contacts/{made.reference}"))

    assert CAPTION not in shown.get_text()
    assert "Jayde" not in shown.get_text()
