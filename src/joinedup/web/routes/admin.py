"""Administrators keep the directory and the API tokens. Everyone else gets 404 here."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from joinedup.accounts import queries as account_queries
from joinedup.accounts import services as accounts
from joinedup.accounts.passwords import WeakPassword
from joinedup.directory import queries, services
from joinedup.directory.models import Agency, Professional
from joinedup.directory.rules import AgencyKind, Role
from joinedup.web.deps import Administrator, Db, NotFound, page_router
from joinedup.web.forms import error_summary, field
from joinedup.web.templating import render

router = page_router()
KINDS = [(kind.value, kind.label) for kind in AgencyKind]
ROLES = [(role.value, role.label) for role in Role]


@router.get("/admin/directory")
def directory(request: Request, actor: Administrator, db: Db) -> Response:
    return render(
        request,
        "admin/directory.html",
        title="Directory",
        nav_section="directory",
        areas=queries.areas(db),
        agencies=queries.agencies(db),
        headcounts=queries.headcounts(db),
        kind_labels=dict(KINDS),
    )


@router.get("/admin/areas/new")
def new_area(request: Request, actor: Administrator) -> Response:
    return _area_form(request, {}, {})


def _area_form(request: Request, values: dict[str, str], errors: dict[str, str]) -> Response:
    return render(
        request,
        "admin/area_form.html",
        status_code=400 if errors else 200,
        title="Add an area",
        nav_section="directory",
        values=values,
        errors=errors,
        error_summary=error_summary(errors),
    )


@router.post("/admin/areas/new")
async def add_area(request: Request, actor: Administrator, db: Db) -> Response:
    form = await request.form()
    values = {"code": field(form, "code"), "name": field(form, "name")}
    try:
        services.add_area(db, actor, values["code"], values["name"])
    except services.DirectoryError as error:
        return _area_form(request, values, {error.field or "code": str(error)})
    return RedirectResponse("/admin/directory", status_code=303)


@router.get("/admin/agencies/new")
def new_agency(request: Request, actor: Administrator, db: Db) -> Response:
    return _agency_form(request, db, {"area": ""}, {})


def _agency_form(
    request: Request, db: Db, values: dict[str, str], errors: dict[str, str]
) -> Response:
    return render(
        request,
        "admin/agency_form.html",
        status_code=400 if errors else 200,
        title="Add an agency",
        nav_section="directory",
        values=values,
        errors=errors,
        error_summary=error_summary(errors),
        kinds=KINDS,
        areas=queries.areas(db),
    )


@router.post("/admin/agencies/new")
async def add_agency(request: Request, actor: Administrator, db: Db) -> Response:
    form = await request.form()
    values = {k: field(form, k) for k in ("code", "name", "kind", "area")}
    if not values["kind"]:
        return _agency_form(request, db, values, {"kind": "Select what kind of agency this is"})
    try:
        agency = services.add_agency(
            db, actor, values["code"], values["name"], values["kind"], values["area"] or None
        )
    except services.DirectoryError as error:
        return _agency_form(request, db, values, {error.field or "code": str(error)})
    return RedirectResponse(f"/admin/agencies/{agency.id}", status_code=303)


@router.get("/admin/agencies/{agency_id:int}")
def agency(request: Request, agency_id: int, actor: Administrator, db: Db) -> Response:
    found = _agency(db, agency_id)
    return render(
        request,
        "admin/agency.html",
        title=found.name,
        nav_section="directory",
        agency=found,
        kind=AgencyKind(found.kind),
        professionals=queries.professionals_of(db, agency_id),
        roles=dict(ROLES),
    )


@router.get("/admin/agencies/{agency_id:int}/teams/new")
def new_team(request: Request, agency_id: int, actor: Administrator, db: Db) -> Response:
    return _team_form(request, db, agency_id, {}, {})


def _team_form(
    request: Request, db: Db, agency_id: int, values: dict[str, str], errors: dict[str, str]
) -> Response:
    found = _agency(db, agency_id)
    return render(
        request,
        "admin/team_form.html",
        status_code=400 if errors else 200,
        title="Add a team",
        nav_section="directory",
        agency=found,
        values=values,
        errors=errors,
        error_summary=error_summary(errors),
    )


@router.post("/admin/agencies/{agency_id:int}/teams/new")
async def add_team(request: Request, agency_id: int, actor: Administrator, db: Db) -> Response:
    found = _agency(db, agency_id)
    form = await request.form()
    values = {"code": field(form, "code"), "name": field(form, "name")}
    try:
        services.add_team(db, actor, found.code, values["code"], values["name"])
    except services.DirectoryError as error:
        return _team_form(request, db, agency_id, values, {error.field or "code": str(error)})
    return RedirectResponse(f"/admin/agencies/{agency_id}", status_code=303)


@router.get("/admin/agencies/{agency_id:int}/professionals/new")
def new_professional(request: Request, agency_id: int, actor: Administrator, db: Db) -> Response:
    return _professional_form(request, db, agency_id, {"roles": []}, {})


def _professional_form(
    request: Request, db: Db, agency_id: int, values: dict[str, object], errors: dict[str, str]
) -> Response:
    found = _agency(db, agency_id)
    return render(
        request,
        "admin/professional_form.html",
        status_code=400 if errors else 200,
        title="Add a professional",
        nav_section="directory",
        agency=found,
        values=values,
        errors=errors,
        error_summary=error_summary(errors),
        roles=ROLES,
    )


@router.post("/admin/agencies/{agency_id:int}/professionals/new")
async def add_professional(
    request: Request, agency_id: int, actor: Administrator, db: Db
) -> Response:
    found = _agency(db, agency_id)
    form = await request.form()
    values: dict[str, object] = {
        k: field(form, k) for k in ("given_name", "family_name", "email", "job_title", "team")
    }
    values["roles"] = [r for r in form.getlist("roles") if isinstance(r, str)]
    errors = {
        name: message
        for name, message in (
            ("given_name", "Enter their first name"),
            ("family_name", "Enter their last name"),
            ("email", "Enter their work email address"),
        )
        if not values[name]
    }
    if not errors:
        try:
            professional = services.add_professional(
                db,
                actor,
                email=str(values["email"]),
                given_name=str(values["given_name"]),
                family_name=str(values["family_name"]),
                agency_code=found.code,
                roles=list(values["roles"]),  # type: ignore[call-overload]
                team_code=str(values["team"]) or None,
                job_title=str(values["job_title"]),
            )
        except services.DirectoryError as error:
            errors[error.field or "code"] = str(error)
        else:
            return RedirectResponse(f"/admin/professionals/{professional.id}", status_code=303)
    return _professional_form(request, db, agency_id, values, errors)


@router.get("/admin/professionals/{professional_id:int}")
def professional(request: Request, professional_id: int, actor: Administrator, db: Db) -> Response:
    return _professional_page(request, db, professional_id, {})


def _professional_page(
    request: Request, db: Db, professional_id: int, errors: dict[str, str]
) -> Response:
    found = _professional(db, professional_id)
    return render(
        request,
        "admin/professional.html",
        status_code=400 if errors else 200,
        title=found.name,
        nav_section="directory",
        professional=found,
        roles=ROLES,
        role_labels=dict(ROLES),
        user=account_queries.user_by_email(db, found.email),
        errors=errors,
        error_summary=error_summary(errors),
    )


@router.post("/admin/professionals/{professional_id:int}/roles")
async def change_role(
    request: Request, professional_id: int, actor: Administrator, db: Db
) -> Response:
    form = await request.form()
    role, change = field(form, "role"), field(form, "change")
    _professional(db, professional_id)
    if not role:
        return _professional_page(request, db, professional_id, {"role": "Select a role to give"})
    try:
        if change == "revoke":
            services.revoke_role(db, actor, professional_id, role)
        else:
            services.grant_role(db, actor, professional_id, role)
    except services.DirectoryError as error:
        return _professional_page(request, db, professional_id, {"role": str(error)})
    return RedirectResponse(f"/admin/professionals/{professional_id}", status_code=303)


@router.post("/admin/professionals/{professional_id:int}/left")
def mark_left(request: Request, professional_id: int, actor: Administrator, db: Db) -> Response:
    _professional(db, professional_id)
    services.mark_left(db, actor, professional_id)
    return RedirectResponse(f"/admin/professionals/{professional_id}", status_code=303)


@router.post("/admin/professionals/{professional_id:int}/sign-in")
async def give_sign_in(
    request: Request, professional_id: int, actor: Administrator, db: Db
) -> Response:
    found = _professional(db, professional_id)
    form = await request.form()
    password = form.get("password")
    if not isinstance(password, str) or not password:
        return _professional_page(
            request, db, professional_id, {"password": "Enter a first password for them"}
        )
    try:
        accounts.add_user(db, actor, found.email, password)
    except (accounts.AccountError, WeakPassword) as error:
        return _professional_page(request, db, professional_id, {"password": str(error)})
    return RedirectResponse(f"/admin/professionals/{professional_id}", status_code=303)


@router.post("/admin/professionals/{professional_id:int}/password")
async def set_password(
    request: Request, professional_id: int, actor: Administrator, db: Db
) -> Response:
    found = queries.professional(db, professional_id)
    user = account_queries.user_by_email(db, found.email) if found else None
    if user is None:
        raise NotFound()
    form = await request.form()
    password = form.get("password")
    if not isinstance(password, str) or not password:
        errors = {"password": "Enter a new password for them"}
        return _professional_page(request, db, professional_id, errors)
    try:
        accounts.set_password(db, actor, user.id, password)
    except WeakPassword as error:
        return _professional_page(request, db, professional_id, {"password": str(error)})
    return RedirectResponse(f"/admin/professionals/{professional_id}", status_code=303)


@router.get("/admin/tokens")
def tokens(request: Request, actor: Administrator, db: Db) -> Response:
    return _tokens_page(request, db, {}, {}, None)


def _tokens_page(
    request: Request, db: Db, values: dict[str, str], errors: dict[str, str], new_token: str | None
) -> Response:
    return render(
        request,
        "admin/tokens.html",
        status_code=400 if errors else 200,
        title="API tokens",
        nav_section="tokens",
        tokens=account_queries.api_tokens(db),
        values=values,
        errors=errors,
        error_summary=error_summary(errors),
        new_token=new_token,
    )


@router.post("/admin/tokens")
async def create_token(request: Request, actor: Administrator, db: Db) -> Response:
    form = await request.form()
    values = {"email": field(form, "email"), "name": field(form, "name")}
    try:
        _token, raw = accounts.create_api_token(db, actor, values["email"], values["name"])
    except accounts.AccountError as error:
        return _tokens_page(request, db, values, {error.field: str(error)}, None)
    # Shown once, on this response only: it is stored hashed and cannot be shown again.
    return _tokens_page(request, db, {}, {}, raw)


@router.post("/admin/tokens/{token_id:int}/revoke")
def revoke_token(request: Request, token_id: int, actor: Administrator, db: Db) -> Response:
    try:
        accounts.revoke_api_token(db, actor, token_id)
    except accounts.AccountError:
        raise NotFound() from None
    return RedirectResponse("/admin/tokens", status_code=303)


def _agency(db: Db, agency_id: int) -> Agency:
    found = queries.agency(db, agency_id)
    if found is None:
        raise NotFound()
    return found


def _professional(db: Db, professional_id: int) -> Professional:
    found = queries.professional(db, professional_id)
    if found is None:
        raise NotFound()
    return found
