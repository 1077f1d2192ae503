"""The IG lead's oversight of their agency's information: break-glass over its records, with
a review of each use; who has seen its records, when and under what; and unusual access.
IG leads only (404 otherwise); each sees their own agency's and no other's.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from joinedup import clock
from joinedup.actor import Actor
from joinedup.directory.rules import Role
from joinedup.sharing import decisions, oversight, transparency
from joinedup.sharing.inputs import SharingError, today
from joinedup.sharing.rules import DecisionBasis
from joinedup.web.deps import Db, NotFound, page_router
from joinedup.web.forms import field
from joinedup.web.routes.agreements_ig import IgLead, agency_of, problems
from joinedup.web.templating import render

router = page_router()
PERIOD = dt.timedelta(days=30)  # what the reports show unless asked for other dates
LONGEST = dt.timedelta(days=366)  # a report reads every entry of its period
PER_PAGE = 50
# How each refusal reads in an IG lead's list: the rule, not the practitioner's advice.
REFUSALS = {
    DecisionBasis.SYSTEM_LEADER: "system leader",
    DecisionBasis.NO_ROLE: "no role",
    DecisionBasis.NO_AGREEMENT: "no agreement",
    DecisionBasis.CATEGORY_NOT_COVERED: "category not covered",
    DecisionBasis.ROLE_NOT_GRANTED: "role not granted",
    DecisionBasis.CARE_PROFESSIONALS_ONLY: "care professionals only",
    DecisionBasis.NOT_INVOLVED: "not working the case",
    DecisionBasis.RESTRICTED: "restricted record",
    DecisionBasis.DO_NOT_SHARE: "decision not to share",
    DecisionBasis.ORIGINATOR_CONTROL: "originator control",
}


# --- Break-glass -----------------------------------------------------------------------------


def break_glass_alerts(db: Db, actor: Actor) -> list[oversight.BreakGlassUse]:
    """For the home page: break-glass over the IG lead's agency's records that no one there has
    reviewed yet, newest first; nothing for anyone but an IG lead."""
    if not actor.has(Role.IG_LEAD) or actor.agency_id is None:
        return []
    return oversight.break_glass_uses(db, actor.agency_id, unreviewed_only=True)


@router.get("/break-glass")
def break_glass(request: Request, actor: IgLead, db: Db) -> Response:
    return render(
        request,
        "pages/oversight/break_glass.html",
        title="Break-glass uses",
        nav_section="break_glass",
        uses=oversight.break_glass_uses(db, agency_of(actor)),
        now=clock.now(),
    )


@router.get("/break-glass/{grant_id:int}")
def break_glass_use(request: Request, grant_id: int, actor: IgLead, db: Db) -> Response:
    return _use_page(request, db, actor, grant_id, {}, {})


def _use_page(
    request: Request,
    db: Db,
    actor: Actor,
    grant_id: int,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    use = oversight.break_glass_use(db, agency_of(actor), grant_id)
    if use is None:
        raise NotFound()
    return render(
        request,
        "pages/oversight/break_glass_use.html",
        status_code=400 if errors else 200,
        title="Break-glass use",
        nav_section="break_glass",
        use=use,
        now=clock.now(),
        values=values,
        errors=errors,
        error_summary=problems(errors),
    )


@router.post("/break-glass/{grant_id:int}/review")
async def review(request: Request, grant_id: int, actor: IgLead, db: Db) -> Response:
    form = await request.form()
    values = {"note": field(form, "note")}
    try:
        decisions.review_break_glass(db, actor, grant_id, values["note"])
    except decisions.BreakGlassNotFound:
        raise NotFound() from None
    except SharingError as error:
        return _use_page(request, db, actor, grant_id, values, {error.field: str(error)})
    return RedirectResponse("/break-glass", status_code=303)


# --- Who has seen the agency's information ---------------------------------------------------


@router.get("/transparency/accesses")
def accesses(request: Request, actor: IgLead, db: Db) -> Response:
    period = _Period.of(request)
    if period.errors:
        return _report(request, "accesses", period, None)
    number = request.query_params.get("page", "1")
    found = transparency.accesses_to_agency(
        db,
        agency_of(actor),
        since=period.since,
        until=period.until,
        page=int(number) if number.isdigit() else 1,
        per_page=PER_PAGE,
    )
    return _report(request, "accesses", period, found)


@router.get("/transparency/unusual")
def unusual(request: Request, actor: IgLead, db: Db) -> Response:
    period = _Period.of(request)
    if period.errors:
        return _report(request, "unusual", period, None)
    found = transparency.unusual_access(
        db,
        agency_of(actor),
        since=period.since,
        until=period.until,
        calendar=request.app.state.practice.calendar,
    )
    return _report(request, "unusual", period, found)


def _report(request: Request, which: str, period: _Period, found: object) -> Response:
    titles = {"accesses": "Who has seen our information", "unusual": "Unusual access"}
    return render(
        request,
        f"pages/oversight/{which}.html",
        status_code=400 if period.errors else 200,
        title=titles[which],
        nav_section="transparency",
        found=found,
        period=period,
        refusals=REFUSALS,
        heavy_floor=transparency.HEAVY_FLOOR,
        heavy_factor=transparency.HEAVY_FACTOR,
        values=period.values,
        errors=period.errors,
        error_summary=problems(period.errors),
    )


class _Period:
    """The dates a report covers, from its filter form (from-day ... to-year): London days,
    both included; by default the last 30 days."""

    def __init__(self, first: dt.date, last: dt.date, values: dict[str, str]) -> None:
        self.first, self.last, self.values = first, last, values
        self.errors: dict[str, str] = {}

    @classmethod
    def of(cls, request: Request) -> _Period:
        query = request.query_params
        values = {
            f"{name}-{part}": query.get(f"{name}-{part}", "").strip()
            for name in ("from", "to")
            for part in ("day", "month", "year")
        }
        period = cls(today() - PERIOD, today(), values)
        for name, label in (("from", "The start of the period"), ("to", "The end of the period")):
            parts = [values[f"{name}-{part}"] for part in ("year", "month", "day")]
            if not any(parts):
                continue
            try:
                day = dt.date(*(int(p) for p in parts))
            except ValueError:
                period.errors[name] = f"{label} must be a real date, like 1 November 2026"
                continue
            if name == "from":
                period.first = day
            else:
                period.last = day
        if not period.errors and period.first > period.last:
            period.errors["from"] = "The start of the period must be on or before its end"
        elif not period.errors and period.last - period.first > LONGEST:
            period.errors["from"] = "Choose a period of a year or less"
        if not any(values.values()):
            # Show the dates the report covers, so changing them starts from there.
            values.update(period.fields())
        return period

    @property
    def since(self) -> dt.datetime:
        return _midnight(self.first)

    @property
    def until(self) -> dt.datetime:
        return _midnight(self.last + dt.timedelta(days=1))

    def fields(self) -> dict[str, str]:
        return {
            f"{name}-{part}": str(getattr(day, part))
            for name, day in (("from", self.first), ("to", self.last))
            for part in ("day", "month", "year")
        }

    def query(self, **more: object) -> str:
        """The address's query for this period (and `more`), for links that keep the filter."""
        return urlencode(self.fields() | more)


def _midnight(day: dt.date) -> dt.datetime:
    # A London day starts at local midnight: 23:00 UTC the day before in summer.
    return dt.datetime.combine(day, dt.time(), tzinfo=clock.LONDON).astimezone(dt.UTC)
