"""The front door's pure rules: its vocabulary, checking a contact, references and known-people
windows. No I/O and no clock: callers pass today's date and the time now.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from joinedup.clock import LONDON, months_before
from joinedup.frontdoor.practice import Practice
from joinedup.identifiers import InvalidIdentifier, parse_nhs_number, parse_upn

if TYPE_CHECKING:  # schemas imports this module's vocabulary
    from joinedup.frontdoor.schemas import ContactIn, SubjectIn

NAME_LENGTH = 100
ADDRESS_LENGTH = 300
RELATIONSHIP_LENGTH = 100
WHAT_HAPPENED_LENGTH = 20_000
IDEMPOTENCY_KEY_LENGTH = 100
REASON_LENGTH = 5_000
CASE_REFERENCE_LENGTH = 50
# An unborn baby's due date is at most about ten months away (and may have just passed).
_DUE_DATE_AHEAD = timedelta(days=300)
_EARLIEST_BIRTH = date(1900, 1, 1)


# --- Vocabulary ---------------------------------------------------------------------------


class Channel(enum.StrEnum):
    """How a contact reached the hub."""

    WEB = "web"
    API = "api"
    CSV = "csv"


class Urgency(enum.StrEnum):
    """How soon the referrer thinks something must happen."""

    IMMEDIATE = "immediate"  # at risk of significant harm today
    URGENT = "urgent"  # within a working day
    ROUTINE = "routine"


class Consent(enum.StrEnum):
    """Whether the person (or, for a child, whoever can consent for them) agreed to the referral."""

    GIVEN = "given"
    REFUSED = "refused"
    NOT_SOUGHT = "not_sought"


class ConsentNotSoughtReason(enum.StrEnum):
    """DPA 2018 Schedule 1 paragraph 18(2): why sharing goes ahead without consent."""

    CANNOT_BE_GIVEN = "a"
    CANNOT_REASONABLY_GET = "b"
    WOULD_PREJUDICE_PROTECTION = "c"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    ConsentNotSoughtReason.CANNOT_BE_GIVEN: "(a) consent cannot be given",
    ConsentNotSoughtReason.CANNOT_REASONABLY_GET: (
        "(b) the referrer cannot reasonably be expected to get it"
    ),
    ConsentNotSoughtReason.WOULD_PREJUDICE_PROTECTION: (
        "(c) seeking it would prejudice the protection of the child or adult at risk"
    ),
}


class SubjectRole(enum.StrEnum):
    SUBJECT = "subject"  # whom the concern is about
    HOUSEHOLD_MEMBER = "household_member"  # mentioned: lives with or cares for a subject


class PersonKind(enum.StrEnum):
    CHILD = "child"
    ADULT = "adult"
    UNBORN = "unborn"


class ContactStatus(enum.StrEnum):
    """Where a contact is in the front door."""

    RECEIVED = "received"  # waiting for a MASH manager to rate it
    # Domain.md step 2: a subject has an open social care case, so it went to the allocated
    # worker instead of the MASH (a MASH manager can bring it back).
    ROUTED = "routed"
    RATED = "rated"
    RESEARCHING = "researching"  # partners asked what they know
    DECIDED = "decided"

    @property
    def for_referrer(self) -> str:
        """What the referrer is told: never the rating or the partners' research."""
        return _FOR_REFERRER[self]

    @property
    def is_open(self) -> bool:
        """Still being worked on in the MASH."""
        return self is not ContactStatus.DECIDED


