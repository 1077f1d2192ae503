"""Jinja2 with GOV.UK Frontend's macros (govuk-frontend-jinja) and joinedup's own templates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from starlette.responses import HTMLResponse

from joinedup import __version__
from joinedup.clock import LONDON

TEMPLATES = Path(__file__).parent / "templates"


def _local(value: dt.datetime | None, fmt: str = "%-d %B %Y at %-I:%M%p") -> str:
    """A time as people in England read it: London time, GOV.UK style (1 March 2026 at 9:30am)."""
    if value is None:
        return ""
    text = value.astimezone(LONDON).strftime(fmt)
    return text.replace("AM", "am").replace("PM", "pm")


def _duration(value: dt.timedelta) -> str:
    """A span of working time as people say it: "3 hours 5 minutes", "40 minutes"."""
    minutes = int(abs(value).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def _environment() -> Environment:
    # Default Undefined, not StrictUndefined: GOV.UK Frontend's macros test optional
    # parameters by their absence, exactly as their Nunjucks originals do.
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local_time"] = _local
    env.filters["duration"] = _duration
    env.globals["version"] = __version__
    return env


templates = Jinja2Templates(env=_environment())


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page; every page gets `ctx` (who is signed in and the CSRF token)."""
    context.setdefault("ctx", getattr(request.state, "page", None))
    context.setdefault("demo_banner", getattr(request.app.state, "demo", False))
    return templates.TemplateResponse(request, template, context, status_code=status_code)
