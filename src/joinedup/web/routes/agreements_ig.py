"""What the IG lead's pages share: who reaches them (IG leads only; everyone else gets 404),
the agreement they act on, and how a refusal shows in the GOV.UK error summary."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from joinedup.actor import Actor
from joinedup.directory.rules import Role
from joinedup.sharing import oversight
from joinedup.sharing.models import Agreement
from joinedup.web.deps import Db, NotFound, require_role

IgLead = Annotated[Actor, Depends(require_role(Role.IG_LEAD))]


def agency_of(actor: Actor) -> int:
    """The IG lead's agency: every professional has one; a command never reaches a page."""
    if actor.agency_id is None:
        raise NotFound()
    return actor.agency_id


def agreement_of(db: Db, actor: Actor, agreement_id: int) -> Agreement:
    """The agreement in full, if the actor's agency is party to it; 404 otherwise."""
    found = oversight.agreement_in_full(db, agency_of(actor), agreement_id)
    if found is None:
        raise NotFound()
    return found


def problems(errors: dict[str, str]) -> list[dict[str, str]]:
    """A GOV.UK error summary: each field's message links to it; a refusal about the whole
    thing (no field, like "every party must sign first") is plain text."""
    return [
        {"text": message, "href": f"#{name}"} if name else {"text": message}
        for name, message in errors.items()
    ]
