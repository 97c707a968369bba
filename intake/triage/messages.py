"""The message kinds triage owns, registered with messaging when the app is built.

A P0/P1 inquiry opens an on-call alert (``staff_alert``, from its outbox row), whose waves are
deliveries of the same kind; a claimed P0 nobody reached pages again (``contact_overdue``).
Messaging knows none of this: it looks the kinds up in :mod:`intake.messaging.registry`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake.messaging.models import MessageKind
from intake.messaging.registry import KindSpec, SubjectMissing, register_kind

if TYPE_CHECKING:
    from flask import Flask


def open_alert_for(inquiry_id: int) -> None:
    """Open the alert for an inquiry's outbox row; the relay commits."""
    from intake.messaging.alerts import open_alert

    if open_alert(inquiry_id) is None:  # no triage case: the inquiry was deleted
        raise SubjectMissing(inquiry_id)


def init_app(_app: Flask) -> None:
    """Register triage's message kinds (once per process; registering again is harmless)."""
    from intake.messaging.compose import (
        alert_stop_reason,
        compose_alert,
        contact_overdue_stop_reason,
    )

    register_kind(
        KindSpec(
            name=MessageKind.STAFF_ALERT.value,
            handle_outbox=open_alert_for,
            compose=compose_alert,
            stop_reason=alert_stop_reason,
        )
    )
    register_kind(
        KindSpec(
            name=MessageKind.CONTACT_OVERDUE.value,
            compose=compose_alert,
            stop_reason=contact_overdue_stop_reason,
        )
    )
