"""Contact clocks: how long until the first contact is due, and how urgent that looks.

Pure functions over stored timestamps, so a clock survives restarts and reads the same on every
screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intake.vocabulary import ClockState

# The clock turns amber when less than this share of the target time is left.
AMBER_SHARE = 1 / 3


@dataclass(frozen=True)
class Clock:
    state: ClockState
    seconds_left: int  # negative once breached; 0 when stopped


def clock_for(
    received_at: datetime, due_at: datetime, now: datetime, reached_at: datetime | None
) -> Clock:
    """The clock of one inquiry at ``now``."""
    if reached_at is not None:
        return Clock(ClockState.STOPPED, 0)
    left = int((due_at - now).total_seconds())
    if left < 0:
        return Clock(ClockState.RED, left)
    target = max((due_at - received_at).total_seconds(), 1)
    return Clock(ClockState.AMBER if left < target * AMBER_SHARE else ClockState.OK, left)


def describe_seconds(seconds: int) -> str:
    """``1h 05m`` style text for a number of seconds (sign dropped)."""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s"
