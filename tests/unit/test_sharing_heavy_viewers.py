"""Who counts as seeing many more of an agency's records than their peers."""

from __future__ import annotations

from joinedup.sharing.transparency import HEAVY_FACTOR, HEAVY_FLOOR, heavy_viewers


def test_someone_far_above_the_middle_of_everyone_else_is_flagged_with_that_middle() -> None:
    assert heavy_viewers({1: 60, 2: 10, 3: 12, 4: 14}) == {1: 12.0}


def test_a_busy_team_where_everyone_sees_a_lot_flags_no_one() -> None:
    assert heavy_viewers({1: 60, 2: 50, 3: 40}) == {}


def test_a_handful_of_records_is_never_flagged_however_few_the_peers_saw() -> None:
    assert heavy_viewers({1: HEAVY_FLOOR - 1, 2: 1, 3: 1}) == {}


def test_the_only_viewer_is_flagged_once_past_the_floor() -> None:
    assert heavy_viewers({1: HEAVY_FLOOR}) == {1: 0.0}
    assert heavy_viewers({1: HEAVY_FLOOR - 1}) == {}


def test_exactly_the_factor_times_the_middle_is_enough() -> None:
    assert heavy_viewers({1: HEAVY_FACTOR * 10, 2: 10, 3: 10}, floor=1) == {1: 10.0}
    assert heavy_viewers({1: HEAVY_FACTOR * 10 - 1, 2: 10, 3: 10}, floor=1) == {}
