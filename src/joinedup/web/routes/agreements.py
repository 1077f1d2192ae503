"""Information sharing agreements, for IG leads: the register, an agreement's page, signing,
activating and suspending. This router also carries the IG lead's other pages: drafting and
editing a draft (`agreements_drafting.py`), and break-glass and who has seen the agency's
information (`agreements_oversight.py`).

Only IG leads reach these pages, and only for agreements their agency is party to: everyone
else gets 404, as if the agreement did not exist.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from joinedup.actor import Actor
from joinedup.directory.rules import Role
from joinedup.sharing import oversight, services
from joinedup.sharing.inputs import today
from joinedup.sharing.models import Agreement
from joinedup.sharing.rules import (
    AgreementStatus,
    Article9Condition,
    DataCategory,
    LawfulBasis,
    OnwardSharing,
    Purpose,
)
from joinedup.web.deps import Db, NotFound, page_router
from joinedup.web.forms import field
from joinedup.web.routes import agreements_drafting, agreements_oversight
from joinedup.web.routes.agreements_ig import IgLead, agency_of, agreement_of, problems
from joinedup.web.templating import render

router = page_router()
CATEGORIES = list(DataCategory)
# Labels of the stored values, for the templates.
VOCABULARY = {
    "purpose": {p.value: p.label for p in Purpose},
    "lawful_basis": {b.value: b.label for b in LawfulBasis},
    "article_9_condition": {c.value: c.label for c in Article9Condition},
    "onward_sharing": {o.value: o.label for o in OnwardSharing},
    "role": {r.value: r.label for r in Role},
}


@router.get("/agreements")
def register(request: Request, actor: IgLead, db: Db) -> Response:
    return render(
        request,
        "pages/agreements/register.html",
        title="Information sharing agreements",
        nav_section="agreements",
        register=oversight.agreement_register(db, agency_of(actor), today()),
        today=today(),
        vocab=VOCABULARY,
    )


@router.get("/agreements/{agreement_id:int}")
def agreement(request: Request, agreement_id: int, actor: IgLead, db: Db) -> Response:
    return _agreement_page(request, db, actor, agreement_id, {})


def _agreement_page(
    request: Request, db: Db, actor: Actor, agreement_id: int, errors: dict[str, str]
) -> Response:
    found = agreement_of(db, actor, agreement_id)
    ours = found.party_for(actor.agency_id)
    return render(
        request,
        "pages/agreements/agreement.html",
        status_code=400 if errors else 200,
        title=found.title,
        nav_section="agreements",
        agreement=found,
        ours=ours,
        columns=grant_columns(found),
        categories=CATEGORIES,
        vocab=VOCABULARY,
        editable=is_editable(found),
        today=today(),
        warn_by=today() + oversight.WARN_WITHIN,
        errors=errors,
        error_summary=problems(errors),
    )


def is_editable(found: Agreement) -> bool:
    # services._editable's rule: terms change only in a draft no party has signed yet.
    return found.current_status is AgreementStatus.DRAFT and all(
        p.signature is None for p in found.parties
    )


def grant_columns(found: Agreement) -> list[dict[str, object]]:
    """The grants as columns of a role x category table: one per party's role with grants."""
    columns: list[dict[str, object]] = []
    for party in found.parties:
        for role in sorted({g.role for g in party.grants}, key=lambda r: Role(r).label):
            columns.append(
                {
                    "agency": party.agency.name,
                    "role": Role(role).label,
                    "categories": {g.category for g in party.grants if g.role == role},
                }
            )
    return columns


@router.get("/agreements/{agreement_id:int}/sign")
def sign_form(request: Request, agreement_id: int, actor: IgLead, db: Db) -> Response:
    return _sign_page(request, db, actor, agreement_id, {})


def _sign_page(
    request: Request, db: Db, actor: Actor, agreement_id: int, errors: dict[str, str]
) -> Response:
    found = agreement_of(db, actor, agreement_id)
    return render(
        request,
        "pages/agreements/sign.html",
        status_code=400 if errors else 200,
        title=f"Sign “{found.title}”",
        nav_section="agreements",
        agreement=found,
        ours=found.party_for(actor.agency_id),
        columns=grant_columns(found),
        categories=CATEGORIES,
        vocab=VOCABULARY,
        errors=errors,
        error_summary=problems(errors),
    )


@router.post("/agreements/{agreement_id:int}/sign")
async def sign(request: Request, agreement_id: int, actor: IgLead, db: Db) -> Response:
    found = agreement_of(db, actor, agreement_id)
    form = await request.form()
    if field(form, "confirm") != "yes":
        ours = found.party_for(actor.agency_id)
        name = ours.agency.name if ours else "your agency"
        errors = {"confirm": f"Confirm that you agree to these terms for {name}"}
        return _sign_page(request, db, actor, agreement_id, errors)
    try:
        services.sign(db, actor, agreement_id)
    except services.AgreementNotFound:
        raise NotFound() from None
    except services.SharingError as error:
        return _sign_page(request, db, actor, agreement_id, {error.field: str(error)})
    return RedirectResponse(f"/agreements/{agreement_id}", status_code=303)


@router.post("/agreements/{agreement_id:int}/activate")
def activate(request: Request, agreement_id: int, actor: IgLead, db: Db) -> Response:
    agreement_of(db, actor, agreement_id)
    try:
        services.activate(db, actor, agreement_id)
    except services.SharingError as error:
        return _agreement_page(request, db, actor, agreement_id, {"": str(error)})
    return RedirectResponse(f"/agreements/{agreement_id}", status_code=303)


@router.get("/agreements/{agreement_id:int}/suspend")
def suspend_form(request: Request, agreement_id: int, actor: IgLead, db: Db) -> Response:
    return _suspend_page(request, db, actor, agreement_id, {}, {})


def _suspend_page(
    request: Request,
    db: Db,
    actor: Actor,
    agreement_id: int,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    found = agreement_of(db, actor, agreement_id)
    return render(
        request,
        "pages/agreements/suspend.html",
        status_code=400 if errors else 200,
        title=f"Suspend “{found.title}”",
        nav_section="agreements",
        agreement=found,
        values=values,
        errors=errors,
        error_summary=problems(errors),
    )


@router.post("/agreements/{agreement_id:int}/suspend")
async def suspend(request: Request, agreement_id: int, actor: IgLead, db: Db) -> Response:
    agreement_of(db, actor, agreement_id)
    form = await request.form()
    values = {"reason": field(form, "reason")}
    try:
        services.suspend(db, actor, agreement_id, values["reason"])
    except services.SharingError as error:
        return _suspend_page(request, db, actor, agreement_id, values, {error.field: str(error)})
    return RedirectResponse(f"/agreements/{agreement_id}", status_code=303)


router.include_router(agreements_drafting.router)
router.include_router(agreements_oversight.router)
