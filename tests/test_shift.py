"""Shift windows from a pattern of local start times, across both daylight-saving changes in
Europe/Berlin, and when the handover reminder is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from imdesk.domain.errors import ValidationError
from imdesk.domain.shift import ShiftPattern, ShiftWindow

BERLIN = ShiftPattern.parse("06:00/14:00/22:00", "Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("at, start, end, hours", [
    (utc(2026, 7, 1, 10, 0), utc(2026, 7, 1, 4, 0), utc(2026, 7, 1, 12, 0), 8),       # summer
    (utc(2026, 12, 1, 23, 0), utc(2026, 12, 1, 21, 0), utc(2026, 12, 2, 5, 0), 8),    # winter night
    (utc(2026, 3, 29, 2, 0), utc(2026, 3, 28, 21, 0), utc(2026, 3, 29, 4, 0), 7),     # spring forward
    (utc(2026, 10, 25, 1, 30), utc(2026, 10, 24, 20, 0), utc(2026, 10, 25, 5, 0), 9),  # fall back
])
def test_windows_follow_local_time(at: datetime, start: datetime, end: datetime, hours: int) -> None:
    window = BERLIN.window_at(at)
    assert window == ShiftWindow(start, end) and window.hours == hours
    assert at in window and BERLIN.previous(window).end == start


def test_a_window_is_found_by_its_start_and_a_wrong_start_is_refused() -> None:
    assert BERLIN.window_starting(utc(2026, 10, 24, 20, 0)).end == utc(2026, 10, 25, 5, 0)
    with pytest.raises(ValidationError, match="no shift starts at"):
        BERLIN.window_starting(utc(2026, 10, 24, 21, 0))


def test_the_reminder_comes_half_an_hour_before_the_end() -> None:
    window = BERLIN.window_at(utc(2026, 7, 1, 10, 0))
    assert BERLIN.reminder_at(window) == window.end - timedelta(minutes=30)
    assert not BERLIN.reminder_due(window.end - timedelta(minutes=31))
    assert BERLIN.reminder_due(window.end - timedelta(minutes=30))
    never = ShiftPattern.parse("06:00/18:00", "Europe/Berlin", 0)
    assert not never.reminder_due(window.end - timedelta(seconds=1))


@pytest.mark.parametrize("text, zone, reason", [
    ("", "", "at least one shift start"),
    ("6", "", "not a time like 06:00"),
    ("25:00", "", "not a time like 06:00"),
    ("06:00", "Mars/Olympus", "not a time zone"),
])
def test_bad_patterns_are_refused(text: str, zone: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        ShiftPattern.parse(text, zone)


def test_one_shift_a_day_and_the_json_round_trip() -> None:
    pattern = ShiftPattern.parse("07:30", "Europe/Berlin", 45)
    window = pattern.window_at(utc(2026, 10, 25, 3, 0))
    assert window.hours == 25  # the day the clocks go back
    assert ShiftPattern.from_json(pattern.to_json()) == pattern
