"""What every sharing service checks its input with: the error, choices from a vocabulary,
agencies by code, and whether the hub is acting for an operator's command."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.actor import Actor
from joinedup.directory.models import Agency

E = TypeVar("E", bound=enum.StrEnum)


class SharingError(Exception):
    """A sharing change that cannot be made; the message says how to put it right.

    `field` names the input at fault, so a form can put the message beside it.
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def today() -> dt.date:
    """Today in England: agreements start and end on local calendar days."""
    return clock.now().astimezone(clock.LONDON).date()


def is_operator(actor: Actor) -> bool:
    """The hub acting for an operator's command (`joinedup demo`), not a signed-in person."""
    return actor.user_id is None and actor.professional_id is None


def agency_by_code(session: Session, code: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code.strip().upper()))
    if agency is None:
        raise SharingError(f"There is no agency with the code {code}", field="agency")
    return agency


def choice(kind: type[E], value: str | None, field: str) -> E:
    """`value` as a member of `kind`, or a SharingError listing the values that exist."""
    found = optional_choice(kind, value, field)
    if found is None:
        raise SharingError(f"Choose {WHAT[field]}", field=field)
    return found


def optional_choice(kind: type[E], value: str | None, field: str) -> E | None:
    if value is None or not value.strip():
        return None
    try:
        return kind(value.strip().lower())
    except ValueError:
        values = ", ".join(member.value for member in kind)
        raise SharingError(f"Choose {WHAT[field]}: one of {values}", field=field) from None


WHAT = {
    "purpose": "the purpose",
    "lawful_basis": "the lawful basis",
    "article_9_condition": "the Art 9 condition",
    "onward_sharing": "the onward-sharing terms",
    "role": "the role",
    "category": "the data category",
    "categories": "the data categories",
    "decision": "whether you share",
    "consent_status": "whether consent was given, refused or not sought",
    "para_18_reason": "the paragraph 18 reason",
}
