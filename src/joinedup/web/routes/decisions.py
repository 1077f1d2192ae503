"""The MASH manager records the decision on a contact and asks an agency that has answered a
follow-up question; a practitioner answers research, seeing their agency's earlier answers.
The manager's decision on who a person named is (contact_linking) is included here too.

Every form shows the contact as the gate lets the user see it (web.routes.contacts.opened).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from joinedup.directory.models import Agency
from joinedup.directory.rules import AgencyKind, Role
from joinedup.frontdoor import decisions, research, research_rounds
from joinedup.frontdoor.contact_file import ContactFile, ResearchOnFile
from joinedup.frontdoor.decisions import DecisionIn
from joinedup.frontdoor.models import ResearchRequest
from joinedup.frontdoor.rules import FrontDoorError
from joinedup.sharing.rules import Sensitivity
from joinedup.web.deps import CurrentActor, Db, NotFound, page_router, practice_of
from joinedup.web.forms import field
from joinedup.web.routes import contact_linking
from joinedup.web.routes.contacts import contact_form, form_error, managed, opened, version_of

router = page_router()
router.include_router(contact_linking.router)
YES_NO = {"yes": True, "no": False}


@router.get("/contacts/{reference}/decision")
def decision_form(request: Request, reference: str, actor: CurrentActor, db: Db) -> Response:
    file = managed(request, db, actor, reference)
    took_part = {str(r.request.agency_id) for r in file.research if not r.request.is_open}
    return _decision_page(request, db, file, {}, took_part, set(), {})


@router.post("/contacts/{reference}/decision")
async def decide(request: Request, reference: str, actor: CurrentActor, db: Db) -> Response:
    form = await request.form()
    values = {
        name: field(form, name)
        for name in ("outcome", "rationale", "harm_indicated", "no_strategy_reason")
    }
    took_part = {v for v in form.getlist("took_part") if isinstance(v, str)}
    invited = {v for v in form.getlist("invited") if isinstance(v, str)}
    file = managed(request, db, actor, reference)
    try:
        given = DecisionIn(
            outcome=values["outcome"],
            rationale=values["rationale"],
            harm_indicated=YES_NO.get(values["harm_indicated"]),
            no_strategy_reason=values["no_strategy_reason"],
            took_part=_ids(took_part, "took_part"),
            invited=_ids(invited, "invited"),
        )
        decisions.decide_contact(
            db, actor, file.contact.id, given, version_of(form), practice_of(request)
        )
    except FrontDoorError as error:
        file = managed(request, db, actor, reference)
        return _decision_page(
            request, db, file, values, took_part, invited, form_error(error, "outcome")
        )
    return RedirectResponse(f"/contacts/{file.contact.reference}#decision", status_code=303)


def _ids(values: set[str], name: str) -> frozenset[int]:
    try:
        return frozenset(int(v) for v in values)
    except ValueError:
        raise FrontDoorError("Select agencies from the list", field=name) from None


def _decision_page(
    request: Request,
    db: Db,
    file: ContactFile,
    values: dict[str, str],
    took_part: set[str],
    invited: set[str],
    errors: dict[str, str],
) -> Response:
    practice = practice_of(request)
    kinds = [s.kind for s in file.contact.subjects if s.role == "subject"]
    agencies = [
        (a, AgencyKind(a.kind))
        for a in db.scalars(select(Agency).order_by(Agency.name))
        if a.id in _relevant(db, file)
    ]
    return contact_form(
        request,
        "pages/contacts/decision.html",
        "Record the decision",
        file,
        values,
        errors,
        outcomes=practice.outcomes_for(kinds),
        strategy_outcomes=set(practice.strategy_outcomes),
        agencies=agencies,
        took_part=took_part,
        invited=invited,
    )


def _relevant(db: Db, file: ContactFile) -> set[int]:
    """The agencies a manager picks from: the MASH's partners (agencies with MASH
    practitioners), those asked, and the referrer's."""
    return (
        set(research.agencies_with_practitioners(db))
        | {r.request.agency_id for r in file.research}
        | {file.contact.referrer_agency_id}
    )


