"""The front door's clocks under the default practice, with controlled time.

November 2026 is GMT, so London and UTC agree; Friday is 27 November. Christmas Day 2026 is a
Friday, so Boxing Day's bank holiday moves to Monday 28 December. The clocks go back on
Sunday 25 October 2026.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from joinedup.clock import LONDON
from joinedup.frontdoor.practice import DueClock, Practice

PRACTICE = Practice()
CALENDAR = PRACTICE.calendar


def london(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def research(code: str) -> DueClock:
    rule = PRACTICE.rating(code)
    assert rule is not None and rule.research is not None
    return rule.research


def test_red_rated_on_friday_at_four_is_due_at_eight_because_red_runs_through_the_night() -> None:
    # The hub closes at 16:30 on Fridays; Red is worked to completion anyway.
    assert research("red").due(CALENDAR, london(11, 27, 16)) == london(11, 27, 20)


def test_red_rated_late_on_saturday_night_is_due_in_the_small_hours_of_sunday() -> None:
    assert research("red").due(CALENDAR, london(11, 28, 23)) == london(11, 29, 3)


def test_amber_counts_only_opening_hours_so_it_runs_across_the_weekend() -> None:
    # Friday 15:00-16:30 is 1.5 hours, Monday 8.5, Tuesday 8.5: 18.5. Wednesday opens at
    # 10:30, so the last 5.5 hours run out at 16:00.
    assert research("amber").due(CALENDAR, london(11, 27, 15)) == london(12, 2, 16)


def test_amber_rated_when_the_hub_is_closed_starts_counting_at_the_next_opening() -> None:
    # Saturday: counting starts Monday 08:30. Mon 8.5 + Tue 8.5 = 17; Wed 10:30 + 7 = 17:30,
    # past Wednesday's 17:00 close, so 6.5 on Wednesday and the last half hour on Thursday.
    assert research("amber").due(CALENDAR, london(11, 28, 11)) == london(12, 3, 9)


def test_green_is_72_elapsed_hours_whatever_the_opening_hours() -> None:
    assert research("green").due(CALENDAR, london(11, 27, 16)) == london(11, 30, 16)


def test_green_is_72_real_hours_across_the_clocks_going_back() -> None:
    # Friday 23 October noon BST plus 72 hours is Monday 26 October 11:00 GMT.
    assert research("green").due(CALENDAR, london(10, 23, 12)) == london(10, 26, 11)


def test_amber_skips_christmas_and_the_substitute_boxing_day() -> None:
    # Thursday 24 December 15:00-17:00 is 2 hours. Friday 25 is Christmas, Monday 28 the
    # substitute Boxing Day. Tuesday 29 gives 8.5 and Wednesday 30 6.5 (10:30-17:00): 17.
    # The last 7 run from Thursday 31 December 08:30 to 15:30.
    assert research("amber").due(CALENDAR, london(12, 24, 15)) == london(12, 31, 15, 30)


def test_the_decision_is_due_one_working_day_after_receipt() -> None:
    received_friday = london(11, 27, 15)
    assert PRACTICE.decision_due.due(CALENDAR, received_friday) == london(11, 30, 15)


def test_the_decision_clock_steps_over_bank_holidays() -> None:
    received_christmas_eve = london(12, 24, 15)
    assert PRACTICE.decision_due.due(CALENDAR, received_christmas_eve) == london(12, 29, 15)


def test_a_contact_received_on_a_bank_holiday_is_counted_from_the_next_opening() -> None:
    # Received on Christmas Day: counted from Tuesday 29 December 08:30, due Wednesday 08:30.
    received = london(12, 25, 10)
    assert PRACTICE.decision_due.due(CALENDAR, received) == london(12, 30, 8, 30)


def test_blue_starts_no_research_clock() -> None:
    blue = PRACTICE.rating("blue")
    assert blue is not None and blue.research is None


def test_lateness_is_working_time_so_friday_evening_to_monday_morning_is_not_late() -> None:
    due = london(11, 27, 16, 30)  # Friday's close
    assert CALENDAR.working_hours_between(due, london(11, 30, 8, 30)) == timedelta(0)
    assert CALENDAR.working_hours_between(due, london(11, 30, 10)) == timedelta(hours=1, minutes=30)
