"""What the raise-a-concern pages share: where each question is asked, reading dates typed
into GOV.UK date inputs, and putting the front door's problems beside the fields they are
about.

The meaning of every answer is judged by frontdoor.rules.check_contact, through
frontdoor.drafts.check_answers, so the form and the API say the same thing in the same words;
only what is the form's own business (a date typed in three boxes, a radio left unchosen) is
checked here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from joinedup import clock
from joinedup.frontdoor import drafts
from joinedup.frontdoor.rules import FieldProblem
from joinedup.web.forms import error_summary
from joinedup.web.templating import render

START = "/raise-a-concern"
CHECK = "/raise-a-concern/check"
# Where each question of drafts.QUESTIONS is asked.
PAGES = {
    "subjects": "/raise-a-concern/people",
    "household": "/raise-a-concern/household",
    "concern_categories": "/raise-a-concern/concerns",
    "what_happened": "/raise-a-concern/what-happened",
    "urgency": "/raise-a-concern/urgency",
    "consent": "/raise-a-concern/consent",
}
CAPTION = "Raise a concern"
_DATE_PARTS = ("day", "month", "year")


def today() -> dt.date:
    return clock.now().astimezone(clock.LONDON).date()


def next_page(answers: drafts.Answers) -> str:
    """The first question not yet answered; check answers when every one has been."""
    missing = drafts.unanswered(answers)
    return PAGES[missing[0]] if missing else CHECK


def go(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


def question_page(
    request: Request,
    template: str,
    title: str,
    back: str,
    values: dict[str, Any],
    errors: dict[str, str],
    **context: Any,
) -> Response:
    """A page of the form: 400 with the GOV.UK error summary when there are errors."""
    return render(
        request,
        f"pages/raise_concern/{template}",
        status_code=400 if errors else 200,
        title=title,
        caption=CAPTION,
        back=back,
        values=values,
        errors=errors,
        error_summary=error_summary(errors),
        **context,
    )


def problems_for(
    problems: Iterable[FieldProblem], prefix: str, fields: Sequence[str]
) -> dict[str, str]:
    """The problems about fields under `prefix` (like `subjects[1].`), keyed by the form's own
    field ids, the first for each field, in the order the fields are on the page."""
    found: dict[str, str] = {}
    for problem in problems:
        if problem.field.startswith(prefix):
            found.setdefault(problem.field.removeprefix(prefix), problem.message)
    return in_page_order(found, fields)


def in_page_order(errors: dict[str, str], fields: Sequence[str]) -> dict[str, str]:
    """Errors ordered as their fields are on the page, so the summary reads top to bottom."""
    return {name: errors[name] for name in fields if name in errors}


def read_date(
    form: Any, name: str, label: str, values: dict[str, Any], errors: dict[str, str]
) -> str | None:
    """A date typed into the GOV.UK date input `name`, as YYYY-MM-DD; None when left blank.

    What was typed goes into values, to show again; what is wrong with it into errors, in the
    GOV.UK words ("Date of birth must include a month", "... must be a real date").
    """
    parts = {}
    for part in _DATE_PARTS:
        typed = form.get(f"{name}-{part}")
        parts[part] = typed.strip() if isinstance(typed, str) else ""
        values[f"{name}-{part}"] = parts[part]
    if not any(parts.values()):
        return None
    missing = [part for part in _DATE_PARTS if not parts[part]]
    if missing:
        errors[name] = f"{label} must include a {' and a '.join(missing)}"
        return None
    if len(parts["year"]) != 4:
        errors[name] = f"{label} must include a year with 4 numbers, like 2015"
        return None
    try:
        return dt.date(*(int(parts[part]) for part in ("year", "month", "day"))).isoformat()
    except ValueError:
        errors[name] = f"{label} must be a real date"
        return None


def date_values(name: str, iso: str | None) -> dict[str, str]:
    """A stored date as its date input shows it: 27, 3, 2015."""
    if not iso:
        return {f"{name}-{part}": "" for part in _DATE_PARTS}
    day = dt.date.fromisoformat(iso)
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def spoken_date(iso: str | None) -> str:
    """27 March 2015, as GOV.UK writes a date."""
    if not iso:
        return ""
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"
