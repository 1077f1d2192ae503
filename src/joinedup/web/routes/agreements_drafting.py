"""Drafting an information sharing agreement, and editing the draft before anyone signs:
adding parties and granting a party's role a data category. For IG leads only (404 otherwise).

The form's own checks (a box left empty, a date that is not a date) are made here, all at
once; the rules of sharing (dates in order, the Art 9 condition before special category data)
are the service's, whose refusal names the field it is about.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from joinedup.actor import Actor
from joinedup.sharing import oversight, services
from joinedup.sharing.rules import (
    GRANTABLE_ROLES,
    Article9Condition,
    DataCategory,
    LawfulBasis,
    OnwardSharing,
    Purpose,
)
from joinedup.web.deps import Db, page_router
from joinedup.web.forms import field
from joinedup.web.routes.agreements_ig import IgLead, agreement_of, problems
from joinedup.web.templating import render

router = page_router()
DRAFT_FIELDS = (
    "title",
    "purpose",
    "lawful_basis",
    "article_9_condition",
    "schedule_1_condition",
    "onward_sharing",
    "retention_days",
    "starts_on",
    "review_on",
    "ends_on",
)
DATES = {"starts_on": "The start date", "review_on": "The review date", "ends_on": "The end date"}
REQUIRED = {
    "title": "Enter the agreement's title",
    "purpose": "Choose the purpose",
    "lawful_basis": "Choose the lawful basis (usually UK GDPR Art 6(1)(e), public task)",
    "onward_sharing": "Choose what may happen to information received under it",
    "retention_days": "Enter how many days information received under it may be kept",
}
ROLES = sorted(GRANTABLE_ROLES, key=lambda role: role.label)


# --- Drafting ------------------------------------------------------------------------------


@router.get("/agreements/new")
def new_agreement(request: Request, actor: IgLead) -> Response:
    defaults = {"onward_sharing": OnwardSharing.ORIGINATOR_CONSENT_REQUIRED.value}
    return _draft_page(request, defaults, {})


def _draft_page(request: Request, values: dict[str, str], errors: dict[str, str]) -> Response:
    return render(
        request,
        "pages/agreements/draft.html",
        status_code=400 if errors else 200,
        title="Draft an agreement",
        nav_section="agreements",
        values=values,
        errors=errors,
        error_summary=problems(errors),
        purposes=list(Purpose),
        bases=list(LawfulBasis),
        conditions=list(Article9Condition),
        onward=list(OnwardSharing),
    )


@router.post("/agreements/new")
async def draft(request: Request, actor: IgLead, db: Db) -> Response:
    form = await request.form()
    values = {name: field(form, name) for name in DRAFT_FIELDS if name not in DATES}
    errors = {name: message for name, message in REQUIRED.items() if not values[name]}
    retention = _whole_number(values["retention_days"])
    if values["retention_days"] and retention is None:
        errors["retention_days"] = "Retention must be a whole number of days, like 2190"
    dates: dict[str, dt.date | None] = {}
    for name, label in DATES.items():
        dates[name] = _read_date(form, name, label, values, errors, required=name != "ends_on")
    if errors:
        return _draft_page(request, values, _in_order(errors))
    starts_on, review_on = dates["starts_on"], dates["review_on"]
    assert starts_on is not None and review_on is not None and retention is not None
    try:
        drafted = services.draft_agreement(
            db,
            actor,
            title=values["title"],
            purpose=values["purpose"],
            lawful_basis=values["lawful_basis"],
            article_9_condition=values["article_9_condition"] or None,
            schedule_1_condition=values["schedule_1_condition"] or None,
            onward_sharing=values["onward_sharing"],
            retention_days=retention,
            starts_on=starts_on,
            review_on=review_on,
            ends_on=dates["ends_on"],
        )
    except services.SharingError as error:
        return _draft_page(request, values, {error.field: str(error)})
    return RedirectResponse(f"/agreements/{drafted.id}", status_code=303)


def _in_order(errors: dict[str, str]) -> dict[str, str]:
    return {name: errors[name] for name in DRAFT_FIELDS if name in errors}


def _whole_number(text: str) -> int | None:
    cleaned = text.replace(",", "")
    return int(cleaned) if cleaned.isdigit() else None


def _read_date(
    form: Any,
    name: str,
    label: str,
    values: dict[str, str],
    errors: dict[str, str],
    required: bool,
) -> dt.date | None:
    """A date typed into the GOV.UK date input `name` (name-day, name-month, name-year).

    Keeps what was typed in `values`, and puts a GOV.UK message in `errors` when a part is
    missing or the date does not exist. Returns None when it is left blank or wrong.
    """
    parts = {part: field(form, f"{name}-{part}") for part in ("day", "month", "year")}
    values.update({f"{name}-{part}": text for part, text in parts.items()})
    if not any(parts.values()):
        if required:
            errors[name] = f"Enter {label[0].lower()}{label[1:]}"
        return None
    missing = [part for part, text in parts.items() if not text]
    if missing:
        errors[name] = f"{label} must include a {missing[0]}"
        return None
    try:
        numbers = [int(parts[part]) for part in ("year", "month", "day")]
        if numbers[0] < 1000:
            raise ValueError("a year has four digits")
        return dt.date(*numbers)
    except ValueError:
        errors[name] = f"{label} must be a real date, like 1 April 2027"
        return None


# --- Editing the draft ----------------------------------------------------------------------


@router.get("/agreements/{agreement_id:int}/parties/new")
def new_party(request: Request, agreement_id: int, actor: IgLead, db: Db) -> Response:
    return _party_page(request, db, actor, agreement_id, {}, {})


def _party_page(
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
        "pages/agreements/party.html",
        status_code=400 if errors else 200,
        title="Add a party",
        nav_section="agreements",
        agreement=found,
        agencies=oversight.agencies_to_add(db, found),
        values=values,
        errors=errors,
        error_summary=problems(errors),
    )


@router.post("/agreements/{agreement_id:int}/parties/new")
async def add_party(request: Request, agreement_id: int, actor: IgLead, db: Db) -> Response:
    agreement_of(db, actor, agreement_id)
    form = await request.form()
    values = {"agency": field(form, "agency")}
    if not values["agency"]:
        errors = {"agency": "Choose the agency to add as a party"}
        return _party_page(request, db, actor, agreement_id, values, errors)
    try:
        services.add_party(db, actor, agreement_id, values["agency"])
    except services.SharingError as error:
        errors = {error.field: str(error)}
        return _party_page(request, db, actor, agreement_id, values, errors)
    return RedirectResponse(f"/agreements/{agreement_id}#parties", status_code=303)


@router.get("/agreements/{agreement_id:int}/grants/new")
def new_grant(request: Request, agreement_id: int, actor: IgLead, db: Db) -> Response:
    return _grant_page(request, db, actor, agreement_id, {}, {})


def _grant_page(
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
        "pages/agreements/grant.html",
        status_code=400 if errors else 200,
        title="Grant a role a data category",
        nav_section="agreements",
        agreement=found,
        roles=ROLES,
        categories=list(DataCategory),
        values=values,
        errors=errors,
        error_summary=problems(errors),
    )


@router.post("/agreements/{agreement_id:int}/grants/new")
async def grant(request: Request, agreement_id: int, actor: IgLead, db: Db) -> Response:
    agreement_of(db, actor, agreement_id)
    form = await request.form()
    values = {name: field(form, name) for name in ("agency", "role", "category")}
    errors = {
        name: message
        for name, message in (
            ("agency", "Choose the party whose staff may see it"),
            ("role", "Choose the role"),
            ("category", "Choose the data category"),
        )
        if not values[name]
    }
    if not errors:
        try:
            services.grant(
                db, actor, agreement_id, values["agency"], values["role"], values["category"]
            )
        except services.SharingError as error:
            errors = {error.field: str(error)}
        else:
            return RedirectResponse(f"/agreements/{agreement_id}#grants", status_code=303)
    return _grant_page(request, db, actor, agreement_id, values, errors)
