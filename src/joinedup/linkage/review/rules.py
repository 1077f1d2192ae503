"""Who resolves identities, and what a decision must hold. Pure: no I/O.

Who: a pair's two records may belong to any two agencies, GP practices and schools included,
and neither may have anyone in the MASH. So MASH managers, who decide for the whole MASH and
already work every contact in it, reach every task; a MASH practitioner, who researches their
own agency's records and can check one of the two against its source, reaches the tasks where
their agency holds one of the records. IG leads govern sharing rather than work cases, and
see each decision's access on their transparency pages; no one else reviews.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from joinedup.actor import Actor
from joinedup.directory.rules import Role

REASON_MAX_LENGTH = 2000
REVIEWER_ROLES = frozenset({Role.MASH_MANAGER, Role.MASH_PRACTITIONER})


class Outcome(enum.StrEnum):
    """A reviewer's answer; the values are the ReviewStatus each leaves the task in."""

    SAME = "same"
    APART = "apart"
    UNSURE = "unsure"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Outcome.SAME: "The same person: link them",
    Outcome.APART: "Not the same person",
    Outcome.UNSURE: "Not sure: leave it in the queue",
}


class ReviewError(Exception):
    """A decision that cannot be recorded; the message says why and what to do."""

    def __init__(self, message: str, field: str = "outcome") -> None:
        super().__init__(message)
        self.field = field


def may_review(actor: Actor, agency_ids: Iterable[int]) -> bool:
    """Whether the actor resolves a pair of records held by these agencies."""
    if actor.has(Role.MASH_MANAGER):
        return True
    return actor.has(Role.MASH_PRACTITIONER) and actor.agency_id in set(agency_ids)


def checked_answer(outcome: str, reason: str) -> tuple[Outcome, str]:
    """The outcome and reason of a decision. Raises ReviewError naming the field to fix."""
    try:
        chosen = Outcome(outcome)
    except ValueError:
        raise ReviewError(
            "Select whether the records are the same person, not the same person, or you "
            "are not sure"
        ) from None
    reason = reason.strip()
    if not reason:
        raise ReviewError(
            "Enter why you decided this, from what you compared (for example, the same date "
            "of birth and address, a different NHS number)",
            field="reason",
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ReviewError(
            f"The reason must be {REASON_MAX_LENGTH:,} characters or fewer", field="reason"
        )
    return chosen, reason
