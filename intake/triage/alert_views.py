"""Staff pages about triage's on-call alerts and an inquiry's messages.

The paging itself is messaging's (:mod:`intake.messaging.alerts`); these pages show an alert
with its inquiry, and every message about an inquiry, so they live with the inquiry's domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from intake.auth.forms import ConfirmForm
from intake.auth.permissions import Permission, require_permission
from intake.core.i18n import page_language
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging import use_cases
from intake.messaging.compose import country_label
from intake.messaging.models import OPEN_ALERT_STATUSES, Alert
from intake.public.models import Inquiry
from intake.triage.alerting import messages_for_inquiry

bp = Blueprint("alerts", __name__)


@dataclass(frozen=True)
class AlertRow:
    """One line of the alert list: enough to act without opening the queue."""

    alert: Alert
    inquiry: Inquiry
    country: str
    age: str


def waiting_for(since: Any, now: Any) -> str:
    """How long ago ``since`` was, in words of the page's language ("12 minutes")."""
    elapsed = max(now - since, timedelta(0))
    return str(format_timedelta(elapsed, granularity="minute", threshold=1.0))


@bp.get("/staff/alerts/")
@require_permission(Permission.QUEUE_VIEW)
def alerts() -> str:
    now = utcnow()
    language = page_language()
    found = db.session.execute(
        select(Alert, Inquiry)
        .join(Inquiry, Inquiry.id == Alert.inquiry_id)
        .where(Alert.status.in_([status.value for status in OPEN_ALERT_STATUSES]))
        .order_by(Alert.priority, Alert.created_at)
        .limit(200)
    ).all()
    rows = [
        AlertRow(
            alert=alert_row,
            inquiry=inquiry,
            country=country_label(inquiry.country, language),
            age=waiting_for(inquiry.received_at, now),
        )
        for alert_row, inquiry in found
    ]
    return render_template("triage/alerts.html", rows=rows, confirm=ConfirmForm())


@bp.get("/staff/alerts/<int:alert_id>")
@require_permission(Permission.QUEUE_VIEW)
def alert(alert_id: int) -> str:
    row = db.session.get(Alert, alert_id)
    if row is None:
        abort(404)
    inquiry = db.session.get(Inquiry, row.inquiry_id)
    language = page_language()
    return render_template(
        "triage/alert.html",
        alert=row,
        inquiry=inquiry,
        country=country_label(inquiry.country, language) if inquiry else "-",
        age=waiting_for(inquiry.received_at, utcnow()) if inquiry else "",
        messages=messages_for_inquiry(row.inquiry_id),
        confirm=ConfirmForm(),
        open_statuses=[status.value for status in OPEN_ALERT_STATUSES],
    )


@bp.post("/staff/alerts/<int:alert_id>/acknowledge")
@require_permission(Permission.INQUIRY_CLAIM)
def acknowledge_alert(alert_id: int) -> Response:
    if db.session.get(Alert, alert_id) is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if use_cases.acknowledge_alert(alert_id, current_user.id):
        flash(_("Alert acknowledged: nobody else will be alerted for it."), "success")
    else:
        flash(_("This alert was already acknowledged or closed."), "info")
    return redirect(url_for("alerts.alert", alert_id=alert_id))


@bp.get("/staff/messages/inquiry/<int:inquiry_id>")
@require_permission(Permission.QUEUE_VIEW)
def inquiry_messages(inquiry_id: int) -> str:
    inquiry = db.session.get(Inquiry, inquiry_id)
    if inquiry is None:
        abort(404)
    return render_template(
        "triage/inquiry_messages.html",
        inquiry=inquiry,
        messages=messages_for_inquiry(inquiry_id),
    )
