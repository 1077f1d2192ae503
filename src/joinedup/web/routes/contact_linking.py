"""A MASH manager deciding who a person a contact names is, among the trained model's
candidates: the same person as one of them, or none of them, with the reason
(frontdoor.linking).

The page shows the person as the referrer named them and each candidate by the record that
scored best, through the gate (web.routes.contacts.opened), as the contact's page does. Anyone
but a MASH manager gets 404, as for a person the model put nobody forward for, or one intake
linked already.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from joinedup.frontdoor import linking
from joinedup.frontdoor.contact_file import ContactFile, PersonOnFile
from joinedup.frontdoor.rules import FrontDoorError
from joinedup.web.deps import CurrentActor, Db, NotFound, page_router, practice_of
from joinedup.web.forms import field
from joinedup.web.routes.contact_candidates import candidates_of
from joinedup.web.routes.contacts import contact_form, form_error, managed, version_of

router = page_router()
NONE_OF_THESE = "none"


@router.get("/contacts/{reference}/people/{subject_id:int}/link")
def link_form(
    request: Request, reference: str, subject_id: int, actor: CurrentActor, db: Db
) -> Response:
    file = managed(request, db, actor, reference)
    person = _person(file, subject_id)
    if person.link_decision is None and not person.candidates:
        raise NotFound()  # linked at intake, or nobody was put forward: nothing to decide
    return _link_page(request, file, person, {}, {})


@router.post("/contacts/{reference}/people/{subject_id:int}/link")
async def link(
    request: Request, reference: str, subject_id: int, actor: CurrentActor, db: Db
) -> Response:
    form = await request.form()
    values = {name: field(form, name) for name in ("candidate", "reason")}
    file = managed(request, db, actor, reference)
    _person(file, subject_id)
    try:
        _decide(request, db, actor, file, subject_id, values, version_of(form))
    except FrontDoorError as error:
        file = managed(request, db, actor, reference)
        person = _person(file, subject_id)
        # Decided by someone else meanwhile: no form to fix, so the message stands alone.
        errors = (
            {"decided": str(error)}
            if person.link_decision is not None
            else form_error(error, "candidate")
        )
        return _link_page(request, file, person, values, errors)
    return RedirectResponse(
        f"/contacts/{file.contact.reference}#person-{subject_id}", status_code=303
    )


def _decide(
    request: Request,
    db: Db,
    actor: CurrentActor,
    file: ContactFile,
    subject_id: int,
    values: dict[str, str],
    version: int,
) -> None:
    chosen, reason = values["candidate"], values["reason"]
    practice = practice_of(request)
    if chosen == NONE_OF_THESE:
        linking.none_of_the_candidates(
            db, actor, file.contact.id, subject_id, reason, version, practice
        )
    elif chosen.isdigit():
        linking.link_subject(
            db, actor, file.contact.id, subject_id, int(chosen), reason, version, practice
        )
    else:
        raise FrontDoorError(
            "Select the record that is the same person, or None of these", field="candidate"
        )


def _person(file: ContactFile, subject_id: int) -> PersonOnFile:
    person = next((p for p in file.people if p.subject.id == subject_id), None)
    if person is None:
        raise NotFound()
    return person


def _link_page(
    request: Request,
    file: ContactFile,
    person: PersonOnFile,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    return contact_form(
        request,
        "pages/contacts/link.html",
        "Who is this person?",
        file,
        values,
        errors,
        person=person,
        found=candidates_of(file).get(person.subject.id, []),
        none_of_these=NONE_OF_THESE,
    )
