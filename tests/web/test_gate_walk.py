"""DESIGN invariant 1, walked: every page that shows a person's details got them through the
sharing gate, which put the access on the ledger in the same request.

The county holds a child with names no one else has, known to the police, and a contact about
her. Each role signs in and opens every page the app has (the route walk finds new ones by
itself); any page whose HTML carries her name, date of birth or NHS number must have added a
"disclosed" ledger entry for that user while it was being served.
"""

from __future__ import annotations

import csv
import io

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.accounts.models import User
from joinedup.accounts.queries import actor_for_user
from joinedup.audit.models import AuditEntry
from joinedup.directory.models import Agency
from joinedup.directory.rules import Role
from joinedup.frontdoor import research, services
from joinedup.frontdoor.cases import load_cases
from joinedup.frontdoor.schemas import ContactIn
from joinedup.people.imports import import_extract
from joinedup.people.schemas import COLUMN_NAMES
from joinedup.synthetic import County, CountyOptions, build_county
from joinedup.synthetic.load import load_county
from tests.factories import ADMIN, create_user
from tests.frontdoor import PRACTICE, rate
from tests.web.conftest import fill_in, new_client, page_routes, sign_in

pytestmark = pytest.mark.usefixtures("frozen_clock")

NHS = "9434765919"
SECRETS = ("Quillandra", "Vexworthy", "2018-07-19", NHS)
ROLES = {
    "referrer": ("NOTTS-POLICE", Role.REFERRER),
    "manager": ("NCC-CSC", Role.MASH_MANAGER),
    "health practitioner": ("NOTTS-COMMUNITY", Role.MASH_PRACTITIONER),
    "police practitioner": ("NOTTS-POLICE", Role.MASH_PRACTITIONER),
    "ig lead": ("NOTTS-POLICE", Role.IG_LEAD),
    "system leader": ("NCC-CSC", Role.SYSTEM_LEADER),
    "administrator": ("NCC-CSC", Role.ADMINISTRATOR),
    "allocated worker": ("NCC-CSC", Role.REFERRER),  # holds her open case
}


@pytest.fixture(scope="module")
def county() -> County:
    return build_county(CountyOptions(people=100))


def police_record(record_id: str = "WALK-1") -> io.BytesIO:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMN_NAMES, restval="")
    writer.writeheader()
    writer.writerow(
        {
            "record_id": record_id,
            "given_name": SECRETS[0],
            "family_name": SECRETS[1],
            "date_of_birth": SECRETS[2],
            "nhs_number": NHS,
            "postcode": "NG18 1AB",
        }
    )
    return io.BytesIO(text.getvalue().encode())


def agency(db: Session, code: str) -> Agency:
    return db.scalars(select(Agency).where(Agency.code == code)).one()


def disclosures_to(db: Session, user: User) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.actor_user_id == user.id, AuditEntry.action.like("%:disclosed"))
        )
        or 0
    )


def test_every_page_showing_a_persons_details_put_the_access_on_the_ledger(
    sqlite_db: Session, app: FastAPI, county: County
) -> None:
    db = sqlite_db
    load_county(db, county, demo_password="demo password for tests", seed=1)
    import_extract(db, ADMIN, "NOTTS-POLICE", police_record(), file_name="walk.csv")
    users = {
        role: create_user(db, role.title().replace(" ", ""), roles=(kind,), agency=agency(db, code))
        for role, (code, kind) in ROLES.items()
    }
    about_her = ContactIn.model_validate(
        {
            "subjects": [
                {
                    "kind": "child",
                    "given_name": SECRETS[0],
                    "family_name": SECRETS[1],
                    "date_of_birth": SECRETS[2],
                    "nhs_number": NHS,
                }
            ],
            "concern_categories": ["neglect"],
            "what_happened": "Left alone overnight.",
            "urgency": "urgent",
            "consent": "given",
        }
    )
    referrer = actor_for_user(users["referrer"])
    contact = services.receive_contact(db, referrer, about_her, PRACTICE).contact
    assert contact.subjects[0].master_person_id is not None  # matched to the police record
    manager = actor_for_user(users["manager"])
    rate(db, manager, contact, "amber", "Neglect")
    (request,) = research.request_research(
        db,
        manager,
        contact.id,
        [agency(db, "NOTTS-COMMUNITY").id],
        "Known?",
        contact.version,
        PRACTICE,
    )
    # Then children's services open a case for her, so the next contact about her is routed
    # to its allocated worker: its page and the bring-back form are walked too.
    import_extract(db, ADMIN, "NCC-CSC", police_record("WALK-C1"), file_name="walk-csc.csv")
    load_cases(
        db,
        ADMIN,
        "NCC-CSC",
        (
            "record_id,case_reference,allocated_worker_email,opened_on\n"
            f"WALK-C1,CIN-WALK,{users['allocated worker'].professional.email},2026-09-01\n"
        ).encode(),
        "walk-cases.csv",
    )
    routed = services.receive_contact(db, referrer, about_her, PRACTICE).contact
    assert routed.routing is not None
    values = {
        "reference": contact.reference,
        "request_id": request.id,
        "task_id": contact.feedback_tasks[0].id,
    }
    paths = sorted(
        {
            fill_in(route.path, **values)
            for route in page_routes(app)
            if "GET" in route.methods and "{" not in fill_in(route.path, **values)
        }
        | {
            fill_in(route.path, reference=routed.reference)
            for route in page_routes(app)
            if "GET" in route.methods
            and route.path.startswith("/contacts/{reference}")
            and "{" not in fill_in(route.path, reference=routed.reference)
        }
    )

    for user in users.values():  # loaded afresh (the imports expired them), to sign in with
        db.refresh(user)
        assert user.professional.email
    shown_to: dict[str, list[str]] = {}
    ungated: list[str] = []
    for role, user in users.items():
        with new_client(app) as browser:
            sign_in(browser, user)
            for path in paths:
                before = disclosures_to(db, user)
                html = browser.get(path).text
                if any(secret in html for secret in SECRETS):
                    shown_to.setdefault(role, []).append(path)
                    if disclosures_to(db, user) == before:
                        ungated.append(f"{role}: {path}")

    assert ungated == [], f"these pages showed a person's details without the gate: {ungated}"
    # The walk would prove nothing if no page showed her: these roles work her contact.
    assert contact.reference and f"/contacts/{contact.reference}" in shown_to["manager"]
    assert f"/research/{request.id}" in shown_to["health practitioner"]
    assert f"/contacts/{contact.reference}" in shown_to["referrer"]
    assert shown_to["allocated worker"] == [
        f"/contacts/{routed.reference}",
        f"/contacts/{routed.reference}/accept",  # what they are accepting, through the gate
    ]
    assert f"/contacts/{routed.reference}/bring-back" in shown_to["manager"]
    for outsider in ("police practitioner", "ig lead", "system leader", "administrator"):
        assert outsider not in shown_to, (outsider, shown_to.get(outsider))
