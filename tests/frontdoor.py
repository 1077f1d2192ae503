"""Shared makings for front-door tests: people with roles, a contact, a rating.

Alice is a police referrer; Bob is a MASH manager at the council; each test adds whom it needs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from joinedup.accounts.queries import actor_for_user
from joinedup.actor import Actor
from joinedup.directory.models import Agency
from joinedup.directory.rules import Role
from joinedup.frontdoor import services
from joinedup.frontdoor.models import Contact, Rating
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.schemas import ContactIn
from tests.factories import create_user

PRACTICE = Practice()
# Tuesday 24 November 2026, 10:00 GMT (tests/conftest.py's TEST_NOW).
TUESDAY_10AM = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)


def person(db: Session, name: str, roles: tuple[Role, ...], agency: Agency | None = None) -> Actor:
    return actor_for_user(create_user(db, name, roles=roles, agency=agency, password=None))


def a_contact(db: Session, referrer: Actor, **overrides: Any) -> Contact:
    data: dict[str, Any] = {
        "subjects": [{"kind": "child", "given_name": "Jade", "family_name": "Smith"}],
        "concern_categories": ["neglect"],
        "what_happened": "Jade has been coming to school hungry.",
        "urgency": "routine",
        "consent": "given",
    }
    return services.receive_contact(
        db, referrer, ContactIn.model_validate({**data, **overrides}), PRACTICE
    ).contact


def rate(
    db: Session,
    manager: Actor,
    contact: Contact,
    rating: str,
    reason: str = "Bruising seen",
    version: int | None = None,
) -> Rating:
    return services.rate_contact(
        db,
        manager,
        contact.id,
        rating,
        reason,
        contact.version if version is None else version,
        PRACTICE,
    )
