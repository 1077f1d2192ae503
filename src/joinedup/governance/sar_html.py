"""A subject access export as a document people read: one standalone HTML file in the GOV.UK
style (its styles inside it, nothing fetched), to print, or to send once reviewed.

It renders the export's JSON as it is, section by section, so the two never say different
things; every mark for review shows where it stands, with its reason.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from joinedup.clock import LONDON
from joinedup.governance.rules import ReviewReason
from joinedup.governance.sar import SECTIONS
from joinedup.identifiers import format_nhs_number

# Keys whose words are not simply the key with spaces.
LABELS = {
    "nhs_number": "NHS number",
    "nhs_numbers": "NHS numbers",
    "upn": "Unique pupil number",
    "pnc_id": "PNC ID",
    "record_id": "Agency's record number",
    "local_id": "Agency's person number",
    "household_ref": "Agency's household reference",
    "source": "Came from",
    "held": "As held",
    "as_named": "How the contact names them",
    "named_as": "Named as",
    "what_happened": "What happened (the referrer's account)",
    "may_share_beyond_mash": "May be shared beyond the MASH",
    "relationship_to_subject": "Relationship",
    "consent_not_sought_reason": "Consent not sought because (DPA 2018 Sch 1 para 18(2))",
    "records_of": "Over the records of",
    "ledger_entry": "Ledger entry",
    "categories_shown": "Shown",
    "still_sent": "Still in the agency's extract",
    "case_reference": "Case reference",
    "open": "Open now",
    "routing": "Routed to a social care case",
    "routed_to": "Went to",
    "brought_back_into_the_mash_at": "Brought back into the MASH",
    "brought_back_because": "Why it was brought back (the manager's words)",
}
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " ").capitalize())


def shown(value: Any) -> str:
    """A plain value as people read it: times in London time, days in words, yes and no."""
    if value is None:
        return "None recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and _TIME.match(value):
        when = dt.datetime.fromisoformat(value).astimezone(LONDON)
        return when.strftime("%-d %B %Y at %-I:%M%p").replace("AM", "am").replace("PM", "pm")
    if isinstance(value, str) and _DAY.match(value):
        return dt.date.fromisoformat(value).strftime("%-d %B %Y")
    return str(value)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["label"] = label
    env.filters["shown"] = shown
    env.filters["nhs"] = format_nhs_number
    env.globals["reasons"] = {r.value: r.label for r in ReviewReason}
    env.globals["sections"] = SECTIONS
    return env


_ENV = _environment()


def render_html(document: dict[str, Any]) -> str:
    """The export as one standalone HTML document."""
    return _ENV.get_template("sar.html").render(doc=document).lstrip()
