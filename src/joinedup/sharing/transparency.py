"""What the ledger says about an agency's records: who has seen them, when, under what, and
access that looks unusual, for the agency's IG lead (transparency, issue 5).

Accesses come from the entries the gate writes (one per record shown or withheld; see
`gate.py`), whose JSON detail names the owning agency, the purpose, the categories permitted
and refused with the rule, the agreements relied on and break-glass. Nothing here shows
personal data: a record is named by its type and id, never by what it holds.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVarTuple

from sqlalchemy import (
    JSON,
    ColumnElement,
    Integer,
    Select,
    and_,
    cast,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from joinedup import clock
from joinedup.accounts.models import User
from joinedup.audit.models import AuditEntry
from joinedup.clock import WorkingCalendar
from joinedup.directory.models import Agency, Professional
from joinedup.sharing.models import Agreement
from joinedup.sharing.rules import DataCategory, DecisionBasis, Purpose

Ts = TypeVarTuple("Ts")
# Someone is a heavy viewer when they saw at least this many of the agency's records in the
# period, and at least this many times as many as the middle one of everyone else who did.
HEAVY_FLOOR = 20
HEAVY_FACTOR = 3
# The longest list of each kind the unusual-access page shows; it says how many there were.
UNUSUAL_SHOWN = 100

# --- Who has seen the agency's information ---------------------------------------------------


@dataclass(frozen=True)
class Access:
    """One ledger entry of the gate about one of the agency's records."""

    entry_id: int
    at: dt.datetime
    who: str
    agency: str | None  # the agency of whoever asked; None for an operator's command
    own_staff: bool
    shown: bool  # something was shown; otherwise everything was withheld
    object_type: str
    object_id: str
    purpose: Purpose | None
    permitted: tuple[DataCategory, ...]
    refused: Mapping[DataCategory, DecisionBasis]
    agreements: tuple[str, ...]  # the titles of the agreements relied on
    break_glass: bool

    @property
    def record(self) -> str:
        return f"{self.object_type.replace('_', ' ')} {self.object_id}"

    @property
    def refusals(self) -> list[DecisionBasis]:
        """Each distinct rule that withheld something, in a stable order."""
        return sorted(set(self.refused.values()))


