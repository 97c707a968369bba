"""The admissions team's contact hours (Mon-Sun 07:00-22:00 in the clinic's time zone).

Pure functions: given a UTC instant, say whether the team is answering and when it next opens.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import get_day_names, get_timezone_name

from intake.vocabulary import DEFAULT_LANGUAGE

OPENS = time(7, 0)
CLOSES = time(22, 0)


def is_open(now_utc: datetime, timezone: str, opens: time = OPENS, closes: time = CLOSES) -> bool:
    """True when ``now_utc`` falls inside contact hours in ``timezone``."""
    local = now_utc.astimezone(ZoneInfo(timezone))
    return opens <= local.time() < closes


def next_opening(
    now_utc: datetime, timezone: str, opens: time = OPENS, closes: time = CLOSES
) -> datetime:
    """The next moment contact hours begin (``now_utc`` itself when already open), in UTC."""
    zone = ZoneInfo(timezone)
    local = now_utc.astimezone(zone)
    if opens <= local.time() < closes:
        return now_utc
    day = local.date() if local.time() < opens else local.date() + timedelta(days=1)
    return datetime.combine(day, opens, tzinfo=zone).astimezone(now_utc.tzinfo)


def describe_hours(language: str | None, timezone: str, opens: str, closes: str) -> str:
    """Contact hours, every day, as a reader of ``language`` writes them.

    Day names and the zone's name come from Babel (CLDR), so no catalogue entry is needed:
    "Mon-Sun 07:00-22:00 (Central European Time)", "Mo.-So. 07:00-22:00 (Mitteleuropäische
    Zeit)". The zone's generic name is right in summer and in winter alike.
    """
    try:
        locale = Locale.parse(language or DEFAULT_LANGUAGE.value)
    except (ValueError, UnknownLocaleError):
        locale = Locale.parse(DEFAULT_LANGUAGE.value)
    days = get_day_names("abbreviated", locale=locale)
    zone = get_timezone_name(ZoneInfo(timezone), "long", locale=locale)
    return f"{days[0]}-{days[6]} {opens}-{closes} ({zone})"
