"""A contact about a child with an open case, as each person sees it: the allocated worker has it
on their home page and opens it (through the gate, on the ledger); the referrer is told it was
passed to the allocated social worker; the MASH manager sees where it went and can bring it back
into the MASH; nobody else can open it.

Alice is a police officer (referrer); Bob the MASH manager; Sam the social worker who holds
Jade's case; Tess another social worker at children's services; Charlie a teacher.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.accounts import services as accounts
from joinedup.accounts.models import User
from joinedup.accounts.queries import actor_for_user
from joinedup.audit.models import AuditEntry
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import services
from joinedup.frontdoor.cases import import_cases
from joinedup.frontdoor.models import Contact
from joinedup.frontdoor.rules import ContactStatus
from joinedup.frontdoor.schemas import ContactIn
from joinedup.people.imports import import_extract
from joinedup.people.schemas import COLUMN_NAMES
from tests.factories import ADMIN, create_agency, create_user
from tests.frontdoor import PRACTICE
from tests.web.conftest import (
    error_summary,
    heading,
    new_client,
    page,
    post_form,
    sign_in,
    table_rows,
    text_of,
)

pytestmark = pytest.mark.usefixtures("frozen_clock")
NHS = "9434765919"


@dataclass
class Hub:
    db: Session
    app: FastAPI
    contact: Contact
    user_ids: dict[str, int]

    def user(self, name: str) -> User:
        """Read afresh: each request closes the app's session, which is this one."""
        user = self.db.get(User, self.user_ids[name])
        assert user is not None and user.professional.agency.name
        return user

    def browser(self, name: str) -> TestClient:
        user = self.user(name)
        client = new_client(self.app)
        client.__enter__()
        return sign_in(client, user)


@pytest.fixture
def hub(sqlite_db: Session, app: FastAPI, tmp_path: Path) -> Hub:
    db = sqlite_db
    police = create_agency(db, AgencyKind.POLICE, name="Notts Police")
    council = create_agency(db, AgencyKind.CHILDRENS_SOCIAL_CARE, name="Children's Services")
    school = create_agency(db, AgencyKind.SCHOOL)
    users = {
        "Alice": create_user(db, "Alice", agency=police),
        "Bob": create_user(db, "Bob", roles=(Role.MASH_MANAGER,), agency=council),
        "Sam": create_user(db, "Sam", agency=council),
        "Tess": create_user(db, "Tess", agency=council),
        "Charlie": create_user(db, "Charlie", agency=school),
    }
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMN_NAMES, restval="")
    writer.writeheader()
    writer.writerow(
        {"record_id": "C1", "given_name": "Jade", "family_name": "Quill", "nhs_number": NHS}
    )
    import_extract(db, ADMIN, council.code, io.BytesIO(text.getvalue().encode()), "csc.csv")
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "record_id,case_reference,allocated_worker_email,opened_on\n"
        f"C1,CIN-100,{users['Sam'].professional.email},2026-09-01\n"
    )
    import_cases(db, ADMIN, council.code, cases)
    concern = ContactIn.model_validate(
        {
            "subjects": [
                {"kind": "child", "given_name": "Jade", "family_name": "Quill", "nhs_number": NHS}
            ],
            "concern_categories": ["neglect"],
            "what_happened": "Jade was left alone overnight.",
            "urgency": "urgent",
            "consent": "given",
        }
    )
    contact = services.receive_contact(
        db, actor_for_user(users["Alice"]), concern, PRACTICE
    ).contact
    assert contact.status == ContactStatus.ROUTED
    return Hub(db, app, contact, {name: user.id for name, user in users.items()})


def disclosed_to(db: Session, user: User) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.actor_user_id == user.id, AuditEntry.action.like("%:disclosed"))
        )
        or 0
    )


def test_the_allocated_worker_has_it_on_their_home_page_and_opens_it(hub: Hub) -> None:
    sam = hub.browser("Sam")

    home = page(sam.get("/"))
    rows = table_rows(home, "Someone each is about has an open case you hold")
    assert rows == [
        [
            hub.contact.reference,
            "24 November 2026 at 10:00am",
            "CIN-100",
            "Neglect",
            "25 November 2026 at 10:00am 7 hours of working time left",  # the acknowledgement
        ]
    ]
    assert "Jade" not in home.get_text(), "lists carry no one's details"

    before = disclosed_to(hub.db, hub.user("Sam"))
    response = sam.get(f"/contacts/{hub.contact.reference}")
    assert response.status_code == 200
    assert heading(response) == hub.contact.reference
    shown = page(response)
    assert "Routed to you, open case CIN-100" in text_of(shown, "#routed")
    assert "Jade" in shown.get_text() and "left alone overnight" in shown.get_text()
    assert disclosed_to(hub.db, hub.user("Sam")) > before, "through the gate, on the ledger"
    assert "Rate this contact" not in shown.get_text()
    assert "Partner research" not in shown.get_text()


