"""Quiet hours: local wall clock, wrapping midnight, DST-proof end times."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.reminders import in_quiet_hours, quiet_hours_end


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "tz", "start", "end", "quiet"),
    [
        (utc(2026, 11, 25, 21, 59), "UTC", "22:00", "08:00", False),
        (utc(2026, 11, 25, 22, 0), "UTC", "22:00", "08:00", True),
        (utc(2026, 11, 26, 3, 0), "UTC", "22:00", "08:00", True),
        (utc(2026, 11, 26, 8, 0), "UTC", "22:00", "08:00", False),
        (utc(2026, 11, 25, 20, 30), "Europe/Sofia", "22:00", "08:00", True),  # 22:30 local
        (utc(2026, 11, 25, 20, 30), "America/New_York", "22:00", "08:00", False),  # 15:30
        (utc(2026, 11, 25, 1, 0), "UTC", "00:00", "08:00", True),
        (utc(2026, 11, 25, 23, 0), "UTC", "00:00", "08:00", False),
        (utc(2026, 11, 25, 23, 0), "UTC", "00:00", "00:00", False),  # off
    ],
)
def test_in_quiet_hours(moment: datetime, tz: str, start: str, end: str, quiet: bool) -> None:
    assert in_quiet_hours(moment, tz, start, end) is quiet


def test_end_is_next_local_morning() -> None:
    # 23:30 in Sofia (UTC+2) -> 08:00 Sofia next day = 06:00 UTC.
    assert quiet_hours_end(utc(2026, 11, 25, 21, 30), "Europe/Sofia", "08:00") == utc(
        2026, 11, 26, 6, 0
    )
    # 03:00 local -> 08:00 the same day.
    assert quiet_hours_end(utc(2026, 11, 26, 1, 0), "Europe/Sofia", "08:00") == utc(
        2026, 11, 26, 6, 0
    )


def test_end_across_dst_changes() -> None:
    # Sofia springs forward on 2027-03-28 (UTC+2 -> UTC+3): 08:00 local is 05:00 UTC.
    assert quiet_hours_end(utc(2027, 3, 27, 21, 0), "Europe/Sofia", "08:00") == utc(
        2027, 3, 28, 5, 0
    )
    # and falls back on 2026-10-25 (UTC+3 -> UTC+2): 08:00 local is 06:00 UTC.
    assert quiet_hours_end(utc(2026, 10, 24, 21, 0), "Europe/Sofia", "08:00") == utc(
        2026, 10, 25, 6, 0
    )


def test_end_inside_a_dst_gap_moves_to_the_first_real_instant() -> None:
    # New York skips 02:00-03:00 on 2027-03-14; an end at 02:30 becomes 03:30 EDT = 07:30 UTC.
    assert quiet_hours_end(utc(2027, 3, 14, 5, 0), "America/New_York", "02:30") == utc(
        2027, 3, 14, 7, 30
    )
