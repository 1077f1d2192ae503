"""The one source of time, and the working-time arithmetic behind every clock in the hub.

Every datetime in and out is timezone-aware; naive ones are rejected with ValueError, because a
naive time read as UTC in summer is an hour wrong. Arithmetic happens in Europe/London local
time, since opening hours and working days are local; results are returned in UTC.
"""

from __future__ import annotations

import calendar
import enum
import re
from collections.abc import Container, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A calendar with no opening for this long is misconfigured; stop rather than loop for ever.
_MAX_CLOSED_DAYS = 400


def aware_utc(when: datetime, name: str = "time") -> datetime:
    """when in UTC. Raises ValueError for a naive datetime."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {when.isoformat()}")
    return when.astimezone(UTC)


class Clock:
    """A stopped clock that tests set and advance by hand."""

    def __init__(self, when: datetime) -> None:
        self._now = aware_utc(when)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = aware_utc(when)

    def advance(self, by: timedelta) -> datetime:
        self._now += by
        return self._now


# Process-wide, not per thread: the web tests' app runs in another thread and must see the
# same frozen time as the test that froze it. Tests run one at a time in each process.
_frozen: Clock | None = None


def now() -> datetime:
    """The current time, aware and in UTC (or the frozen time inside frozen_at)."""
    return _frozen.now() if _frozen is not None else datetime.now(UTC)


@contextmanager
def frozen_at(when: datetime) -> Iterator[Clock]:
    """Make now() return when until the block ends; the Clock yielded can set or advance it."""
    global _frozen
    previous, _frozen = _frozen, Clock(when)
    try:
        yield _frozen
    finally:
        _frozen = previous


# --- Opening hours ----------------------------------------------------------------------

Span = tuple[time, time]
_SPAN = re.compile(r"([0-9]{1,2}):([0-9]{2})\s*-\s*([0-9]{1,2}):([0-9]{2})")


@dataclass(frozen=True)
class OpeningHours:
    """Local opening and closing times for each weekday, Monday first; None means closed."""

    by_weekday: tuple[Span | None, ...]

    def __post_init__(self) -> None:
        if len(self.by_weekday) != 7:
            raise ValueError("opening hours need an entry for each of the 7 weekdays")
        for name, span in zip(WEEKDAYS, self.by_weekday, strict=True):
            if span is not None and not span[0] < span[1]:
                raise ValueError(f"opening hours for {name} must open before they close")
        if all(span is None for span in self.by_weekday):
            raise ValueError("opening hours must open on at least one day of the week")

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> OpeningHours:
        """Parse {"mon": "08:30-17:00", "sat": "closed", ...}; a day left out is closed.

        Raises ValueError saying which day is wrong and what it should look like.
        """
        unknown = sorted(set(key.lower() for key in config) - set(WEEKDAYS))
        if unknown:
            raise ValueError(
                f"opening hours have an unknown day {unknown[0]!r}: use {', '.join(WEEKDAYS)}"
            )
        by_day = {key.lower(): value.strip().lower() for key, value in config.items()}
        return cls(tuple(_parse_span(day, by_day.get(day, "closed")) for day in WEEKDAYS))


def _parse_span(day: str, text: str) -> Span | None:
    if text == "closed":
        return None
    problem = f"opening hours for {day} must look like 08:30-17:00 or 'closed', not {text!r}"
    match = _SPAN.fullmatch(text)
    if match is None:
        raise ValueError(problem)
    h1, m1, h2, m2 = map(int, match.groups())
    try:
        return time(h1, m1), time(h2, m2)
    except ValueError:  # 25:00, 08:75
        raise ValueError(problem) from None


# domain.md ("Clocks"): Nottinghamshire County MASH, the default until a hub sets its own.
NOTTINGHAMSHIRE_COUNTY = OpeningHours.from_config(
    {
        "mon": "08:30-17:00",
        "tue": "08:30-17:00",
        "wed": "10:30-17:00",
        "thu": "08:30-17:00",
        "fri": "08:30-16:30",
    }
)


# --- The working calendar ---------------------------------------------------------------


class Counting(enum.Enum):
    """How a clock's amount is counted."""

    WORKING_HOURS = "working_hours"  # only while the hub is open (Amber: 24 working hours)
    ELAPSED_HOURS = "elapsed_hours"  # round the clock (Green: 72 hours)
    WORKING_DAYS = "working_days"  # whole working days (WT 2023: 1 working day)


def england_holidays() -> Container[date]:
    """England's bank holidays, including substitute days; years fill in as they are asked for."""
    return holidays.country_holidays("GB", subdiv="ENG")


