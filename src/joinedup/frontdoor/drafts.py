"""Drafts of contacts being raised through the web form: the answers so far, one per person.

A professional raising a concern answers one question a page; the answers are kept here, on
the server, so a reload or a closed tab loses nothing and no personal data waits in the
browser. A draft holds personal data, so only its author reads it (every function takes the
actor and looks only at their draft), and it is deleted in the transaction that sends it.
Its id is the contact's idempotency key: sending it twice (a double click, or the back button
and send again) makes one contact.

The answers are JSON in the shape of ContactIn, with the household apart from the people the
concern is about, and each question's key present once it has been answered:

    {"subjects": [{"kind": "child", "given_name": "Jade", "date_of_birth": "2015-03-27", ...}],
     "household": [{"kind": "adult", "given_name": "Dean", "relationship": "mother's partner"}],
     "concern_categories": ["neglect"], "what_happened": "...", "urgency": "urgent",
     "consent": "not_sought", "consent_not_sought_reason": "c"}
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from joinedup import clock
from joinedup.actor import Actor
from joinedup.db import Base
from joinedup.frontdoor import matching, queries, services
from joinedup.frontdoor.practice import Practice
from joinedup.frontdoor.rules import (
    Channel,
    Consent,
    ConsentNotSoughtReason,
    FieldProblem,
    FrontDoorError,
    InvalidContact,
    PersonKind,
    SubjectRole,
    Urgency,
    check_contact,
)
from joinedup.frontdoor.schemas import ContactIn, SubjectIn

Answers = dict[str, Any]
Person = dict[str, Any]

# ContactIn's own limit on the people one contact names.
MAX_PEOPLE = 50
PERSON_FIELDS = (
    "kind",
    "given_name",
    "family_name",
    "date_of_birth",
    "due_date",
    "nhs_number",
    "upn",
    "address",
    "postcode",
    "relationship",
)
# The questions in the order the form asks them, and what to do about one not yet answered.
QUESTIONS = (
    ("subjects", "Add the person the concern is about"),
    ("household", "Say whether anyone lives with or cares for them"),
    ("concern_categories", "Select what the concern is about"),
    ("what_happened", "Enter what happened"),
    ("urgency", "Select how urgent it is"),
    ("consent", "Select whether they agreed to this referral"),
)
_PERSON_PROBLEM = re.compile(r"subjects\[(\d+)\](.*)")


class ContactDraft(Base):
    """A contact being written in the web form by its author, not yet sent."""

    __tablename__ = "contact_drafts"

    id: Mapped[str] = mapped_column(
        String(36), primary_key=True, comment="a random UUID: the contact's idempotency key"
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id"), unique=True, comment="its author, the only one who may read it"
    )
    answers: Mapped[dict[str, Any]] = mapped_column(
        JSON, comment="the answers so far, shaped like ContactIn (frontdoor.drafts)"
    )
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class DraftNotFound(FrontDoorError):
    """No such draft of the actor's, and no contact sent from it: the same answer either way."""

    def __init__(self) -> None:
        super().__init__("There is no draft concern of yours to send: start again")


# --- Reads and changes ----------------------------------------------------------------------


def own_draft(session: Session, actor: Actor) -> ContactDraft | None:
    """The actor's draft, if they have one. Nobody else's is ever returned."""
    if actor.user_id is None:
        return None
    return session.scalar(select(ContactDraft).where(ContactDraft.user_id == actor.user_id))


