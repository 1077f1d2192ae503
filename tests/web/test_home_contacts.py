"""Home pages list the contacts each role has: the referrer's own, the manager's to rate.

Alice is a police referrer, Priya a teacher who raises her own; Bob is the MASH manager.
The lists carry references, clocks and kinds of concern, never a person's details.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts.models import User
from joinedup.accounts.queries import actor_for_user
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import services
from joinedup.frontdoor.models import Contact
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.schemas import ContactIn
from tests.factories import create_agency, create_user
from tests.web.conftest import TestClient, page, sign_in, table_rows


def _raise(db: Session, user: User) -> Contact:
    concern = ContactIn.model_validate(
        {
            "subjects": [
                {
                    "kind": "child",
                    "given_name": "Jade",
                    "family_name": "Smith",
                    "date_of_birth": "2015-03-27",
                }
            ],
            "concern_categories": ["neglect", "domestic_abuse"],
            "what_happened": "Jade said she had not eaten since yesterday.",
            "urgency": "urgent",
            "consent": "given",
        }
    )
    return services.receive_contact(db, actor_for_user(user), concern, Practice()).contact


def test_a_referrer_sees_their_own_contacts_and_not_anyone_elses(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    alice = create_user(sqlite_db, "Alice", agency=create_agency(sqlite_db, AgencyKind.POLICE))
    priya = create_user(sqlite_db, "Priya", agency=create_agency(sqlite_db, AgencyKind.SCHOOL))
    mine, theirs = _raise(sqlite_db, alice), _raise(sqlite_db, priya)

    home = page(sign_in(client, alice).get("/"))

    rows = table_rows(home, "Quote the reference")
    assert rows == [
        [
            mine.reference,
            "24 November 2026 at 10:00am",
            "Received: waiting to be screened by the MASH",
            "Not decided yet",
        ]
    ]
    assert theirs.reference not in home.get_text()
    assert "Jade" not in home.get_text()


def test_a_mash_manager_sees_contacts_to_rate_with_their_decision_clocks(
    client: TestClient, sqlite_db: Session, frozen_clock: clock.Clock
) -> None:
    alice = create_user(sqlite_db, "Alice", agency=create_agency(sqlite_db, AgencyKind.POLICE))
    bob = create_user(
        sqlite_db,
        "Bob",
        roles=(Role.MASH_MANAGER,),
        agency=create_agency(sqlite_db, AgencyKind.CHILDRENS_SOCIAL_CARE),
    )
    older = _raise(sqlite_db, alice)
    frozen_clock.advance(dt.timedelta(hours=2))
    newer = _raise(sqlite_db, alice)
    # Received Tuesday 10:00 and 12:00, so decisions are due Wednesday 10:00 and 12:00. At
    # Wednesday 11:00 the first is 30 minutes late in working time, not an hour: the MASH
    # opens at 10:30 on Wednesdays.
    frozen_clock.set(dt.datetime(2026, 11, 25, 11, 0, tzinfo=dt.UTC))

    home = page(sign_in(client, bob).get("/"))

    rows = table_rows(home, "Contacts to rate, oldest first")
    assert [row[0] for row in rows] == [older.reference, newer.reference]
    assert rows[0][2] == "Neglect, Domestic abuse"
    assert rows[0][3].endswith("Overdue by 30 minutes of working time")
    assert rows[1][3].endswith("1 hour of working time left")
    assert "Jade" not in home.get_text()
