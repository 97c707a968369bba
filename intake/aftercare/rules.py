"""The aftercare schedule as pure functions: no Flask, no database, no clock of its own.

A plan's check-ins fall on *local dates* in the person's time zone: day 1, 7, 14 and 30 after
discharge (the clinic's defaults), then monthly. After each later check-in the next gap is
decided by what that check-in showed: no need grows the gap by a month, up to the longest gap
(quarterly); need, or silence, resets it to a month. The schedule ends after two years.

Each local date becomes one instant to send at: the clinic's send minute (10:00) in the person's
zone, moved out of their quiet hours to the first allowed minute. Local times are made with
:mod:`zoneinfo`, so a date whose clocks change still gets one send, at a real local time:
a minute that does not exist (spring forward) is moved to the first minute after the gap,
a minute that happens twice (fall back) is taken the first time.

Quiet hours are a window of minutes of the day, ``[start, end)``, that may wrap midnight
(22:00-08:00); ``start == end`` means none. A window that leaves less than an hour a day is
refused: nothing could ever be sent.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MINUTES_A_DAY = 24 * 60
# The least time a day the person must be reachable, or the plan is refused.
MIN_ALLOWED_MINUTES = 60


@dataclass(frozen=True)
class Defaults:
    """The clinic's schedule: first days after discharge, the longest gap and how long."""

    first_days: tuple[int, ...] = (1, 7, 14, 30)
    max_gap_months: int = 3
    duration_months: int = 24
    send_minute: int = 10 * 60

    @classmethod
    def parse(
        cls, first_days: str, max_gap_months: int, duration_months: int, send_minute: int
    ) -> Defaults:
        """Defaults from settings text ("1,7,14,30"); junk and non-positive days are ignored."""
        days = sorted(
            {int(part) for part in first_days.replace(" ", "").split(",") if part.isdigit()}
        )
        return cls(
            first_days=tuple(day for day in days if day > 0) or cls.first_days,
            max_gap_months=max(1, max_gap_months),
            duration_months=max(1, duration_months),
            send_minute=min(max(0, send_minute), MINUTES_A_DAY - 1),
        )


@dataclass(frozen=True)
class QuietHours:
    """Minutes of the day, local time, when nothing is sent: ``[start, end)``, may wrap."""

    start: int = 21 * 60
    end: int = 9 * 60

    def covers(self, minute: int) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end

    @property
    def quiet_minutes(self) -> int:
        if self.start == self.end:
            return 0
        return (self.end - self.start) % MINUTES_A_DAY

    @property
    def allowed_minutes(self) -> int:
        return MINUTES_A_DAY - self.quiet_minutes


class ScheduleError(ValueError):
    """A plan the schedule cannot serve; ``code`` says why (the form shows a sentence)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; :class:`ScheduleError` ``unknown_zone`` otherwise."""
    try:
        if not name or len(name) > 64 or ".." in name or name.startswith("/"):
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError("unknown_zone") from None


def check_plan(start: date, today: date, quiet: QuietHours, zone_name: str) -> None:
    """Refuse a plan that starts in the past, an unknown zone, or quiet hours that leave no
    time to send (less than an hour a day)."""
    zone(zone_name)
    if start < today:
        raise ScheduleError("start_in_past")
    for minute in (quiet.start, quiet.end):
        if not 0 <= minute < MINUTES_A_DAY:
            raise ScheduleError("bad_quiet_hours")
    if quiet.allowed_minutes < MIN_ALLOWED_MINUTES:
        raise ScheduleError("quiet_all_day")


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months; the 31st becomes the month's last day when it has fewer."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_gap(previous_gap: int, showed_need: bool, max_gap: int) -> int:
    """The next gap in months: a month after need (or silence), one more month after a
    check-in that showed none, never more than ``max_gap``."""
    if showed_need:
        return 1
    return min(previous_gap + 1, max_gap)


def first_dates(start: date, defaults: Defaults) -> list[date]:
    """The local dates of the fixed first check-ins (day 1 is the day after discharge)."""
    return [start + timedelta(days=day) for day in defaults.first_days]


