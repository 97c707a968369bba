"""What the triage pages do, one transaction each.

:mod:`intake.triage.services` leaves committing to its caller (commands and other services
combine its functions). Each function here is the unit of work of one request: it calls them
and commits. Views call exactly one of these and never commit.
"""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from intake.extensions import db
from intake.triage import services
from intake.triage.models import ContactAttempt, TriageCase


def take_case(case: TriageCase, user_id: int) -> bool:
    """``user_id`` claims the case. Commits; False, with nothing stored, if someone was first.

    Of two simultaneous claims the second fails on its version check, at flush or commit.
    """
    try:
        services.claim(case, user_id)
        db.session.commit()
    except (services.ClaimConflictError, StaleDataError):
        db.session.rollback()
        return False
    return True


def record_contact_attempt(
    case: TriageCase, user_id: int, channel: str, outcome: str, note: str | None
) -> ContactAttempt:
    """Log one attempt to reach the person (the first that reaches them stops the clock).

    Commits.
    """
    attempt = services.log_contact_attempt(case, user_id, channel, outcome, note)
    db.session.commit()
    return attempt


def set_priority(case: TriageCase, new_priority: str, user_id: int, reason: str | None) -> None:
    """Set the case's priority by hand (the view has checked who may lower it). Commits."""
    services.change_priority(case, new_priority, user_id, reason)
    db.session.commit()