class FeedbackKind(enum.StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"  # WT 2023: within one working day of receipt
    OUTCOME = "outcome"  # every decision goes back to the referrer

    @property
    def label(self) -> str:
        return "Acknowledgement" if self is FeedbackKind.ACKNOWLEDGEMENT else "Outcome"


_FOR_REFERRER = {
    ContactStatus.RECEIVED: "Received: waiting to be screened by the MASH",
    # Not who: the worker gets in touch with the referrer, whose name is on the contact.
    ContactStatus.ROUTED: (
        "Passed to the allocated social worker: the person it is about already has an open "
        "case, so the social worker who holds it will take it forward"
    ),
    ContactStatus.RATED: "Screened: the MASH is looking into it",
    # The same words as RATED: whom the MASH asked is the partners' business, not the referrer's.
    ContactStatus.RESEARCHING: "Screened: the MASH is looking into it",
    ContactStatus.DECIDED: "Decided: the MASH has decided what happens next",
}


# --- Checking a contact -------------------------------------------------------------------


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one field, in words for the person who filled it in."""

    field: str
    message: str


class FrontDoorError(Exception):
    """A front-door request that cannot be done; the message says how to put it right.

    `field` names the input at fault, so a form can put the message beside it.
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class InvalidContact(FrontDoorError):
    """A contact with problems; every problem found is listed, not just the first."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__(problems[0].message, problems[0].field)
        self.problems = tuple(problems)


@dataclass(frozen=True)
class CheckedSubject:
    role: SubjectRole
    kind: PersonKind
    given_name: str | None
    family_name: str | None
    date_of_birth: date | None
    due_date: date | None
    nhs_number: str | None
    upn: str | None
    address: str | None
    postcode: str | None
    relationship: str | None


@dataclass(frozen=True)
class CheckedContact:
    subjects: tuple[CheckedSubject, ...]
    concern_categories: tuple[str, ...]
    what_happened: str
    urgency: Urgency
    consent: Consent
    consent_not_sought_reason: ConsentNotSoughtReason | None


def check_contact(data: ContactIn, practice: Practice, today: date) -> CheckedContact:
    """The contact tidied into canonical forms. Raises InvalidContact listing every problem."""
    problems: list[FieldProblem] = []
    subjects = tuple(
        _check_subject(subject, f"subjects[{i}]", today, problems)
        for i, subject in enumerate(data.subjects)
    )
    if not any(s.role is SubjectRole.SUBJECT for s in subjects):
        problems.append(
            FieldProblem("subjects", "Add the person the concern is about, with the role subject")
        )
    known = {c.code for c in practice.concern_categories}
    categories = tuple(dict.fromkeys(code.strip().lower() for code in data.concern_categories))
    if not categories:
        problems.append(FieldProblem("concern_categories", "Select what the concern is about"))
    for code in categories:
        if code not in known:
            problems.append(
                FieldProblem(
                    "concern_categories",
                    f"'{code}' is not a concern category; use one of: {', '.join(sorted(known))}",
                )
            )
    what_happened = data.what_happened.strip()
    if not what_happened:
        problems.append(FieldProblem("what_happened", "Enter what happened"))
    elif len(what_happened) > WHAT_HAPPENED_LENGTH:
        problems.append(
            FieldProblem(
                "what_happened",
                f"What happened must be {WHAT_HAPPENED_LENGTH:,} characters or fewer",
            )
        )
    reason = data.consent_not_sought_reason
    if data.consent is Consent.NOT_SOUGHT and reason is None:
        problems.append(
            FieldProblem(
                "consent_not_sought_reason",
                "Select why consent was not sought: (a) it cannot be given, (b) you cannot "
                "reasonably be expected to get it, or (c) seeking it would prejudice protection",
            )
        )
    if data.consent is not Consent.NOT_SOUGHT and reason is not None:
        problems.append(
            FieldProblem(
                "consent_not_sought_reason",
                "Only give a reason for not seeking consent when consent was not sought",
            )
        )
    if problems:
        raise InvalidContact(problems)
    return CheckedContact(
        subjects=subjects,
        concern_categories=categories,
        what_happened=what_happened,
        urgency=data.urgency,
        consent=data.consent,
        consent_not_sought_reason=reason,
    )


def _check_subject(
    data: SubjectIn, where: str, today: date, problems: list[FieldProblem]
) -> CheckedSubject:
    def problem(field: str, message: str) -> None:
        problems.append(FieldProblem(f"{where}.{field}", message))

    given = _text(data.given_name, f"{where}.given_name", "First name", NAME_LENGTH, problems)
    family = _text(data.family_name, f"{where}.family_name", "Last name", NAME_LENGTH, problems)
    if data.kind is not PersonKind.UNBORN and not (given or family):
        problem("given_name", "Enter their first name or last name, or both")
    born = data.date_of_birth
    if data.kind is PersonKind.UNBORN:
        if born is not None:
            problem("date_of_birth", "An unborn baby has no date of birth: give the due date")
        if data.due_date is None:
            problem("due_date", "Enter the due date of the unborn baby")
        elif not today - timedelta(days=31) <= data.due_date <= today + _DUE_DATE_AHEAD:
            problem("due_date", "Due date must be within the next 10 months")
    else:
        if data.due_date is not None:
            problem("due_date", "Only an unborn baby has a due date")
        if born is not None and born > today:
            problem("date_of_birth", "Date of birth must be today or in the past")
        elif born is not None and born < _EARLIEST_BIRTH:
            problem("date_of_birth", "Date of birth must be after 1 January 1900")
        elif born is not None and data.kind is PersonKind.CHILD and age_on(born, today) >= 18:
            problem(
                "date_of_birth",
                "A child is under 18: check the date of birth, or choose adult",
            )
    return CheckedSubject(
        role=data.role,
        kind=data.kind,
        given_name=given,
        family_name=family,
        date_of_birth=born if data.kind is not PersonKind.UNBORN else None,
        due_date=data.due_date if data.kind is PersonKind.UNBORN else None,
        nhs_number=_identifier(data.nhs_number, f"{where}.nhs_number", nhs_number, problems),
        upn=_identifier(data.upn, f"{where}.upn", upn, problems),
        address=_text(data.address, f"{where}.address", "Address", ADDRESS_LENGTH, problems),
        postcode=_identifier(data.postcode, f"{where}.postcode", postcode, problems),
        relationship=_text(
            data.relationship,
            f"{where}.relationship",
            "Relationship",
            RELATIONSHIP_LENGTH,
            problems,
        ),
    )


def _text(
    value: str | None, field: str, label: str, limit: int, problems: list[FieldProblem]
) -> str | None:
    text = " ".join((value or "").split())
    if len(text) > limit:
        problems.append(FieldProblem(field, f"{label} must be {limit} characters or fewer"))
    return text or None


def _identifier(
    value: str | None,
    field: str,
    parse: Callable[[str], str],
    problems: list[FieldProblem],
) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return parse(value)
    except InvalidIdentifier as error:
        problems.append(FieldProblem(field, str(error)))
        return None


_NHS_SHAPE = re.compile(r"[0-9]{10}")
_SEPARATORS = re.compile(r"[\s\-]+")


def nhs_number(text: str) -> str:
    """The canonical NHS number. Raises InvalidIdentifier in the GOV.UK style: a number of
    the right shape whose check digit fails is "Enter a valid NHS number: ... fails its check
    digit"; other problems keep identifiers' words ("NHS number must be 10 digits, like ...").
    """
    try:
        return parse_nhs_number(text)
    except InvalidIdentifier:
        digits = _SEPARATORS.sub("", text)
        if not _NHS_SHAPE.fullmatch(digits):
            raise
        spaced = f"{digits[:3]} {digits[3:6]} {digits[6:]}"
        raise InvalidIdentifier(
            f"Enter a valid NHS number: {spaced} fails its check digit"
        ) from None


def upn(text: str) -> str:
    """The canonical UPN; InvalidIdentifier in the GOV.UK style, like nhs_number."""
    try:
        return parse_upn(text)
    except InvalidIdentifier as error:
        message = str(error)
        if "fails its check letter" not in message:
            raise
        raise InvalidIdentifier(
            "Enter a valid UPN: " + message.removeprefix("UPN ").split(":")[0]
        ) from None


_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")


def postcode(text: str) -> str:
    """A UK postcode in capitals with one space before the last three characters: NG18 1AB."""
    compact = _SEPARATORS.sub("", text).upper()
    match = _POSTCODE.fullmatch(compact)
    if match is None:
        raise InvalidIdentifier("Enter a real postcode, like NG18 1AB")
    return f"{match[1]} {match[2]}"


def normalise_name(text: str | None) -> str | None:
    """A name as exact matching compares it: lower case, no accents or punctuation.

    "  Seán O'Brien " is "sean obrien". (The people index brings a fuller normaliser with
    titles and nicknames; until it lands, this is what exact matching uses.)
    """
    if not text:
        return None
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[^\w\s-]|_", " ", re.sub(r"['’‘`]", "", bare)).split()
    return " ".join(words) or None


def age_on(born: date, day: date) -> int:
    """Whole years old on day."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def spoken_time(at: datetime) -> str:
    """A moment as GOV.UK writes it, in London time: "4:05pm on 27 November 2026", "10am on ..."."""
    local = at.astimezone(LONDON)
    if (local.hour, local.minute) == (12, 0):
        said = "midday"
    elif (local.hour, local.minute) == (0, 0):
        said = "midnight"
    else:
        minutes = f":{local.minute:02d}" if local.minute else ""
        said = f"{local.hour % 12 or 12}{minutes}{'am' if local.hour < 12 else 'pm'}"
    return f"{said} on {local.day} {local:%B} {local.year}"


# --- References ---------------------------------------------------------------------------


def reference_year(received_at: datetime) -> int:
    """The year in a reference: the London year the contact arrived."""
    return received_at.astimezone(LONDON).year


def format_reference(prefix: str, year: int, number: int) -> str:
    """MASH-2026-000123: what the referrer quotes. Six digits, more after a million a year."""
    return f"{prefix}-{year}-{number:06d}"


# --- Known people -------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """What earlier contacts about one person say about a new one."""

    re_referral: bool
    escalating: bool
    contacts_in_escalation_window: int


def repeat_pattern(
    received_at: datetime, earlier: Iterable[datetime], practice: Practice
) -> Pattern:
    """Whether a contact received at received_at, with earlier contacts about the same person
    received at `earlier` (all before it, or in the same instant but recorded first), is a
    re-referral and part of an escalating pattern.

    A re-referral: an earlier contact within re_referral_window_months (DfE: 12 months).
    Escalating: escalation.contacts or more, counting this one, within escalation.within_months
    (Devon and Cornwall practice: 3 in 3 months).
    """
    before = list(earlier)
    re_referral_since = months_before(received_at, practice.re_referral_window_months)
    escalation_since = months_before(received_at, practice.escalation.within_months)
    in_window = 1 + sum(1 for at in before if at >= escalation_since)
    return Pattern(
        re_referral=any(at >= re_referral_since for at in before),
        escalating=in_window >= practice.escalation.contacts,
        contacts_in_escalation_window=in_window,
    )
