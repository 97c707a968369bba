"""The aftercare schedule's pure rules: the adaptive gap, local send times across clock
changes, quiet hours, and the plans they refuse."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from intake.aftercare import rules
from intake.aftercare.rules import Defaults, QuietHours, ScheduleError

NIGHT = QuietHours(21 * 60, 9 * 60)


def test_gap_grows_a_month_after_no_need_up_to_quarterly_and_need_resets_it() -> None:
    gap = 0
    seen = []
    for need in (False, False, False, False, True, False):
        gap = rules.next_gap(gap, need, 3)
        seen.append(gap)
    assert seen == [1, 2, 3, 3, 1, 2]


def test_first_days_then_months_and_nothing_after_two_years() -> None:
    start = date(2027, 1, 31)
    defaults = Defaults()
    assert rules.first_dates(start, defaults) == [
        date(2027, 2, 1),
        date(2027, 2, 7),
        date(2027, 2, 14),
        date(2027, 3, 2),
    ]
    assert rules.add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert rules.following_date(date(2028, 12, 1), 3, False, start, defaults) is None


@pytest.mark.parametrize(
    ("zone", "day", "expected_local"),
    [
        # Spring forward: 02:30 does not exist in Zurich on 28 March 2027; one real time after.
        ("Europe/Zurich", date(2027, 3, 28), (3, 30)),
        # Fall back: 01:30 happens twice in New York on 7 November 2027; the first one.
        ("America/New_York", date(2027, 11, 7), (1, 30)),
    ],
)
def test_a_send_minute_on_a_clock_change_day_is_one_real_local_time(
    zone: str, day: date, expected_local: tuple[int, int]
) -> None:
    send_minute = 150 if zone == "Europe/Zurich" else 90
    instant = rules.send_instant(day, zone, QuietHours(0, 0), send_minute)
    local = instant.astimezone(ZoneInfo(zone))
    assert (local.hour, local.minute) == expected_local
    assert local.date() == day
    assert local.fold == 0


def test_quiet_hours_move_the_send_to_their_end_in_the_persons_zone() -> None:
    instant = rules.send_instant(
        date(2027, 6, 1), "Australia/Sydney", QuietHours(8 * 60, 12 * 60), 600
    )
    local = instant.astimezone(ZoneInfo("Australia/Sydney"))
    assert (local.date(), local.hour, local.minute) == (date(2027, 6, 1), 12, 0)
    late = datetime(2027, 6, 1, 22, 30, tzinfo=ZoneInfo("Europe/Zurich")).astimezone(UTC)
    moved = rules.next_allowed(late, "Europe/Zurich", NIGHT).astimezone(ZoneInfo("Europe/Zurich"))
    assert (moved.day, moved.hour, moved.minute) == (2, 9, 0)


@pytest.mark.parametrize(
    ("start", "quiet", "zone", "code"),
    [
        (date(2027, 1, 1), NIGHT, "Europe/Zurich", "start_in_past"),
        (date(2027, 1, 3), QuietHours(9 * 60, 8 * 60 + 30), "Europe/Zurich", "quiet_all_day"),
        (date(2027, 1, 3), NIGHT, "Mars/Olympus", "unknown_zone"),
        (date(2027, 1, 3), NIGHT, "../../etc/passwd", "unknown_zone"),
    ],
)
def test_plans_the_schedule_cannot_serve_are_refused(
    start: date, quiet: QuietHours, zone: str, code: str
) -> None:
    with pytest.raises(ScheduleError) as refused:
        rules.check_plan(start, date(2027, 1, 2), quiet, zone)
    assert refused.value.code == code