def test_nobody_else_can_open_it(hub: Hub) -> None:
    for name in ("Tess", "Charlie"):
        response = hub.browser(name).get(f"/contacts/{hub.contact.reference}")
        assert response.status_code == 404, name
    tess_home = page(hub.browser("Tess").get("/"))
    assert hub.contact.reference not in tess_home.get_text()
    assert "When a concern is raised about someone whose case you hold" in tess_home.get_text()


def test_the_referrer_is_told_it_went_to_the_allocated_social_worker_but_not_who(
    hub: Hub,
) -> None:
    alice = hub.browser("Alice")

    home = page(alice.get("/"))
    (row,) = table_rows(home, "Quote the reference")
    assert row[2].startswith("Passed to the allocated social worker")
    contact_page = page(alice.get(f"/contacts/{hub.contact.reference}"))
    assert "Passed to the allocated social worker" in contact_page.get_text()
    assert "Sam" not in contact_page.get_text() and "CIN-100" not in contact_page.get_text()

    _token, raw = accounts.create_api_token(
        hub.db, ADMIN, hub.user("Alice").professional.email, "Alice's system"
    )
    answer = alice.get(
        f"/api/v1/contacts/{hub.contact.reference}", headers={"Authorization": f"Bearer {raw}"}
    )
    assert answer.status_code == 200
    assert answer.json()["status"] == "routed"
    assert answer.json()["status_description"].startswith("Passed to the allocated social worker")
    assert "Sam" not in answer.text and "CIN-100" not in answer.text


def test_the_manager_sees_where_it_went_and_brings_it_back_with_a_reason(hub: Hub) -> None:
    bob = hub.browser("Bob")
    reference = hub.contact.reference

    home = page(bob.get("/"))
    assert table_rows(home, "went to the case's allocated worker") == [
        [reference, "24 November 2026 at 10:00am", "CIN-100", "Sam Archer", "Not yet"]
    ]
    assert "There are none waiting" in home.get_text(), "not on the list of contacts to rate"
    shown = page(bob.get(f"/contacts/{reference}"))
    assert "Routed to Sam Archer (Children's Services), open case CIN-100" in text_of(
        shown, "#routed"
    )
    # Each person's open cases, with whoever holds them (here, the one it went to).
    assert (
        "Open case: CIN-100, allocated to Sam Archer (Children's Services), since 1 September"
        in (" ".join(shown.get_text(" ").split()))
    )

    form = f"/contacts/{reference}/bring-back"
    empty = post_form(bob, form, {"version": "1", "reason": ""}, form)
    assert empty.status_code == 400
    assert error_summary(empty) == {
        "#reason": "Enter why you are bringing it back into the MASH, like a wrong match or a "
        "closed case"
    }
    done = post_form(bob, form, {"version": "1", "reason": "Wrong match: another Jade"}, form)
    assert done.status_code == 303

    after = page(bob.get(f"/contacts/{reference}"))
    assert "Brought back into the MASH by Bob Archer" in text_of(after, "#routed")
    assert "Wrong match: another Jade" in after.get_text()
    assert [row[0] for row in table_rows(page(bob.get("/")), "Contacts to rate")] == [reference]
    assert hub.browser("Sam").get(f"/contacts/{reference}").status_code == 404


def test_a_manager_acting_on_a_stale_page_is_told_who_brought_it_back(hub: Hub) -> None:
    reference = hub.contact.reference
    dana = create_user(
        hub.db, "Dana", roles=(Role.MASH_MANAGER,), agency=hub.user("Bob").professional.agency
    )
    hub.user_ids["Dana"] = dana.id
    bob, dana_browser = hub.browser("Bob"), hub.browser("Dana")
    form = f"/contacts/{reference}/bring-back"
    post_form(bob, form, {"version": "1", "reason": "Case closed last week"}, form)

    late = post_form(dana_browser, form, {"version": "1", "reason": "Wrong match"}, form)

    assert late.status_code == 400
    (message,) = error_summary(late).values()
    assert message.startswith("Bob Archer (Children's Services) brought this contact back into")
    assert "Wrong match" not in page(dana_browser.get(f"/contacts/{reference}")).get_text()


def test_a_contact_never_routed_has_no_bring_back_page(hub: Hub) -> None:
    other = services.receive_contact(
        hub.db,
        actor_for_user(hub.user("Alice")),
        ContactIn.model_validate(
            {
                "subjects": [{"kind": "child", "given_name": "Ava"}],
                "concern_categories": ["neglect"],
                "what_happened": "Hungry.",
                "urgency": "routine",
                "consent": "given",
            }
        ),
        PRACTICE,
    ).contact
    bob = hub.browser("Bob")
    assert bob.get(f"/contacts/{other.reference}/bring-back").status_code == 404
    assert (
        hub.browser("Alice").get(f"/contacts/{hub.contact.reference}/bring-back").status_code == 404
    )
