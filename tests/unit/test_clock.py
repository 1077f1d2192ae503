"""clock.py: controlled time, and working-time arithmetic in London over England's calendar.

Dates are in 2026: the clocks go forward on Sunday 29 March and back on Sunday 25 October;
Good Friday is 3 April and Easter Monday 6 April; Christmas Day is a Friday, so Boxing Day is
substituted on Monday 28 December.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup import clock
from joinedup.clock import (
    LONDON,
    NOTTINGHAMSHIRE_COUNTY,
    Counting,
    OpeningHours,
    WorkingCalendar,
    add_elapsed_hours,
    frozen_at,
)

CALENDAR = WorkingCalendar(NOTTINGHAMSHIRE_COUNTY, clock.england_holidays())


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- now() and frozen time --------------------------------------------------------------


def test_now_is_aware_utc() -> None:
    assert clock.now().utcoffset() == timedelta(0)


def test_frozen_at_fixes_now_and_can_be_advanced_and_set() -> None:
    before = datetime.now(UTC)
    with frozen_at(london(2026, 7, 1, 9)) as frozen:
        assert clock.now() == utc(2026, 7, 1, 8)
        assert clock.now().tzinfo is UTC
        frozen.advance(timedelta(minutes=5))
        assert clock.now() == utc(2026, 7, 1, 8, 5)
        frozen.set(utc(2027, 1, 1))
        assert clock.now() == utc(2027, 1, 1)
    # After the block, real time again.
    assert before <= clock.now() <= datetime.now(UTC)


def test_frozen_at_rejects_a_naive_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"), frozen_at(datetime(2026, 7, 1)):  # noqa: DTZ001
        pass


def test_a_frozen_clock_cannot_be_set_to_a_naive_time() -> None:
    with frozen_at(utc(2026, 7, 1)) as frozen, pytest.raises(ValueError, match="naive"):
        frozen.set(datetime(2026, 7, 2))  # noqa: DTZ001


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: CALENDAR.add_working_hours(naive, 1),
        lambda naive: CALENDAR.add_working_days(naive, 1),
        lambda naive: CALENDAR.working_hours_between(naive, utc(2026, 7, 1)),
        lambda naive: CALENDAR.working_hours_between(utc(2026, 7, 1), naive),
        lambda naive: CALENDAR.is_open(naive),
        lambda naive: CALENDAR.next_opening(naive),
        lambda naive: CALENDAR.due(naive, 72, Counting.ELAPSED_HOURS),
        lambda naive: add_elapsed_hours(naive, 1),
    ],
)
def test_every_calculation_rejects_naive_times(call: Any) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call(datetime(2026, 7, 1, 9))  # noqa: DTZ001


# --- opening hours ----------------------------------------------------------------------


def test_the_default_hours_are_nottinghamshire_county() -> None:
    hours = NOTTINGHAMSHIRE_COUNTY.by_weekday
    assert [span and f"{span[0]:%H:%M}-{span[1]:%H:%M}" for span in hours] == [
        "08:30-17:00",
        "08:30-17:00",
        "10:30-17:00",
        "08:30-17:00",
        "08:30-16:30",
        None,
        None,
    ]


def test_opening_hours_parse_ignoring_case_and_spaces_and_leave_missing_days_closed() -> None:
    hours = OpeningHours.from_config({"MON": " 9:00 - 17:00 ", "sat": "Closed"})
    assert hours.by_weekday[0] is not None and hours.by_weekday[0][0].hour == 9
    assert hours.by_weekday[1:] == (None,) * 6


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"mon": "9 to 5"}, "opening hours for mon must look like 08:30-17:00 or 'closed'"),
        ({"mon": "25:00-26:00"}, "opening hours for mon must look like 08:30-17:00"),
        ({"tue": "17:00-08:30"}, "opening hours for tue must open before they close"),
        ({"monday": "08:30-17:00"}, "unknown day 'monday': use mon, tue, wed"),
        ({"sat": "closed"}, "must open on at least one day"),
    ],
)
def test_bad_opening_hours_say_what_is_wrong(config: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OpeningHours.from_config(config)


def test_is_open_follows_the_wednesday_late_opening_and_friday_early_close() -> None:
    assert not CALENDAR.is_open(london(2026, 3, 4, 10, 29))
    assert CALENDAR.is_open(london(2026, 3, 4, 10, 30))
    assert CALENDAR.is_open(london(2026, 3, 6, 16, 29))
    assert not CALENDAR.is_open(london(2026, 3, 6, 16, 30))
    assert not CALENDAR.is_open(london(2026, 3, 7, 12))


def test_the_hub_is_closed_on_bank_holidays_including_substitute_days() -> None:
    assert not CALENDAR.is_open(london(2026, 12, 25, 12))
    assert not CALENDAR.is_open(london(2026, 12, 28, 12))
    assert CALENDAR.is_open(london(2026, 12, 29, 12))


def test_working_days_are_weekdays_that_are_not_bank_holidays() -> None:
    assert CALENDAR.is_working_day(date(2026, 12, 24))
    assert not CALENDAR.is_working_day(date(2026, 12, 26))
    assert not CALENDAR.is_working_day(date(2026, 12, 28))
    assert not CALENDAR.is_working_day(date(2026, 4, 3))
    assert CALENDAR.is_working_day(date(2026, 12, 29))


def test_a_calendar_built_without_holidays_still_knows_englands() -> None:
    assert not WorkingCalendar().is_working_day(date(2026, 12, 28))


# --- working hours ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # Red: 4 working hours inside one day.
        (london(2026, 3, 2, 10), 4, london(2026, 3, 2, 14)),
        # Amber: 24 working hours = Mon 8 + Tue 8.5 + Wed 6.5 (opens 10:30) + Thu 1.
        (london(2026, 3, 2, 9), 24, london(2026, 3, 5, 9, 30)),
        # Friday afternoon: 1.5 hours before the 16:30 close, the rest on Monday.
        (london(2026, 3, 6, 15), 4, london(2026, 3, 9, 11)),
        # Outside hours, counting starts at the next opening.
        (london(2026, 3, 7, 12), 1, london(2026, 3, 9, 9, 30)),
        (london(2026, 3, 4, 8), 1, london(2026, 3, 4, 11, 30)),
        (london(2026, 3, 2, 20), 0.5, london(2026, 3, 3, 9)),
        # Running out exactly at closing is due at closing, not the next morning.
        (london(2026, 3, 2, 16), 1, london(2026, 3, 2, 17)),
        # Christmas: Friday 25, the weekend and the substitute Monday 28 do not count.
        (london(2026, 12, 24, 16), 2, london(2026, 12, 29, 9, 30)),
        # Easter: Good Friday and Easter Monday do not count.
        (london(2026, 4, 2, 16), 2, london(2026, 4, 7, 9, 30)),
    ],
)
def test_add_working_hours(start: datetime, hours: float, due: datetime) -> None:
    assert CALENDAR.add_working_hours(start, hours) == due


def test_working_hours_open_at_local_time_when_the_clocks_go_forward() -> None:
    # Friday 27 March is GMT; Monday 30 March is BST, so 08:30 there is 07:30 UTC.
    due = CALENDAR.add_working_hours(utc(2026, 3, 27, 16), timedelta(hours=2))
    assert due == utc(2026, 3, 30, 9)
    assert due.tzinfo is UTC


def test_working_hours_open_at_local_time_when_the_clocks_go_back() -> None:
    # Friday 23 October 16:00 BST is 15:00 UTC; Monday 26 October is GMT.
    due = CALENDAR.add_working_hours(utc(2026, 10, 23, 15), 2)
    assert due == utc(2026, 10, 26, 10)


def test_no_working_hours_from_inside_hours_is_now_and_from_outside_is_the_next_opening() -> None:
    assert CALENDAR.add_working_hours(london(2026, 3, 2, 10), 0) == london(2026, 3, 2, 10)
    assert CALENDAR.add_working_hours(london(2026, 3, 7, 10), 0) == london(2026, 3, 9, 8, 30)


def test_working_hours_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="cannot run backwards"):
        CALENDAR.add_working_hours(london(2026, 3, 2, 10), -1)


def test_working_hours_between_counts_only_open_time() -> None:
    friday_four, monday_nine = london(2026, 3, 6, 16), london(2026, 3, 9, 9)
    assert CALENDAR.working_hours_between(friday_four, monday_nine) == timedelta(hours=1)
    assert CALENDAR.working_hours_between(monday_nine, friday_four) == -timedelta(hours=1)
    christmas = CALENDAR.working_hours_between(london(2026, 12, 24, 17), london(2026, 12, 29, 9))
    assert christmas == timedelta(minutes=30)


# --- working days -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # WT 2023, one working day: Friday 15:00 is due Monday 15:00.
        (london(2026, 3, 6, 15), 1, london(2026, 3, 9, 15)),
        # Received on Saturday or Friday evening: counted from Monday's opening.
        (london(2026, 3, 7, 10), 1, london(2026, 3, 10, 8, 30)),
        (london(2026, 3, 6, 18), 1, london(2026, 3, 10, 8, 30)),
        # Before Wednesday's late opening: counted from 10:30.
        (london(2026, 3, 4, 9), 1, london(2026, 3, 5, 10, 30)),
        # Christmas Eve: the next working day is Tuesday 29 December.
        (london(2026, 12, 24, 11), 1, london(2026, 12, 29, 11)),
        # Assessment, 45 working days with no bank holiday: nine weeks.
        (london(2026, 1, 5, 10), 45, london(2026, 3, 9, 10)),
        # Conference, 15 working days over Easter: two holidays push it to Friday 24 April.
        (london(2026, 4, 1, 11), 15, london(2026, 4, 24, 11)),
        # Zero days is the moment counting starts.
        (london(2026, 3, 7, 10), 0, london(2026, 3, 9, 8, 30)),
    ],
)
def test_add_working_days(start: datetime, days: int, due: datetime) -> None:
    assert CALENDAR.add_working_days(start, days) == due


def test_working_days_keep_the_local_clock_time_across_the_clock_change() -> None:
    due = CALENDAR.add_working_days(london(2026, 3, 27, 15), 1)
    assert due == utc(2026, 3, 30, 14)  # 15:00 BST


def test_working_days_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        CALENDAR.add_working_days(london(2026, 3, 2, 10), -1)


# --- due() and the counting modes -------------------------------------------------------


def test_due_counts_each_way() -> None:
    friday = london(2026, 3, 6, 15)
    assert CALENDAR.due(friday, 4, Counting.WORKING_HOURS) == london(2026, 3, 9, 11)
    assert CALENDAR.due(friday, 4, Counting.ELAPSED_HOURS) == london(2026, 3, 6, 19)
    assert CALENDAR.due(friday, 1, Counting.WORKING_DAYS) == london(2026, 3, 9, 15)


def test_elapsed_hours_are_real_hours_across_the_clock_change() -> None:
    # Green, 72 hours: the extra hour on 25 October makes the wall clock read 11:00, not 12:00.
    due = CALENDAR.due(london(2026, 10, 23, 12), 72, Counting.ELAPSED_HOURS)
    assert due == london(2026, 10, 26, 11)


def test_working_days_must_be_whole() -> None:
    with pytest.raises(ValueError, match="whole number"):
        CALENDAR.due(london(2026, 3, 2, 10), 1.5, Counting.WORKING_DAYS)
    with pytest.raises(ValueError, match="whole number"):
        CALENDAR.due(london(2026, 3, 2, 10), timedelta(days=1), Counting.WORKING_DAYS)


# --- properties -------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive; values are UTC)
    max_value=datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=200))


@given(instants, durations)
def test_working_hours_between_undoes_add_working_hours(start: datetime, amount: timedelta) -> None:
    due = CALENDAR.add_working_hours(start, amount)
    assert CALENDAR.working_hours_between(start, due) == amount


@given(instants, instants, durations, durations)
def test_add_working_hours_is_monotonic(
    a: datetime, b: datetime, h1: timedelta, h2: timedelta
) -> None:
    (a, b), (h1, h2) = sorted((a, b)), sorted((h1, h2))
    assert CALENDAR.add_working_hours(a, h1) <= CALENDAR.add_working_hours(a, h2)
    assert CALENDAR.add_working_hours(a, h1) <= CALENDAR.add_working_hours(b, h1)
    assert CALENDAR.add_working_hours(a, h1) >= a


@given(instants, st.integers(min_value=1, max_value=60))
def test_working_days_land_on_a_working_day_after_the_start(start: datetime, days: int) -> None:
    due = CALENDAR.add_working_days(start, days)
    assert due > start
    assert CALENDAR.is_working_day(due.astimezone(LONDON).date())
