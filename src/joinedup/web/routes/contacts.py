"""A contact's page, and the MASH manager's forms on it: rate, ask partners, send feedback,
bring a routed contact back into the MASH.

Every page that shows a contact opens it through frontdoor.contact_file, which discloses each
person-level field through the sharing gate and puts the access on the ledger; the page is
rendered only after that transaction commits. Anyone not working the contact gets 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from joinedup.directory.models import Agency
from joinedup.directory.rules import AgencyKind
from joinedup.frontdoor import bring_back, decisions, research, services
from joinedup.frontdoor.contact_file import ContactFile, find_contact, open_contact
from joinedup.frontdoor.models import FeedbackTask
from joinedup.frontdoor.rules import ContactStatus, FrontDoorError
from joinedup.web.deps import CurrentActor, Db, NotFound, page_router, practice_of
from joinedup.web.forms import error_summary, field
from joinedup.web.routes.contact_candidates import candidates_of
from joinedup.web.templating import render

router = page_router()


def contact_form(
    request: Request,
    template: str,
    title: str,
    file: ContactFile,
    values: dict[str, str],
    errors: dict[str, str],
    **more: Any,
) -> Response:
    """A form about a contact (rating, research, decision, feedback...): 400 with the error
    summary when its answers had problems."""
    return render(
        request,
        template,
        status_code=400 if errors else 200,
        title=title,
        nav_section="home",
        file=file,
        practice=practice_of(request),
        values=values,
        errors=errors,
        error_summary=error_summary(errors),
        **more,
    )


def opened(request: Request, db: Db, actor: CurrentActor, reference: str) -> ContactFile:
    """The contact as the actor may see it, its ledger entries committed; else 404."""
    found = open_contact(db, actor, reference, practice_of(request))
    if found is None:
        raise NotFound()
    db.commit()
    return found


def version_of(form: object) -> int:
    try:
        return int(field(form, "version"))
    except ValueError:
        return -1  # a tampered form: treated as a stale page, so nothing is written


@router.get("/contacts")
def go_to_contact(request: Request, actor: CurrentActor, db: Db, reference: str = "") -> Response:
    """Go to a contact by its reference, as a referrer or the MASH quote it."""
    wanted = reference.strip().upper()
    if wanted and find_contact(db, actor, wanted) is not None:
        return RedirectResponse(f"/contacts/{wanted}", status_code=303)
    errors = {
        "reference": f"There is no contact {wanted} that you can see: check the reference"
        if wanted
        else "Enter a reference, like MASH-2026-000123"
    }
    return render(
        request,
        "pages/contacts/find.html",
        status_code=404 if wanted else 400,
        title="Find a contact",
        nav_section="home",
        values={"reference": reference},
        errors=errors,
        error_summary=error_summary(errors),
    )


@router.get("/contacts/{reference}")
def contact_page(request: Request, reference: str, actor: CurrentActor, db: Db) -> Response:
    file = opened(request, db, actor, reference)
    return render(
        request,
        "pages/contacts/contact.html",
        title=f"Contact {file.contact.reference}",
        nav_section="home",
        file=file,
        practice=practice_of(request),
        actor=actor,
        candidates=candidates_of(file),
    )


# --- Rating -----------------------------------------------------------------------------


@router.get("/contacts/{reference}/rating")
def rating_form(request: Request, reference: str, actor: CurrentActor, db: Db) -> Response:
    file = managed(request, db, actor, reference)
    return _rating_page(request, file, {}, {})


@router.post("/contacts/{reference}/rating")
async def rate(request: Request, reference: str, actor: CurrentActor, db: Db) -> Response:
    form = await request.form()
    values = {name: field(form, name) for name in ("rating", "reason")}
    file = managed(request, db, actor, reference)
    try:
        services.rate_contact(
            db,
            actor,
            file.contact.id,
            values["rating"],
            values["reason"],
            version_of(form),
            practice_of(request),
        )
    except FrontDoorError as error:
        return _rating_page(
            request, managed(request, db, actor, reference), values, form_error(error, "rating")
        )
    return RedirectResponse(f"/contacts/{file.contact.reference}", status_code=303)


def _rating_page(
    request: Request, file: ContactFile, values: dict[str, str], errors: dict[str, str]
) -> Response:
    current = file.contact.current_rating
    return contact_form(
        request,
        "pages/contacts/rating.html",
        "Change the rating" if current else "Rate this contact",
        file,
        values,
        errors,
    )


# --- Asking partners ----------------------------------------------------------------------


@router.get("/contacts/{reference}/research")
def research_form(request: Request, reference: str, actor: CurrentActor, db: Db) -> Response:
    file = managed(request, db, actor, reference)
    return _research_page(request, db, file, {}, [], {})


@router.post("/contacts/{reference}/research")
async def ask(request: Request, reference: str, actor: CurrentActor, db: Db) -> Response:
    form = await request.form()
    question = field(form, "question")
    chosen = [value for value in form.getlist("agencies") if isinstance(value, str)]
    file = managed(request, db, actor, reference)
    try:
        agency_ids = [int(value) for value in chosen]
        research.request_research(
            db,
            actor,
            file.contact.id,
            agency_ids,
            question,
            version_of(form),
            practice_of(request),
        )
    except ValueError:
        error = FrontDoorError("Select agencies from the list", field="agencies")
        return _research_page(
            request, db, file, {"question": question}, chosen, form_error(error, "agencies")
        )
    except FrontDoorError as error:
        return _research_page(
            request,
            db,
            managed(request, db, actor, reference),
            {"question": question},
            chosen,
            form_error(error, "agencies"),
        )
    return RedirectResponse(f"/contacts/{file.contact.reference}#research", status_code=303)


def _research_page(
    request: Request,
    db: Db,
    file: ContactFile,
    values: dict[str, str],
    chosen: list[str],
    errors: dict[str, str],
) -> Response:
    answering = set(research.agencies_with_practitioners(db))
    asked = file.agencies_asked
    agencies = [
        a
        for a in db.scalars(select(Agency).order_by(Agency.name))
        if a.id in answering and a.id not in asked
    ]
    return contact_form(
        request,
        "pages/contacts/research.html",
        "Ask partners what they know",
        file,
        values,
        errors,
        agencies=[(a, AgencyKind(a.kind).label) for a in agencies],
        chosen=set(chosen),
    )


# --- Bringing a routed contact back into the MASH ----------------------------------------


@router.get("/contacts/{reference}/bring-back")
def bring_back_form(request: Request, reference: str, actor: CurrentActor, db: Db) -> Response:
    file = managed(request, db, actor, reference)
    if file.routing is None:
        raise NotFound()  # never routed: there is nothing to bring back
    return _bring_back_page(request, file, {}, {})


@router.post("/contacts/{reference}/bring-back")
async def bring_back_into_mash(
    request: Request, reference: str, actor: CurrentActor, db: Db
) -> Response:
    form = await request.form()
    values = {"reason": field(form, "reason")}
    file = managed(request, db, actor, reference)
    try:
        bring_back.bring_back(
            db, actor, file.contact.id, values["reason"], version_of(form), practice_of(request)
        )
    except FrontDoorError as error:
        file = managed(request, db, actor, reference)
        # Brought back by someone else meanwhile: no form to fix, so the message stands alone.
        errors = (
            form_error(error, "reason")
            if file.contact.status == ContactStatus.ROUTED
            else {"brought-back": str(error)}
        )
        return _bring_back_page(request, file, values, errors)
    return RedirectResponse(f"/contacts/{file.contact.reference}", status_code=303)


def _bring_back_page(
    request: Request, file: ContactFile, values: dict[str, str], errors: dict[str, str]
) -> Response:
    return contact_form(
        request,
        "pages/contacts/bring_back.html",
        "Bring this contact back into the MASH",
        file,
        values,
        errors,
    )


# --- Feedback to the referrer -------------------------------------------------------------


@router.get("/contacts/{reference}/feedback/{task_id:int}")
def feedback_form(
    request: Request, reference: str, task_id: int, actor: CurrentActor, db: Db
) -> Response:
    file = managed(request, db, actor, reference)
    return _feedback_page(request, file, task_id, {}, {})


@router.post("/contacts/{reference}/feedback/{task_id:int}")
async def send_feedback(
    request: Request, reference: str, task_id: int, actor: CurrentActor, db: Db
) -> Response:
    form = await request.form()
    values = {"message": field(form, "message")}
    file = managed(request, db, actor, reference)
    _task(file, task_id)
    try:
        decisions.send_feedback(db, actor, task_id, values["message"])
    except FrontDoorError as error:
        file = managed(request, db, actor, reference)
        return _feedback_page(request, file, task_id, values, form_error(error, "message"))
    return RedirectResponse(f"/contacts/{file.contact.reference}#feedback", status_code=303)


def _feedback_page(
    request: Request,
    file: ContactFile,
    task_id: int,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    task = _task(file, task_id)
    return contact_form(
        request,
        "pages/contacts/feedback.html",
        f"Send the {task.kind} to the referrer",
        file,
        values,
        errors,
        task=task,
    )


def _task(file: ContactFile, task_id: int) -> FeedbackTask:
    task = next((t for t in file.contact.feedback_tasks if t.id == task_id), None)
    if task is None:
        raise NotFound()
    return task


def managed(request: Request, db: Db, actor: CurrentActor, reference: str) -> ContactFile:
    """The contact, for a MASH manager's form; 404 for anyone else."""
    file = opened(request, db, actor, reference)
    if not file.is_manager:
        raise NotFound()
    return file


def form_error(error: FrontDoorError, default_field: str) -> dict[str, str]:
    # A stale page has no field of its own: its message leads the summary at the form's top.
    target = error.field if error.field and error.field != "version" else default_field
    return {target: str(error)}
