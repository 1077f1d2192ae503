"""The allocated worker's forms on a contact routed to their case: accept it into the case's
work, and send the referrer the acknowledgement they are owed.

The contact opens through frontdoor.contact_file, as on its own page (every person's details
through the gate, on the ledger). Only the case's allocated worker reaches these forms; to
anyone else, a MASH manager included, they do not exist (404): a manager brings a routed
contact back and sends feedback from the forms in contacts.py.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from joinedup.frontdoor import acceptance, decisions
from joinedup.frontdoor.contact_file import ContactFile, FeedbackOnFile
from joinedup.frontdoor.rules import FeedbackKind, FrontDoorError
from joinedup.frontdoor.services import ContactNotFound
from joinedup.web.deps import CurrentActor, Db, NotFound, page_router, practice_of
from joinedup.web.forms import field
from joinedup.web.routes.contacts import contact_form, form_error, opened, version_of

router = page_router()


def worked(request: Request, db: Db, actor: CurrentActor, reference: str) -> ContactFile:
    """The contact, for the allocated worker of the case it was routed to; 404 for anyone else."""
    file = opened(request, db, actor, reference)
    if not file.is_allocated_worker:
        raise NotFound()
    return file


# --- Accepting it into the case's work ----------------------------------------------------


@router.get("/contacts/{reference}/accept")
def accept_form(request: Request, reference: str, actor: CurrentActor, db: Db) -> Response:
    return _accept_page(request, worked(request, db, actor, reference), {}, {})


@router.post("/contacts/{reference}/accept")
async def accept(request: Request, reference: str, actor: CurrentActor, db: Db) -> Response:
    form = await request.form()
    values = {"note": field(form, "note")}
    file = worked(request, db, actor, reference)
    try:
        acceptance.accept_contact(
            db, actor, file.contact.id, values["note"], version_of(form), practice_of(request)
        )
    except ContactNotFound:
        raise NotFound() from None
    except FrontDoorError as error:
        file = worked(request, db, actor, reference)
        routed = file.routing
        # Accepted meanwhile (another tab, a double click): no form to fix, so the message
        # stands alone.
        errors = (
            {"accepted": str(error)}
            if routed is not None and routed.is_accepted
            else form_error(error, "note")
        )
        return _accept_page(request, file, values, errors)
    return RedirectResponse(f"/contacts/{file.contact.reference}#routed", status_code=303)


def _accept_page(
    request: Request, file: ContactFile, values: dict[str, str], errors: dict[str, str]
) -> Response:
    return contact_form(
        request,
        "pages/routed/accept.html",
        "Accept this contact into the case's work",
        file,
        values,
        errors,
    )


# --- The referrer's acknowledgement -------------------------------------------------------


@router.get("/contacts/{reference}/acknowledgement")
def acknowledgement_form(request: Request, reference: str, actor: CurrentActor, db: Db) -> Response:
    return _acknowledgement_page(request, worked(request, db, actor, reference), {}, {})


@router.post("/contacts/{reference}/acknowledgement")
async def acknowledge(request: Request, reference: str, actor: CurrentActor, db: Db) -> Response:
    form = await request.form()
    values = {"message": field(form, "message")}
    file = worked(request, db, actor, reference)
    try:
        decisions.send_feedback(db, actor, _owed(file).task.id, values["message"])
    except ContactNotFound:
        raise NotFound() from None
    except FrontDoorError as error:
        file = worked(request, db, actor, reference)
        # Sent meanwhile, by a MASH manager or another tab: the message stands alone.
        errors = {"sent": str(error)} if _owed(file).task.sent_at else form_error(error, "message")
        return _acknowledgement_page(request, file, values, errors)
    return RedirectResponse(f"/contacts/{file.contact.reference}#routed", status_code=303)


def _acknowledgement_page(
    request: Request, file: ContactFile, values: dict[str, str], errors: dict[str, str]
) -> Response:
    return contact_form(
        request,
        "pages/routed/acknowledgement.html",
        "Send the acknowledgement to the referrer",
        file,
        values,
        errors,
        owed=_owed(file),
    )


def _owed(file: ContactFile) -> FeedbackOnFile:
    found = next((f for f in file.feedback if f.task.kind == FeedbackKind.ACKNOWLEDGEMENT), None)
    if found is None:
        raise NotFound()
    return found