# --- A follow-up question to an agency that has answered ----------------------------------


@router.get("/contacts/{reference}/research/{request_id:int}/follow-up")
def follow_up_form(
    request: Request, reference: str, request_id: int, actor: CurrentActor, db: Db
) -> Response:
    file = managed(request, db, actor, reference)
    return _follow_up_page(request, file, _round_of(file, request_id), {}, {})


@router.post("/contacts/{reference}/research/{request_id:int}/follow-up")
async def follow_up(
    request: Request, reference: str, request_id: int, actor: CurrentActor, db: Db
) -> Response:
    form = await request.form()
    values = {"question": field(form, "question")}
    file = managed(request, db, actor, reference)
    agency_id = _round_of(file, request_id).request.agency_id
    try:
        research_rounds.follow_up_research(
            db,
            actor,
            file.contact.id,
            agency_id,
            values["question"],
            version_of(form),
            practice_of(request),
        )
    except FrontDoorError as error:
        file = managed(request, db, actor, reference)
        return _follow_up_page(
            request, file, _round_of(file, request_id), values, form_error(error, "question")
        )
    return RedirectResponse(f"/contacts/{file.contact.reference}#research", status_code=303)


def _round_of(file: ContactFile, request_id: int) -> ResearchOnFile:
    found = next((r for r in file.research if r.request.id == request_id), None)
    if found is None:
        raise NotFound()
    return found


def _follow_up_page(
    request: Request,
    file: ContactFile,
    asked: ResearchOnFile,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    agency_id = asked.request.agency_id
    rounds = [r for r in file.research if r.request.agency_id == agency_id]
    return contact_form(
        request,
        "pages/contacts/follow_up.html",
        f"Ask {asked.request.agency.name} a follow-up question",
        file,
        values,
        errors,
        rounds=rounds,
        waiting=rounds[-1].request.is_open,
    )


# --- Answering research -------------------------------------------------------------------


@router.get("/research/{request_id:int}")
def answer_form(request: Request, request_id: int, actor: CurrentActor, db: Db) -> Response:
    asked, file = _asked_of(request, db, actor, request_id)
    return _answer_page(request, asked, file, {}, {})


@router.post("/research/{request_id:int}")
async def answer(request: Request, request_id: int, actor: CurrentActor, db: Db) -> Response:
    form = await request.form()
    values = {name: field(form, name) for name in ("summary", "sensitivity", "may_share")}
    asked, file = _asked_of(request, db, actor, request_id)
    try:
        research.answer_research(
            db,
            actor,
            request_id,
            values["summary"],
            values["sensitivity"],
            YES_NO.get(values["may_share"]),
        )
    except research.ResearchNotFound:
        raise NotFound() from None
    except FrontDoorError as error:
        asked, file = _asked_of(request, db, actor, request_id)
        return _answer_page(request, asked, file, values, form_error(error, "summary"))
    return RedirectResponse("/#research-heading", status_code=303)


def _asked_of(
    request: Request, db: Db, actor: CurrentActor, request_id: int
) -> tuple[ResearchRequest, ContactFile]:
    """The request, for a MASH practitioner of the agency asked; 404 for anyone else."""
    asked = db.get(ResearchRequest, request_id)
    if asked is None or asked.agency_id != actor.agency_id or not actor.has(Role.MASH_PRACTITIONER):
        raise NotFound()
    return asked, opened(request, db, actor, asked.contact.reference)


def _answer_page(
    request: Request,
    asked: ResearchRequest,
    file: ContactFile,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    # The agency's own earlier answers on this contact (through the gate, as on its page).
    earlier = [
        r
        for r in file.research
        if r.request.agency_id == asked.agency_id and r.request.round < asked.round
    ]
    return contact_form(
        request,
        "pages/contacts/answer.html",
        "Answer the MASH's follow-up question"
        if asked.is_follow_up
        else "Answer the MASH's request",
        file,
        values,
        errors,
        asked=asked,
        earlier=earlier,
        sensitivities=list(Sensitivity),
    )