@dataclass(frozen=True, eq=False)
class WorkingCalendar:
    """Opening hours and bank holidays, and the arithmetic of working time over them.

    A working day is Monday to Friday and not a bank holiday: the statutory meaning, used for
    the Working Together clocks whatever the hub's hours. Working hours are the opening hours
    on any day that is not a bank holiday.
    """

    opening_hours: OpeningHours = NOTTINGHAMSHIRE_COUNTY
    # Defaults to England's, so a calendar built without thought still skips bank holidays.
    holidays: Container[date] = field(default_factory=england_holidays)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def is_open(self, at: datetime) -> bool:
        at = aware_utc(at, "at")
        span = self._open_span(at.astimezone(LONDON).date())
        return span is not None and span[0] <= at < span[1]

    def next_opening(self, at: datetime) -> datetime:
        """at itself when the hub is open, otherwise the moment it next opens."""
        return next(self._open_periods(aware_utc(at, "at")))[0]

    def add_working_hours(self, start: datetime, hours: float | timedelta) -> datetime:
        """When that much open time has passed since start, counting from the next opening.

        An amount that runs out exactly at closing is due at closing, not the next opening.
        """
        remaining = _as_duration(hours)
        for opens, closes in self._open_periods(aware_utc(start, "start")):
            if closes - opens >= remaining:
                return opens + remaining
            remaining -= closes - opens
        raise AssertionError("unreachable: _open_periods never ends")

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same local clock time, days working days after counting starts.

        Counting starts at start if the hub is open then, otherwise at its next opening: a
        contact received Friday 15:00 is due Monday 15:00 for 1 working day; one received on
        Saturday, or Friday evening, is counted from Monday's opening and due Tuesday at that
        opening time. The result can fall outside opening hours (Tuesday 08:30 plus one day is
        Wednesday 08:30, before Wednesday's late opening); that is still the deadline.
        """
        if days < 0:
            raise ValueError(f"working days must not be negative, got {days}")
        counted_from = self.next_opening(aware_utc(start, "start")).astimezone(LONDON)
        day = counted_from.date()
        for _ in range(days):
            day = self._next_working_day(day)
        return datetime.combine(day, counted_from.time(), tzinfo=LONDON).astimezone(UTC)

    def working_hours_between(self, a: datetime, b: datetime) -> timedelta:
        """Open time from a to b, negative when b is before a.

        working_hours_between(due, now) is how late something is; negative is time still left.
        """
        a, b = aware_utc(a, "a"), aware_utc(b, "b")
        if b < a:
            return -self.working_hours_between(b, a)
        total = timedelta(0)
        for opens, closes in self._open_periods(a):
            if opens >= b:
                return total
            total += min(closes, b) - opens
        raise AssertionError("unreachable: _open_periods never ends")

    def due(self, start: datetime, amount: float | timedelta, counting: Counting) -> datetime:
        """When a clock started at start runs out: amount is hours, or days for WORKING_DAYS."""
        if counting is Counting.WORKING_HOURS:
            return self.add_working_hours(start, amount)
        if counting is Counting.ELAPSED_HOURS:
            return add_elapsed_hours(start, amount)
        if isinstance(amount, timedelta) or amount != int(amount):
            raise ValueError(f"working days must be a whole number, got {amount!r}")
        return self.add_working_days(start, int(amount))

    def _open_span(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's opening and closing instants in UTC, or None when closed."""
        span = self.opening_hours.by_weekday[day.weekday()]
        if span is None or day in self.holidays:
            return None
        # Through local time, so a BST day's 08:30 is 07:30 UTC.
        opens, closes = (datetime.combine(day, t, tzinfo=LONDON).astimezone(UTC) for t in span)
        return opens, closes

    def _open_periods(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open periods from start onwards, the first cut to begin no earlier than start."""
        day, closed_days = start.astimezone(LONDON).date(), 0
        while closed_days < _MAX_CLOSED_DAYS:
            span = self._open_span(day)
            if span is not None and span[1] > start:
                closed_days = 0
                yield max(span[0], start), span[1]
            else:
                closed_days += 1
            day += timedelta(days=1)
        raise ValueError(f"the hub never opens in {_MAX_CLOSED_DAYS} days from {start}")

    def _next_working_day(self, day: date) -> date:
        for offset in range(1, _MAX_CLOSED_DAYS):
            if self.is_working_day(candidate := day + timedelta(days=offset)):
                return candidate
        raise ValueError(f"no working day in {_MAX_CLOSED_DAYS} days after {day}")


def add_elapsed_hours(start: datetime, hours: float | timedelta) -> datetime:
    """start plus real elapsed time: 72 hours across a clock change is still 72 hours."""
    return aware_utc(start, "start") + _as_duration(hours)


def _as_duration(hours: float | timedelta) -> timedelta:
    duration = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
    if duration < timedelta(0):
        raise ValueError(f"a clock cannot run backwards: got {hours!r} hours")
    return duration


def months_before(when: datetime, months: int) -> datetime:
    """The same London wall-clock time so many calendar months earlier (31 May less 3 months
    is 28 or 29 February), returned in when's zone. Repeat-contact windows are in months."""
    local = when.astimezone(LONDON)
    month_index = local.year * 12 + local.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    # A ZoneInfo works its offset out from the wall-clock time, so BST or GMT comes out right.
    return local.replace(year=year, month=month + 1, day=day).astimezone(when.tzinfo)
