"""Subject access for IG leads: find the person a request is about, see what the export holds,
and download it as a readable document or as JSON.

IG leads only (404 otherwise). Every page and download showing the person is an export in
its own right, with its ledger entry (governance.sar), so looking is recorded as a disclosure
to that IG lead. An NHS number is typed into a form, never put in an address, unless the hub
holds no single person for it.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from joinedup.actor import Actor
from joinedup.governance.queries import find_person
from joinedup.governance.rules import GovernanceError, ReviewReason, parse_person
from joinedup.governance.sar import (
    SECTIONS,
    SubjectAccessExport,
    export_subject_access,
    review_counts,
)
from joinedup.governance.sar_html import render_html, shown
from joinedup.identifiers import format_nhs_number
from joinedup.web.deps import Db, NotFound, page_router
from joinedup.web.forms import field
from joinedup.web.routes.agreements_ig import IgLead, problems
from joinedup.web.templating import render

router = page_router()


@router.get("/subject-access")
def start(request: Request, actor: IgLead) -> Response:
    return _find_page(request, {}, {})


@router.post("/subject-access")
async def find(request: Request, actor: IgLead, db: Db) -> Response:
    form = await request.form()
    values = {"person": field(form, "person")}
    try:
        held = find_person(db, parse_person(values["person"]))
    except GovernanceError as error:
        return _find_page(request, values, {error.field or "person": str(error)})
    return RedirectResponse(f"/subject-access/{held.key}", status_code=303)


@router.get("/subject-access/{person}")
def export_page(request: Request, person: str, actor: IgLead, db: Db) -> Response:
    made = _export(request, db, actor, person, "page")
    return render(
        request,
        "pages/subject_access/export.html",
        title=f"Subject access: {made.document['about']['asked_for']}",
        nav_section="subject_access",
        made=made,
        doc=made.document,
        sections=SECTIONS,
        reasons={r.value: r.label for r in ReviewReason},
        by_reason=review_counts(made.document),
        shown=shown,
        nhs=format_nhs_number,
        key=made.person.key,
    )


@router.get("/subject-access/{person}/sar.html")
def download_html(request: Request, person: str, actor: IgLead, db: Db) -> Response:
    made = _export(request, db, actor, person, "html")
    return HTMLResponse(render_html(made.document), headers=_attachment(made, "html"))


@router.get("/subject-access/{person}/sar.json")
def download_json(request: Request, person: str, actor: IgLead, db: Db) -> Response:
    made = _export(request, db, actor, person, "json")
    return Response(
        made.to_json(), media_type="application/json", headers=_attachment(made, "json")
    )


def _export(request: Request, db: Db, actor: Actor, person: str, form: str) -> SubjectAccessExport:
    try:
        return export_subject_access(db, actor, person, request.app.state.practice, form=form)
    except GovernanceError:
        raise NotFound() from None


def _attachment(made: SubjectAccessExport, suffix: str) -> dict[str, str]:
    day = made.document["about"]["made_at"][:10]
    return {"Content-Disposition": f'attachment; filename="sar-{made.person.key}-{day}.{suffix}"'}


def _find_page(request: Request, values: dict[str, str], errors: dict[str, str]) -> Response:
    return render(
        request,
        "pages/subject_access/find.html",
        status_code=400 if errors else 200,
        title="Subject access requests",
        nav_section="subject_access",
        values=values,
        errors=errors,
        error_summary=problems(errors),
    )