def start_draft(session: Session, actor: Actor) -> ContactDraft:
    """The actor's draft, made empty if they have none (one each: a second start resumes it).

    Raises FrontDoorError when the actor is not a signed-in professional.
    """
    if actor.user_id is None or actor.professional_id is None:
        raise FrontDoorError("Concerns are raised by a professional: sign in as one")
    found = own_draft(session, actor)
    if found is not None:
        return found
    now = clock.now()
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # Two starts at once (two tabs) make one draft: the second finds the first's.
    session.execute(
        insert(ContactDraft)
        .values(
            id=str(uuid.uuid4()), user_id=actor.user_id, answers={}, created_at=now, updated_at=now
        )
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    session.commit()
    made = own_draft(session, actor)
    assert made is not None
    return made


def save_answers(session: Session, actor: Actor, answers: Answers) -> ContactDraft:
    """Replace the given questions' answers in the actor's draft (the others stay as they are).

    Raises DraftNotFound when the actor has no draft (it was sent or discarded meanwhile).
    """
    draft = own_draft(session, actor)
    if draft is None:
        raise DraftNotFound()
    draft.answers = {**draft.answers, **answers}
    draft.updated_at = clock.now()
    session.commit()
    return draft


def discard_draft(session: Session, actor: Actor) -> None:
    """Delete the actor's draft and everything in it, if they have one."""
    draft = own_draft(session, actor)
    if draft is not None:
        session.delete(draft)
        session.commit()


def send_draft(
    session: Session,
    actor: Actor,
    draft_id: str,
    practice: Practice,
    matcher: matching.SubjectMatcher | None = None,
) -> services.Received:
    """Send the actor's draft as a contact, and delete the draft in the same transaction.
    `matcher` finds its people in the people index, as intake through the API does.

    draft_id is the draft the form showed. If it was sent already (a double click, or the back
    button and send again), returns the contact it made, with created False, and writes
    nothing. Raises DraftNotFound when it is neither the actor's draft nor one they sent, and
    InvalidContact when its answers are incomplete or no longer pass (the practice changed,
    a child turned 18).
    """
    if actor.user_id is None or actor.professional_id is None:
        raise DraftNotFound()
    draft = session.scalar(
        select(ContactDraft).where(
            ContactDraft.id == draft_id, ContactDraft.user_id == actor.user_id
        )
    )
    if draft is None:
        earlier = queries.contact_by_idempotency_key(session, actor.professional_id, draft_id)
        if earlier is None:
            raise DraftNotFound()
        return services.Received(earlier, created=False)
    open_questions = unanswered(draft.answers)
    if open_questions:
        raise InvalidContact(
            [FieldProblem(key, message) for key, message in QUESTIONS if key in open_questions]
        )
    subject_count = len(draft.answers["subjects"])
    try:
        received = services.take_contact(
            session,
            actor,
            contact_in(draft.answers),
            practice,
            idempotency_key=draft.id,
            channel=Channel.WEB,
            matcher=matcher,
        )
    except InvalidContact as invalid:
        raise InvalidContact(
            [_in_draft_terms(p, subject_count) for p in invalid.problems]
        ) from None
    if received.created:
        session.delete(draft)
        session.commit()
    return received


# --- Answers --------------------------------------------------------------------------------


def unanswered(answers: Answers) -> list[str]:
    """The questions not answered yet, in the order the form asks them."""
    missing = [key for key, _ in QUESTIONS if key not in answers]
    if not answers.get("subjects") and "subjects" not in missing:
        missing.insert(0, "subjects")  # everyone removed: the first question is open again
    return missing


def contact_in(answers: Answers) -> ContactIn:
    """The contact a draft with every question answered makes.

    Built without pydantic's shape checks: the form only ever stores choices from its lists
    and dates it has read, and rules.check_contact judges the rest, in the form's words.
    """
    people = [_subject(p, SubjectRole.SUBJECT) for p in answers["subjects"]]
    people += [_subject(p, SubjectRole.HOUSEHOLD_MEMBER) for p in answers.get("household", [])]
    reason = answers.get("consent_not_sought_reason")
    return ContactIn.model_construct(
        subjects=people,
        concern_categories=list(answers["concern_categories"]),
        what_happened=answers["what_happened"],
        urgency=Urgency(answers["urgency"]),
        consent=Consent(answers["consent"]),
        consent_not_sought_reason=ConsentNotSoughtReason(reason) if reason else None,
    )


def check_answers(answers: Answers, practice: Practice, today: dt.date) -> list[FieldProblem]:
    """What rules.check_contact finds wrong with the answers so far, in the draft's terms:
    `subjects[0].nhs_number`, `household[1].relationship`, `concern_categories`...

    Questions not yet answered are filled with answers that pass, so that each page is judged
    on its own answers, by the same rules as the API, without waiting for the rest.
    """
    passing: Answers = {
        "subjects": [{"kind": PersonKind.ADULT.value, "given_name": "A"}],
        "concern_categories": [practice.concern_categories[0].code],
        "what_happened": "-",
        "urgency": Urgency.ROUTINE.value,
        "consent": Consent.GIVEN.value,
    }
    probe = {**passing, **{key: value for key, value in answers.items() if value is not None}}
    if not probe["subjects"]:
        probe["subjects"] = passing["subjects"]
    if "consent" not in answers:
        probe.pop("consent_not_sought_reason", None)
    try:
        check_contact(contact_in(probe), practice, today)
    except InvalidContact as invalid:
        return [_in_draft_terms(p, len(probe["subjects"])) for p in invalid.problems]
    return []


def _subject(person: Person, role: SubjectRole) -> SubjectIn:
    def day(name: str) -> dt.date | None:
        value = person.get(name)
        return dt.date.fromisoformat(value) if value else None

    return SubjectIn.model_construct(
        role=role,
        kind=PersonKind(person["kind"]),
        given_name=person.get("given_name"),
        family_name=person.get("family_name"),
        date_of_birth=day("date_of_birth"),
        due_date=day("due_date"),
        nhs_number=person.get("nhs_number"),
        upn=person.get("upn"),
        address=person.get("address"),
        postcode=person.get("postcode"),
        relationship=person.get("relationship") if role is SubjectRole.HOUSEHOLD_MEMBER else None,
    )


def _in_draft_terms(problem: FieldProblem, subject_count: int) -> FieldProblem:
    """check_contact numbers everyone in one list; the draft keeps the household apart."""
    match = _PERSON_PROBLEM.fullmatch(problem.field)
    if match is None:
        return problem
    index, rest = int(match[1]), match[2]
    if index < subject_count:
        return problem
    return FieldProblem(f"household[{index - subject_count}]{rest}", problem.message)