def end_date(start: date, defaults: Defaults) -> date:
    """The last local date a check-in may fall on."""
    return add_months(start, defaults.duration_months)


def following_date(
    previous: date, previous_gap: int, showed_need: bool, start: date, defaults: Defaults
) -> tuple[date, int] | None:
    """The date and gap of the check-in after one on ``previous``; None past two years."""
    gap = next_gap(previous_gap, showed_need, defaults.max_gap_months)
    due = add_months(previous, gap)
    if due > end_date(start, defaults):
        return None
    return due, gap


def _local(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The instant of ``minute`` on local ``day``; a minute skipped by a clock change becomes
    the first real minute after it."""
    wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz)  # fold=0
    instant = wall.astimezone(UTC)
    back = instant.astimezone(tz)
    if back.replace(tzinfo=None) != wall.replace(tzinfo=None):
        # Did not exist (spring forward): the same UTC instant reads later on the clock;
        # that reading is the first real minute after the gap.
        return back
    return wall


def send_instant(day: date, zone_name: str, quiet: QuietHours, send_minute: int) -> datetime:
    """When to send a check-in due on local ``day``: the send minute, or the first minute
    after the quiet hours when it falls inside them; as an aware UTC datetime."""
    tz = zone(zone_name)
    minute = send_minute
    if quiet.covers(minute):
        minute = quiet.end
        if quiet.start > quiet.end and send_minute >= quiet.start:
            day = day + timedelta(days=1)  # quiet until tomorrow morning
    local = _local(day, minute, tz)
    if quiet.covers(local.hour * 60 + local.minute):  # a clock change pushed it into quiet
        return next_allowed(local.astimezone(UTC), zone_name, quiet)
    return local.astimezone(UTC)


def next_allowed(instant: datetime, zone_name: str, quiet: QuietHours) -> datetime:
    """``instant`` if it is outside the quiet hours in the person's zone, else the first
    allowed minute after it (UTC)."""
    tz = zone(zone_name)
    local = instant.astimezone(tz)
    if not quiet.covers(local.hour * 60 + local.minute):
        return instant.astimezone(UTC)
    day = local.date()
    if quiet.start > quiet.end and local.hour * 60 + local.minute >= quiet.start:
        day = day + timedelta(days=1)
    candidate = _local(day, quiet.end, tz).astimezone(UTC)
    # A clock change may land the quiet end inside quiet time again; step by minutes (bounded).
    for _ in range(180):
        check = candidate.astimezone(tz)
        if not quiet.covers(check.hour * 60 + check.minute) and candidate >= instant:
            return candidate
        candidate += timedelta(minutes=1)
    return candidate


def is_quiet(instant: datetime, zone_name: str, quiet: QuietHours) -> bool:
    """Whether ``instant`` falls in the quiet hours in the person's zone."""
    local = instant.astimezone(zone(zone_name))
    return quiet.covers(local.hour * 60 + local.minute)


def reminder_instant(after: datetime, hours: int, zone_name: str, quiet: QuietHours) -> datetime:
    """``hours`` after ``after``, moved out of the quiet hours."""
    return next_allowed(after + timedelta(hours=hours), zone_name, quiet)


# Reading a reply ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Assessment:
    """What one reply shows: a call asked for, and whether it showed need at all."""

    wants_call: bool
    showed_need: bool


def assess(wants_call: bool, monitor_flags: Sequence[object], text_worrying: bool) -> Assessment:
    """A reply shows need when the person asks for a call, the monitor raised a flag, or the
    free text worried the triage rules."""
    return Assessment(
        wants_call=wants_call,
        showed_need=wants_call or bool(monitor_flags) or text_worrying,
    )


def parse_minute(text: str) -> int | None:
    """``"21:30"`` as minutes of the day, or None when it is not a time."""
    parts = (text or "").strip().split(":")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        return None
    hours, minutes = int(parts[0]), int(parts[1])
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        return None
    return hours * 60 + minutes


def minute_text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
