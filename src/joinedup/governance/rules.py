"""The vocabulary and pure rules of information governance: naming the person a subject
access request is about, what an export marks for review before it is released, and which
retention period applies to a contact and when it starts. No I/O.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from joinedup.identifiers import InvalidIdentifier, format_nhs_number, parse_nhs_number
from joinedup.sharing.rules import DataCategory, Purpose


class GovernanceError(Exception):
    """A refusal whose message says what was wrong and how to put it right."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class PersonNotFound(GovernanceError):
    """No one held by that reference or NHS number, or an asker who may not look (404)."""


# --- Whom a request is about ---------------------------------------------------------------

# How sharing.gate.person_reference names a master person: P and eight digits. Fewer digits
# are accepted, as someone may type P42.
_REFERENCE = re.compile(r"P([0-9]{1,8})")
_ASK = "Enter a master person reference like P00000042, or an NHS number like 943 476 5919"


@dataclass(frozen=True)
class PersonAsked:
    """The person a subject access request names: a master person, or an NHS number."""

    master_person_id: int | None = None
    nhs_number: str | None = None  # canonical: 10 digits

    @property
    def described(self) -> str:
        """As the requester would recognise it: "P00000042" or "NHS number 943 476 5919"."""
        if self.master_person_id is not None:
            return f"P{self.master_person_id:08d}"
        assert self.nhs_number is not None
        return f"NHS number {format_nhs_number(self.nhs_number)}"


def parse_person(text: str) -> PersonAsked:
    """A master person reference (P00000042) or an NHS number, as typed.

    Raises GovernanceError saying what was wrong, for the field "person".
    """
    typed = re.sub(r"\s+", "", text).upper()
    if not typed:
        raise GovernanceError(_ASK, "person")
    reference = _REFERENCE.fullmatch(typed)
    if reference:
        number = int(reference[1])
        if number == 0:
            raise GovernanceError(
                f"{text.strip()} is not a person: references start at P00000001", "person"
            )
        return PersonAsked(master_person_id=number)
    if re.fullmatch(r"[0-9\-]+", typed):
        try:
            return PersonAsked(nhs_number=parse_nhs_number(typed))
        except InvalidIdentifier as error:
            raise GovernanceError(str(error), "person") from None
    raise GovernanceError(f"{_ASK}; {text.strip()!r} is neither", "person")


# --- What an export marks for review ------------------------------------------------------


class ReviewReason(enum.StrEnum):
    """Why a piece of an export is marked for the IG lead to review before it is released.

    Nothing is removed: UK GDPR Art 15(4) and DPA 2018 Schedule 2 paragraph 16 leave it to the
    controller to weigh other people's rights, and Schedules 2 and 3 to each owning agency to
    decide its exemptions. The export says where to look.
    """

    THIRD_PARTY = "third_party"
    REFERRER = "referrer"
    STAFF = "staff"
    FREE_TEXT = "free_text"
    OWNER_EXEMPTION = "owner_exemption"

    @property
    def label(self) -> str:
        return _REVIEW[self]


_REVIEW = {
    ReviewReason.THIRD_PARTY: "Another person: information about someone else (UK GDPR Art "
    "15(4); DPA 2018 Schedule 2 paragraph 16)",
    ReviewReason.REFERRER: "The referrer's identity: someone who raised a concern in confidence "
    "(DPA 2018 Schedule 2 paragraph 16)",
    ReviewReason.STAFF: "A member of staff: usually released when acting in their job; check "
    "nothing puts them at risk",
    ReviewReason.FREE_TEXT: "Written in words by a professional: it may name or describe other "
    "people",
    ReviewReason.OWNER_EXEMPTION: "Another agency's information: the owning agency decides any "
    "exemption before release",
}

# The exemption an owning agency considers for information of each category, where the DPA
# 2018 names one; demographics and housing have none of their own.
_EXEMPTIONS = {
    DataCategory.POLICE_INTELLIGENCE: "the crime exemption (DPA 2018 Schedule 2 paragraph 2): "
    "would releasing it prejudice the prevention or detection of crime?",
    DataCategory.CRIMINAL_OFFENCE: "the crime exemption (DPA 2018 Schedule 2 paragraph 2): "
    "would releasing it prejudice the prevention or detection of crime?",
    DataCategory.DOMESTIC_ABUSE: "the crime exemption (DPA 2018 Schedule 2 paragraph 2) and "
    "the serious harm test for social work data (Schedule 3 Part 3)",
    DataCategory.HEALTH: "the serious harm test for health data (DPA 2018 Schedule 3 Part 2), "
    "with an appropriate health professional's opinion",
    DataCategory.MENTAL_HEALTH: "the serious harm test for health data (DPA 2018 Schedule 3 "
    "Part 2), with an appropriate health professional's opinion",
    DataCategory.SUBSTANCE_MISUSE: "the serious harm test for health data (DPA 2018 Schedule 3 "
    "Part 2), with an appropriate health professional's opinion",
    DataCategory.SOCIAL_CARE_HISTORY: "the serious harm test for social work data (DPA 2018 "
    "Schedule 3 Part 3)",
    DataCategory.EDUCATION: "the serious harm test for education data (DPA 2018 Schedule 3 Part 4)",
}