@dataclass(frozen=True)
class AccessPage:
    accesses: list[Access]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def accesses_to_agency(
    session: Session,
    agency_id: int,
    *,
    since: dt.datetime,
    until: dt.datetime,
    page: int = 1,
    per_page: int = 50,
) -> AccessPage:
    """Every access the gate recorded to the agency's records between `since` (inclusive) and
    `until` (exclusive), newest first, one page at a time (pages count from 1). Three queries."""
    where = _to_agency(session, agency_id, since, until)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    page = max(1, min(page, max(1, -(-total // per_page))))
    query = (
        _with_asker(select(AuditEntry, Agency.id, Agency.name))
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return AccessPage(_accesses(session, agency_id, session.execute(query)), total, page, per_page)


# --- Unusual access --------------------------------------------------------------------------


@dataclass(frozen=True)
class HeavyViewer:
    who: str
    agency: str | None
    records: int  # distinct records of the agency shown to them in the period
    peers_median: float  # the middle count of everyone else who was shown any


@dataclass(frozen=True)
class Flagged:
    """Accesses of one kind: the newest UNUSUAL_SHOWN, and how many there were."""

    accesses: list[Access]
    total: int


@dataclass(frozen=True)
class UnusualAccess:
    viewers: int  # people shown any of the agency's records in the period
    heavy: list[HeavyViewer]
    break_glass: Flagged
    not_involved: Flagged  # refused because they were not working the person's contact or case
    out_of_hours: Flagged  # partner staff shown records while the MASH was closed


def heavy_viewers(
    counts: Mapping[int, int], floor: int = HEAVY_FLOOR, factor: int = HEAVY_FACTOR
) -> dict[int, float]:
    """Who saw many more records than their peers: {viewer: the median of everyone else's
    counts} for each viewer with at least `floor` records and `factor` times that median."""
    flagged = {}
    for viewer, count in counts.items():
        others = [c for v, c in counts.items() if v != viewer]
        median = statistics.median(others) if others else 0.0
        if count >= floor and count >= factor * median:
            flagged[viewer] = float(median)
    return flagged


def unusual_access(
    session: Session,
    agency_id: int,
    *,
    since: dt.datetime,
    until: dt.datetime,
    calendar: WorkingCalendar,
) -> UnusualAccess:
    """Access to the agency's records between `since` and `until` that an IG lead should look
    at: heavy viewers, break-glass, refusals for not working the case, and partner staff shown
    records while the MASH was closed (by `calendar`, the practice's opening hours)."""
    where = _to_agency(session, agency_id, since, until)
    shown = AuditEntry.action.like("%:disclosed")
    per_viewer = session.execute(
        select(
            AuditEntry.actor_user_id,
            func.count(func.distinct(AuditEntry.object_type + ":" + AuditEntry.object_id)),
        )
        .where(*where, shown, AuditEntry.actor_user_id.is_not(None))
        .group_by(AuditEntry.actor_user_id)
    ).all()
    counts = {user_id: int(n) for user_id, n in per_viewer if user_id is not None}
    heavy = heavy_viewers(counts)
    names = _names(session, heavy)
    glass = detail(session, "break_glass").as_boolean().is_(True)
    partner = Agency.id != agency_id  # not NULL: an operator's command reads nothing
    # Canonical JSON (audit.rules): the refusal is a quoted value of the `denied` map.
    refused_not_involved = AuditEntry.detail.like(f'%"{DecisionBasis.NOT_INVOLVED.value}"%')
    closed = _while_closed(calendar, since, until)
    return UnusualAccess(
        viewers=len(counts),
        heavy=sorted(
            (
                HeavyViewer(*names.get(user_id, ("someone", None)), counts[user_id], median)
                for user_id, median in heavy.items()
            ),
            key=lambda h: (-h.records, h.who),
        ),
        break_glass=_flagged(session, agency_id, [*where, glass]),
        not_involved=_flagged(session, agency_id, [*where, refused_not_involved]),
        out_of_hours=_flagged(session, agency_id, [*where, shown, partner, closed]),
    )


# --- How --------------------------------------------------------------------------------


def detail(session: Session, key: str) -> Any:
    """A key of a ledger entry's JSON detail, on either database."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(AuditEntry.detail, JSONB)[key]
    return type_coerce(AuditEntry.detail, JSON)[key]


# "The owning agency named in the entry's detail", exactly as migration 0009 indexes it, so
# that each database answers a report from the index rather than reading every entry.
_OWNER = {
    "sqlite": "json_extract(audit_entries.detail, '$.owner_agency_id')",
    "postgresql": "((audit_entries.detail::jsonb ->> 'owner_agency_id')::integer)",
}


def owner_of_entry(session: Session) -> ColumnElement[int]:
    """The agency whose record a gate entry is about (NULL for every other entry)."""
    return literal_column(_OWNER[session.get_bind().dialect.name], Integer)


def gate_entry() -> ColumnElement[bool]:
    # The gate writes "<user|system>:<object type>:disclosed" or "...:withheld".
    return or_(AuditEntry.action.like("%:disclosed"), AuditEntry.action.like("%:withheld"))


def _to_agency(
    session: Session, agency_id: int, since: dt.datetime, until: dt.datetime
) -> list[ColumnElement[bool]]:
    # In the order of the index (migration 0009): owner, time, action.
    return [
        owner_of_entry(session) == agency_id,
        AuditEntry.at >= since,
        AuditEntry.at < until,
        gate_entry(),
    ]


def _with_asker(query: Select[*Ts]) -> Select[*Ts]:
    """Join whoever asked: the ledger keeps only a user id (it outlives users)."""
    return (
        query.outerjoin(User, User.id == AuditEntry.actor_user_id)
        .outerjoin(Professional, Professional.id == User.professional_id)
        .outerjoin(Agency, Agency.id == Professional.agency_id)
    )


def _flagged(session: Session, agency_id: int, where: Iterable[ColumnElement[bool]]) -> Flagged:
    where = list(where)
    total = session.scalar(_with_asker(select(func.count()).select_from(AuditEntry)).where(*where))
    rows = session.execute(
        _with_asker(select(AuditEntry, Agency.id, Agency.name))
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(UNUSUAL_SHOWN)
    )
    return Flagged(_accesses(session, agency_id, rows), total or 0)


def _while_closed(
    calendar: WorkingCalendar, since: dt.datetime, until: dt.datetime
) -> ColumnElement[bool]:
    """Entries made while the MASH was closed, as a condition on their time: outside each day's
    opening hours. Red work goes on out of hours, so this is a prompt to look, not a fault."""
    first = since.astimezone(clock.LONDON).date()
    last = (until - dt.timedelta(microseconds=1)).astimezone(clock.LONDON).date()
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    spans = [span for day in days if (span := _open_span(calendar, day)) is not None]
    return not_(or_(false(), *(and_(AuditEntry.at >= o, AuditEntry.at < c) for o, c in spans)))


def _open_span(calendar: WorkingCalendar, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """When the MASH opens and closes on a London day (None: closed all day). Asked once a day,
    so the database picks out the entries: a month's entries, one by one in Python, took a
    second and more."""
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=clock.LONDON)
    opens = calendar.next_opening(midnight)
    if opens.astimezone(clock.LONDON).date() != day:
        return None
    return opens, opens + calendar.working_hours_between(opens, midnight + dt.timedelta(days=1))


def _names(session: Session, user_ids: Iterable[int]) -> dict[int, tuple[str, str | None]]:
    rows = session.execute(
        select(User.id, Professional.given_name, Professional.family_name, Agency.name)
        .join(Professional, Professional.id == User.professional_id)
        .join(Agency, Agency.id == Professional.agency_id)
        .where(User.id.in_(list(user_ids)))
    )
    return {user_id: (f"{given} {family}", agency) for user_id, given, family, agency in rows}


def _accesses(session: Session, agency_id: int, rows: Iterable[Any]) -> list[Access]:
    found = [(entry, asker_id, asker, json.loads(entry.detail)) for entry, asker_id, asker in rows]
    relied = {i for *_, said in found for i in said.get("agreement_ids", [])}
    titles: dict[int, str] = {
        agreement_id: title
        for agreement_id, title in session.execute(
            select(Agreement.id, Agreement.title).where(Agreement.id.in_(relied))
        )
    }
    return [
        Access(
            entry_id=entry.id,
            at=entry.at,
            who=_who(entry.actor_label),
            agency=asker,
            own_staff=asker_id == agency_id,
            shown=entry.action.endswith(":disclosed"),
            object_type=entry.object_type,
            object_id=entry.object_id,
            purpose=_purpose(said.get("purpose")),
            permitted=tuple(DataCategory(c) for c in said.get("permitted", [])),
            refused={DataCategory(c): DecisionBasis(b) for c, b in said.get("denied", {}).items()},
            agreements=tuple(
                titles.get(i, f"agreement {i}") for i in said.get("agreement_ids", [])
            ),
            break_glass=bool(said.get("break_glass")),
        )
        for entry, asker_id, asker, said in found
    ]


def _who(label: str) -> str:
    # A user's label is "Name (Agency)"; the agency has a column of its own.
    return label.rsplit(" (", 1)[0] if label.endswith(")") else label


def _purpose(value: object) -> Purpose | None:
    try:
        return Purpose(str(value))
    except ValueError:  # an operator's command, or a purpose since retired
        return None
