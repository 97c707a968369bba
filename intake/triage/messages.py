"""The message kinds triage owns, registered with messaging when the app is built.

A P0/P1 inquiry opens an on-call alert (``staff_alert``, from its outbox row), whose waves are
deliveries of the same kind; a claimed P0 nobody reached pages again (``contact_overdue``).
Triage's alert policy (:mod:`intake.triage.alerting`) tells the paging machinery when an alert
stops and what to watch after; triage also says where staff read about an alert or an inquiry
(the links on the failed-sends page). Messaging knows none of this: it looks all of it up in
:mod:`intake.messaging.registry`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import url_for

from intake.messaging.models import MessageKind
from intake.messaging.registry import (
    KindSpec,
    register_alert_policy,
    register_kind,
    register_subject,
)
from intake.triage import alerting

if TYPE_CHECKING:
    from flask import Flask


def init_app(_app: Flask) -> None:
    """Register triage's message kinds, alert policy and subject links (once per process;
    registering again is harmless)."""
    register_kind(
        KindSpec(
            name=MessageKind.STAFF_ALERT.value,
            handle_outbox=alerting.open_alert_for,
            compose=alerting.compose_alert,
            stop_reason=alerting.alert_stop_reason,
        )
    )
    register_kind(
        KindSpec(
            name=MessageKind.CONTACT_OVERDUE.value,
            compose=alerting.compose_alert,
            stop_reason=alerting.contact_overdue_stop_reason,
        )
    )
    register_alert_policy(alerting.POLICY)
    register_subject(
        alerting.INQUIRY_SUBJECT,
        lambda inquiry_id: url_for("alerts.inquiry_messages", inquiry_id=inquiry_id),
    )
    register_subject(
        alerting.ALERT_SUBJECT, lambda alert_id: url_for("alerts.alert", alert_id=alert_id)
    )
