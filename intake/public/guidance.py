"""What a person must be shown after sending an inquiry, by priority and country.

The same guidance is rendered on the confirmation page and returned by the API, so a website
and the clinic's own form never disagree about what to tell someone in danger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from intake.helplines import CountryHelp, help_for
from intake.public.hours import is_open, next_opening
from intake.vocabulary import GuidanceLevel, Priority

LEVELS: dict[str, GuidanceLevel] = {
    Priority.P0: GuidanceLevel.EMERGENCY,
    Priority.P1: GuidanceLevel.URGENT,
    Priority.P2: GuidanceLevel.ROUTINE,
    Priority.P3: GuidanceLevel.ROUTINE,
}
# Flags after which the person is told not to stop benzodiazepines suddenly.
BENZO_FLAGS = frozenset(
    {
        "benzo_with_opioids",
        "benzo_with_alcohol",
        "mixing_sedatives",
        "abrupt_stop",
        "withdrawal_seizure_history",
        "withdrawal_delirium_history",
        "daily_benzo_use",
    }
)


@dataclass(frozen=True)
class Guidance:
    level: GuidanceLevel
    country_help: CountryHelp
    language: str
    message: str
    team_open_now: bool
    next_opening: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "emergency_number": self.country_help.emergency_number,
            "helplines": [
                {"name": line.name_in(self.language), "number": line.number, "hours": line.hours}
                for line in self.country_help.helplines
            ],
            "message": self.message,
        }


def _message(
    level: GuidanceLevel,
    open_now: bool,
    opening: datetime,
    timezone: str,
    language: str,
    benzo: bool,
) -> str:
    if level == GuidanceLevel.EMERGENCY:
        return _(
            "If you or someone else is in danger now, call the emergency number straight "
            "away. You can also call a crisis line at any hour. Our team has your message "
            "and will contact you as soon as possible."
        )
    if not open_now:  # only a closed team's message names when it is back
        when = format_datetime(opening, "EEEE HH:mm", tzinfo=ZoneInfo(timezone), locale=language)
    if level == GuidanceLevel.URGENT:
        taper = (
            " "
            + _("Please do not stop benzodiazepines suddenly: stopping at once can be dangerous.")
            if benzo
            else ""
        )
        if open_now:
            return (
                _(
                    "Thank you for telling us. A member of our team will contact you today. If "
                    "things get worse, call the emergency number or a crisis line now."
                )
                + taper
            )
        return (
            _(
                "Thank you for telling us. Our on-call team has your message and our "
                "admissions team is back on %(when)s. If things get worse, call the emergency "
                "number or a crisis line now.",
                when=when,
            )
            + taper
        )
    if open_now:
        return _("Thank you. Our team will reply within 24 hours, often much sooner.")
    return _(
        "Thank you. Our team is back on %(when)s (Central European Time) and will reply "
        "then. If you need to talk to someone now, the crisis lines below are open.",
        when=when,
    )


def build_guidance(
    priority: str,
    country: str | None,
    language: str,
    now: datetime,
    timezone: str,
    flag_codes: frozenset[str] = frozenset(),
) -> Guidance:
    """Guidance for an inquiry of ``priority`` from ``country``, in ``language``.

    ``flag_codes`` decide whether the benzodiazepine warning applies.
    """
    level = LEVELS.get(priority, GuidanceLevel.ROUTINE)
    open_now = is_open(now, timezone)
    opening = next_opening(now, timezone)
    benzo = bool(flag_codes & BENZO_FLAGS)
    if str(get_locale()) == language:
        # The request already speaks it (the API answers in the inquiry's language): forcing
        # the locale would only load the same translations again.
        message = _message(level, open_now, opening, timezone, language, benzo)
    else:
        with force_locale(language):
            message = _message(level, open_now, opening, timezone, language, benzo)
    return Guidance(
        level=level,
        country_help=help_for(country, language),
        language=language,
        message=message,
        team_open_now=open_now,
        next_opening=opening,
    )
