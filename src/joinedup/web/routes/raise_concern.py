"""Raise a concern: the web form for any professional, one question a page, a check of every
answer before sending, and the reference at once.

The answers are kept on the server as the professional's draft (frontdoor.drafts), so a
reload loses nothing and only they see it. The draft's id goes with the final form and is the
contact's idempotency key, so a double click, or the back button and send again, makes one
contact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from joinedup.actor import Actor
from joinedup.frontdoor import drafts, matching, queries
from joinedup.frontdoor.rules import (
    WHAT_HAPPENED_LENGTH,
    Consent,
    ConsentNotSoughtReason,
    InvalidContact,
    Urgency,
)
from joinedup.web.deps import CurrentActor, Db, NotFound, page_router, practice_of
from joinedup.web.forms import error_summary, field
from joinedup.web.routes import raise_concern_people as people
from joinedup.web.routes.raise_concern_forms import (
    CAPTION,
    CHECK,
    PAGES,
    START,
    go,
    next_page,
    problems_for,
    question_page,
    spoken_date,
    today,
)
from joinedup.web.templating import render

router = page_router()
router.include_router(people.router)
SENT = f"{START}/sent"
_Page = Callable[[Request, dict[str, Any], dict[str, str]], Response]
_PERSON = re.compile(r"(subjects|household)\[(\d+)\]")

URGENCIES = (
    (
        Urgency.IMMEDIATE.value,
        "Immediate",
        "At risk of significant harm today. If a life is in danger, call 999 as well.",
    ),
    (Urgency.URGENT.value, "Urgent", "Something needs to happen within a working day."),
    (Urgency.ROUTINE.value, "Routine", None),
)
CONSENTS = (
    (Consent.GIVEN.value, "Yes, they agreed"),
    (Consent.REFUSED.value, "No, they refused"),
    (Consent.NOT_SOUGHT.value, "Consent was not sought"),
)
REASONS = tuple((reason.value, reason.label) for reason in ConsentNotSoughtReason)


@router.get(START)
def start(request: Request, actor: CurrentActor, db: Db) -> Response:
    return render(
        request,
        "pages/raise_concern/start.html",
        title="Raise a concern",
        draft=drafts.own_draft(db, actor),
        decision_due=practice_of(request).decision_due.describe(),
    )


@router.post(START)
def begin(request: Request, actor: CurrentActor, db: Db) -> Response:
    """Start a draft, or carry on with the one the professional has."""
    draft = drafts.start_draft(db, actor)
    return go(next_page(draft.answers))


@router.post(f"{START}/discard")
def discard(request: Request, actor: CurrentActor, db: Db) -> Response:
    drafts.discard_draft(db, actor)
    return go(START)


# --- The concern, one question a page -------------------------------------------------------


@router.get(PAGES["concern_categories"])
def concerns(request: Request, actor: CurrentActor, db: Db) -> Response:
    draft = drafts.own_draft(db, actor)
    if draft is None:
        return go(START)
    return _concerns_page(
        request, {"concern_categories": draft.answers.get("concern_categories", [])}, {}
    )


@router.post(PAGES["concern_categories"])
async def save_concerns(request: Request, actor: CurrentActor, db: Db) -> Response:
    form = await request.form()
    chosen = [code for code in form.getlist("concern_categories") if isinstance(code, str)]
    return _save(request, actor, db, {"concern_categories": chosen}, _concerns_page)


def _concerns_page(request: Request, values: dict[str, Any], errors: dict[str, str]) -> Response:
    return question_page(
        request,
        "concerns.html",
        "What is the concern about?",
        PAGES["household"],
        values,
        errors,
        categories=practice_of(request).concern_categories,
    )


@router.get(PAGES["what_happened"])
def what_happened(request: Request, actor: CurrentActor, db: Db) -> Response:
    draft = drafts.own_draft(db, actor)
    if draft is None:
        return go(START)
    return _what_happened_page(
        request, {"what_happened": draft.answers.get("what_happened", "")}, {}
    )


@router.post(PAGES["what_happened"])
async def save_what_happened(request: Request, actor: CurrentActor, db: Db) -> Response:
    form = await request.form()
    text = form.get("what_happened")
    answer = {"what_happened": text.strip() if isinstance(text, str) else ""}
    return _save(request, actor, db, answer, _what_happened_page)


def _what_happened_page(
    request: Request, values: dict[str, Any], errors: dict[str, str]
) -> Response:
    return question_page(
        request,
        "what_happened.html",
        "What happened?",
        PAGES["concern_categories"],
        values,
        errors,
        limit=WHAT_HAPPENED_LENGTH,
    )


@router.get(PAGES["urgency"])
def urgency(request: Request, actor: CurrentActor, db: Db) -> Response:
    draft = drafts.own_draft(db, actor)
    if draft is None:
        return go(START)
    return _urgency_page(request, {"urgency": draft.answers.get("urgency", "")}, {})


@router.post(PAGES["urgency"])
async def save_urgency(request: Request, actor: CurrentActor, db: Db) -> Response:
    answer = field(await request.form(), "urgency")
    if answer not in {value for value, _, _ in URGENCIES}:
        return _urgency_page(request, {}, {"urgency": "Select how urgent it is"})
    return _save(request, actor, db, {"urgency": answer}, _urgency_page)


def _urgency_page(request: Request, values: dict[str, Any], errors: dict[str, str]) -> Response:
    return question_page(
        request,
        "urgency.html",
        "How urgent is it?",
        PAGES["what_happened"],
        values,
        errors,
        urgencies=URGENCIES,
    )


@router.get(PAGES["consent"])
def consent(request: Request, actor: CurrentActor, db: Db) -> Response:
    draft = drafts.own_draft(db, actor)
    if draft is None:
        return go(START)
    values = {
        "consent": draft.answers.get("consent", ""),
        "consent_not_sought_reason": draft.answers.get("consent_not_sought_reason") or "",
    }
    return _consent_page(request, values, {})


@router.post(PAGES["consent"])
async def save_consent(request: Request, actor: CurrentActor, db: Db) -> Response:
    form = await request.form()
    answer = field(form, "consent")
    if answer not in {value for value, _ in CONSENTS}:
        errors = {"consent": "Select whether they agreed to this referral"}
        return _consent_page(request, {}, errors)
    # The reason is asked under "not sought" only: one left chosen there is not an answer.
    reason = field(form, "consent_not_sought_reason") if answer == Consent.NOT_SOUGHT else ""
    known = {value for value, _ in REASONS}
    values = {"consent": answer, "consent_not_sought_reason": reason if reason in known else None}
    return _save(request, actor, db, values, _consent_page)


def _consent_page(request: Request, values: dict[str, Any], errors: dict[str, str]) -> Response:
    return question_page(
        request,
        "consent.html",
        "Did they agree to this referral?",
        PAGES["urgency"],
        values,
        errors,
        consents=CONSENTS,
        reasons=REASONS,
    )


def _save(
    request: Request, actor: Actor, db: Session, answers: dict[str, Any], page: _Page
) -> Response:
    """Check one page's answers by the front door's rules; save them and go on, or show why not."""
    draft = drafts.own_draft(db, actor)
    if draft is None:
        return go(START)
    problems = drafts.check_answers({**draft.answers, **answers}, practice_of(request), today())
    errors = problems_for(problems, "", list(answers))
    if errors:
        return page(request, answers, errors)
    draft = drafts.save_answers(db, actor, answers)
    return go(next_page(draft.answers))


# --- Check your answers, send, and the reference ------------------------------------------


@router.get(CHECK)
def check(request: Request, actor: CurrentActor, db: Db) -> Response:
    draft = drafts.own_draft(db, actor)
    if draft is None:
        return go(START)
    if drafts.unanswered(draft.answers):
        return go(next_page(draft.answers))
    return _check_page(request, draft, {})


@router.post(CHECK)
async def send(request: Request, actor: CurrentActor, db: Db) -> Response:
    """Send the draft the page showed; its reference is on the next page."""
    draft_id = field(await request.form(), "draft_id")
    try:
        # The process's online matcher when a model is trained, as the API's intake uses.
        matcher = matching.resident(request.app.state.settings.data_dir)
        received = drafts.send_draft(db, actor, draft_id, practice_of(request), matcher)
    except drafts.DraftNotFound:
        raise NotFound() from None
    except InvalidContact as invalid:
        draft = drafts.own_draft(db, actor)
        if draft is None:
            raise NotFound() from None
        if drafts.unanswered(draft.answers):
            return go(next_page(draft.answers))
        return _check_page(request, draft, _check_errors(invalid))
    return go(f"{SENT}?reference={received.contact.reference}")


def _check_page(request: Request, draft: drafts.ContactDraft, errors: dict[str, str]) -> Response:
    practice = practice_of(request)
    answers = draft.answers
    return render(
        request,
        "pages/raise_concern/check.html",
        status_code=400 if errors else 200,
        title="Check your answers before sending your concern",
        caption=CAPTION,
        back=PAGES["consent"],
        errors=errors,
        error_summary=error_summary(errors),
        draft_id=draft.id,
        groups=[
            (
                group,
                [(i, people.person_name(p), p) for i, p in enumerate(answers.get(group.key, []))],
            )
            for group in (people.SUBJECTS, people.HOUSEHOLD)
        ],
        kind_labels=people.KIND_LABELS,
        spoken_date=spoken_date,
        pages=PAGES,
        concerns=[practice.concern_label(code) for code in answers["concern_categories"]],
        what_happened=answers["what_happened"],
        urgency=_label(URGENCIES, answers["urgency"]),
        consent=_label(CONSENTS, answers["consent"]),
        reason=_label(REASONS, answers.get("consent_not_sought_reason")),
    )


def _check_errors(invalid: InvalidContact) -> dict[str, str]:
    """The problems on the check page: each beside its person's card or the answer's row."""
    errors: dict[str, str] = {}
    for problem in invalid.problems:
        where = _PERSON.match(problem.field)
        key = f"{where[1]}-{where[2]}" if where else problem.field.split(".")[0]
        key = "consent" if key == "consent_not_sought_reason" else key
        errors.setdefault(key, problem.message)
    return errors


def _label(choices: Sequence[Sequence[str | None]], value: object) -> str:
    """The words shown for a stored choice."""
    return next((choice[1] or "" for choice in choices if choice[0] == value), "")


@router.get(SENT)
def sent(request: Request, actor: CurrentActor, db: Db, reference: str = "") -> Response:
    """The reference, at once. Only the professional who raised it sees this page."""
    contact = queries.contact_for(db, actor, reference) if reference else None
    if contact is None or contact.referrer_professional_id != actor.professional_id:
        raise NotFound()
    return render(
        request,
        "pages/raise_concern/sent.html",
        title="Concern sent",
        reference=contact.reference,
        decision_due=practice_of(request).decision_due.describe(),
    )