def exemption_to_consider(category: DataCategory) -> str | None:
    """The exemption the owner of information of this category considers before release."""
    return _EXEMPTIONS.get(category)


def for_review(value: Any, reason: ReviewReason, why: str = "") -> Any:
    """A value of an export marked for review: `{"value", "for_review", "why"}`. Nothing to
    review in an empty value, so it stays as it is."""
    if value is None or value == "" or value == {}:
        return value
    return {"value": value, "for_review": reason.value, "why": why or reason.label}


def marks_in(document: Any) -> Counter[str]:
    """How many marks for review a document holds, by reason."""
    found: Counter[str] = Counter()
    waiting = [document]
    while waiting:
        value = waiting.pop()
        if isinstance(value, dict):
            if "for_review" in value:
                found[value["for_review"]] += 1
            waiting.extend(value.values())
        elif isinstance(value, list):
            waiting.extend(value)
    return found


# --- Retention -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementPeriod:
    """An agreement's retention term, as retention_periods needs it."""

    agreement_id: int
    title: str
    purpose: Purpose
    retention_days: int
    was_in_force: bool  # it has been active at some time (signed and activated)


@dataclass(frozen=True)
class RetentionPeriod:
    """How long information held for a purpose is kept, and the agreement that says so."""

    purpose: Purpose
    days: int
    agreement_id: int
    title: str

    @property
    def length(self) -> dt.timedelta:
        return dt.timedelta(days=self.days)


def retention_periods(agreements: Iterable[AgreementPeriod]) -> dict[Purpose, RetentionPeriod]:
    """For each purpose, the longest retention period of the agreements ever in force for it
    (the lowest id of equals). A purpose no agreement was ever in force for has none.

    Why ever in force: information received under an agreement stays under its retention term
    after the agreement is suspended or ends; a draft, or an agreement signed but never
    activated, governed nothing. Why the longest: the hub holds one copy of a contact for every
    party, and a party whose agreement keeps it longer (a serious case review may need it) is
    entitled to it until then; anonymising sooner would break that agreement.
    """
    chosen: dict[Purpose, RetentionPeriod] = {}
    for agreement in sorted(agreements, key=lambda a: a.agreement_id):
        if not agreement.was_in_force:
            continue
        held = chosen.get(agreement.purpose)
        if held is None or agreement.retention_days > held.days:
            chosen[agreement.purpose] = RetentionPeriod(
                agreement.purpose,
                agreement.retention_days,
                agreement.agreement_id,
                agreement.title,
            )
    return chosen


class RetentionClock(enum.StrEnum):
    """What starts a contact's retention period: the end of the work it was raised for.

    A contact the MASH screens ends with its decision. A contact routed to the allocated worker
    of an open social care case (domain.md step 2) is never decided by the MASH: it became part
    of that case's work, and the case agency holds it as its record of the case, which a
    records schedule keeps for a period from the case's closure, not from the day a document
    arrived. So its period runs from the day its case closed; while the case is open (or once
    reopened) the worker may still need it, as the MASH may need a contact not yet decided.
    Why not from routing: a case open longer than the period would lose its contacts while the
    worker still holds them. A routed contact brought back into the MASH is screened and
    decided like any other, and its decision starts its period.
    """

    DECISION = "decision"
    CASE_CLOSED = "case_closed"


def is_due(started_at: dt.datetime, period: RetentionPeriod, now: dt.datetime) -> bool:
    """Whether a contact whose retention clock started at `started_at` (its decision, or its
    case's closure) is past its retention period at `now`."""
    return started_at + period.length <= now


@dataclass(frozen=True)
class RetentionPolicy:
    """What the retention job removes besides contacts: drafts of contacts never sent.

    A draft is its author's unfinished writing, never shared, so no agreement governs it; one
    untouched for `drafts_after` is taken as abandoned (30 days by default, the time a
    professional would reasonably come back to a concern they started).
    """

    drafts_after: dt.timedelta = dt.timedelta(days=30)

    def __post_init__(self) -> None:
        if self.drafts_after < dt.timedelta(days=1):
            raise GovernanceError(
                "Keep abandoned drafts at least 1 day: their authors may come back to them",
                "drafts_after",
            )
