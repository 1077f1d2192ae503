"""A MASH manager decides, from the contact's page, who a person intake did not link is: the same
person as one of the trained model's candidates, or none of them, with a reason; the contact
then shows them as known, or no longer offers the candidates. Nobody else finds the page.

Alice is a police referrer; Bob and Bea the council's MASH managers. Children's services hold a
record of Jade (C1) with an open case Sam holds; a GP practice, with no agreement with the
council here, holds one of a Jayde (G7). The model (tests/candidates.py) puts both forward.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from joinedup.accounts.models import User
from joinedup.accounts.queries import actor_for_user
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import linking
from joinedup.frontdoor.cases import load_cases
from joinedup.frontdoor.models import Contact, ContactSubject
from tests.candidates import ModelPutsForward, candidate, contact_about_jade, import_record
from tests.factories import ADMIN, create_agency, create_user
from tests.frontdoor import PRACTICE
from tests.web.conftest import (
    error_summary,
    heading,
    page,
    post_form,
    sign_in,
    table_rows,
    text_of,
)

pytestmark = pytest.mark.usefixtures("frozen_clock")
CANDIDATES = "Not linked: who the people index may have for this person"
RECORDS = "What partner agencies' records hold for this person"
REASON = "Same name and date of birth as children's services' record, and the same school."


@dataclass
class Jade:
    contact: Contact
    subject_id: int
    candidate_ids: list[int]  # best first
    users: dict[str, int]

    @property
    def url(self) -> str:
        return f"/contacts/{self.contact.reference}/people/{self.subject_id}/link"


@pytest.fixture
def jade(sqlite_db: Session) -> Jade:
    db = sqlite_db
    police = create_agency(db, AgencyKind.POLICE)
    council = create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE, code="NCC-CSC", name="CSC")
    create_agency(db, AgencyKind.GP_PRACTICE, code="GP-1", name="Meadow Practice")
    users = {
        "alice": create_user(db, "Alice", agency=police),
        "bob": create_user(db, "Bob", roles=(Role.MASH_MANAGER,), agency=council),
        "bea": create_user(db, "Bea", roles=(Role.MASH_MANAGER,), agency=council),
        "sam": create_user(db, "Sam", agency=council),
    }
    import_record(db, "NCC-CSC", "C1", "Jade", "Smith", file_name="csc.csv")
    import_record(db, "GP-1", "G7", "Jayde", "Smyth", file_name="gp.csv")
    load_cases(
        db,
        ADMIN,
        "NCC-CSC",
        "record_id,case_reference,allocated_worker_email,opened_on\n"
        f"C1,CIN-1,{users['sam'].professional.email},2026-09-01\n".encode(),
        "cases.csv",
    )
    model = ModelPutsForward(candidate(db, "NCC-CSC", "C1", 3.5), candidate(db, "GP-1", "G7", 2.9))
    contact = contact_about_jade(db, actor_for_user(users["alice"]), model)
    subject = contact.subjects[0]
    ids = [c.id for c in linking.candidates_of(db, subject.id)]
    return Jade(contact, subject.id, ids, {name: u.id for name, u in users.items()})


def as_(client: TestClient, db: Session, jade: Jade, name: str) -> TestClient:
    user = db.get(User, jade.users[name])  # read afresh: the app's requests close this session
    assert user is not None and user.professional.email
    return sign_in(client, user)


def test_the_manager_decides_from_the_contacts_page_and_it_then_shows_them_as_known(
    client: TestClient, sqlite_db: Session, jade: Jade
) -> None:
    bob = as_(client, sqlite_db, jade, "bob")
    contact_page = page(bob.get(f"/contacts/{jade.contact.reference}"))
    button = contact_page.select_one(f"a[href='{jade.url}']")
    assert button is not None and "Decide who this is" in button.get_text()

    form = bob.get(jade.url)

    assert form.status_code == 200
    assert heading(form) == "Who is this person?"
    shown = page(form)
    assert "First name Jade" in text_of(shown, "main")
    assert len(table_rows(shown, CANDIDATES)) == 2
    choices = [
        " ".join(label.get_text(" ").split()) for label in shown.select(".govuk-radios__label")
    ]
    assert choices == [
        "Candidate 1: csc C1",
        "Candidate 2: its details are withheld from you",
        "None of these",
    ]

    done = post_form(
        bob,
        jade.url,
        {
            "candidate": str(jade.candidate_ids[0]),
            "reason": REASON,
            "version": jade.contact.version,
        },
        token_from=jade.url,
    )

    assert done.status_code == 303
    assert done.headers["location"] == (
        f"/contacts/{jade.contact.reference}#person-{jade.subject_id}"
    )
    after = page(bob.get(f"/contacts/{jade.contact.reference}"))
    text = text_of(after, "main")
    assert "Linked to the people index by Bob Archer" in text
    assert "the same person as candidate 1 of 2" in text and REASON in text
    assert "Open case: CIN-1, allocated to Sam Archer (CSC)" in text
    assert [row[0] for row in table_rows(after, RECORDS)] == ["csc C1"]
    assert CANDIDATES not in text and "Decide who this is" not in text
    # Routing is not run again: it stays with the MASH, to be rated.
    assert "Routed to" not in text and "Rate this contact" in text


def test_none_of_these_is_kept_with_its_reason_and_the_candidates_go(
    client: TestClient, sqlite_db: Session, jade: Jade
) -> None:
    bob = as_(client, sqlite_db, jade, "bob")

    done = post_form(
        bob,
        jade.url,
        {"candidate": "none", "reason": "Jade lives in Mansfield; these are Worksop children."},
        token_from=jade.url,
    )

    # No version sent: a stale page, so nothing is saved and the manager is told.
    assert done.status_code == 400
    assert "Nothing you sent was saved" in text_of(page(done), ".govuk-error-summary")
    done = post_form(
        bob,
        jade.url,
        {
            "candidate": "none",
            "reason": "Jade lives in Mansfield; these are Worksop children.",
            "version": jade.contact.version,
        },
        token_from=jade.url,
    )
    assert done.status_code == 303
    text = text_of(page(bob.get(f"/contacts/{jade.contact.reference}")), "main")
    assert "Not linked: Bob Archer decided" in text
    assert "none of the 2 candidates the model put forward is this person" in text
    assert "Jade lives in Mansfield" in text
    assert CANDIDATES not in text and "Not matched to anyone" not in text
    decided = bob.get(jade.url)
    assert decided.status_code == 200  # the decision, with no form
    assert "None of the candidates is this person" in text_of(page(decided), "main")
    assert page(decided).select_one("main form") is None


def test_a_choice_and_a_reason_are_required_and_nothing_is_saved_without_them(
    client: TestClient, sqlite_db: Session, jade: Jade
) -> None:
    bob = as_(client, sqlite_db, jade, "bob")

    no_choice = post_form(
        bob, jade.url, {"reason": REASON, "version": jade.contact.version}, token_from=jade.url
    )
    no_reason = post_form(
        bob,
        jade.url,
        {"candidate": str(jade.candidate_ids[1]), "reason": " ", "version": jade.contact.version},
        token_from=jade.url,
    )

    assert no_choice.status_code == 400
    assert error_summary(no_choice) == {
        "#candidate": "Select the record that is the same person, or None of these"
    }
    assert no_reason.status_code == 400
    assert error_summary(no_reason) == {
        "#reason": "Enter why this is the same person, like the details that match"
    }
    chosen = page(no_reason).select_one("input[name=candidate][checked]")
    assert chosen is not None and chosen["value"] == str(jade.candidate_ids[1])
    subject = sqlite_db.get(ContactSubject, jade.subject_id)
    assert subject is not None
    sqlite_db.refresh(subject)
    assert subject.master_person_id is None and subject.link_decision is None


def test_a_second_manager_is_told_who_linked_whom_and_nothing_of_theirs_is_saved(
    client: TestClient, sqlite_db: Session, jade: Jade
) -> None:
    bea = as_(client, sqlite_db, jade, "bea")
    read = jade.contact.version  # Bea opens the form...
    bob = sqlite_db.get(User, jade.users["bob"])
    assert bob is not None
    linking.link_subject(  # ...and Bob links Jade before she sends it
        sqlite_db,
        actor_for_user(bob),
        jade.contact.id,
        jade.subject_id,
        jade.candidate_ids[0],
        REASON,
        read,
        PRACTICE,
    )

    told = post_form(
        bea,
        jade.url,
        {"candidate": "none", "reason": "Not her", "version": jade.contact.version},
        jade.url,
    )

    assert told.status_code == 400
    assert error_summary(told) == {
        "#decided": "Bob Archer (CSC) linked this person to candidate 1 of 2 at 10am on 24 "
        "November 2026, after you opened it. Nothing you sent was saved: their decision and "
        "reason are on the contact's page"
    }
    shown = text_of(page(told), "main")
    assert "The same person as candidate 1 of 2" in shown and REASON in shown


def test_nobody_but_a_mash_manager_finds_the_page(
    client: TestClient, sqlite_db: Session, jade: Jade
) -> None:
    alice = as_(client, sqlite_db, jade, "alice")

    assert alice.get(jade.url).status_code == 404
    refused = post_form(
        alice, jade.url, {"candidate": "none", "reason": "x", "version": 1}, token_from="/"
    )
    assert refused.status_code == 404
    subject = sqlite_db.get(ContactSubject, jade.subject_id)
    assert subject is not None and subject.link_decision is None


def test_a_person_with_nothing_to_decide_has_no_page(
    client: TestClient, sqlite_db: Session, jade: Jade
) -> None:
    bob = as_(client, sqlite_db, jade, "bob")

    assert bob.get(f"/contacts/{jade.contact.reference}/people/999999/link").status_code == 404
