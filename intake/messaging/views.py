"""Staff pages for messaging (the on-call rota, alerts, failed sends, an inquiry's messages)
and the public unsubscribe page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import format_timedelta, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from intake.auth.forms import ConfirmForm
from intake.auth.models import User
from intake.auth.permissions import Permission, public, require_permission
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging import use_cases
from intake.messaging.compose import TEMPLATE_LANGUAGES, country_label
from intake.messaging.deliveries import failed_deliveries, messages_for_inquiry
from intake.messaging.followups import find_unsubscribe_token
from intake.messaging.forms import ShiftForm
from intake.messaging.models import OPEN_ALERT_STATUSES, Alert, OnCallShift
from intake.messaging.oncall import local_to_utc, shift_at, shifts_from
from intake.messaging.relay import held_outbox_messages
from intake.public.models import Inquiry

bp = Blueprint("messaging", __name__)


def _timezone() -> str:
    return str(current_app.config["CLINIC_TIMEZONE"])


# The on-call rota ----------------------------------------------------------------------------
def _shift_form() -> ShiftForm:
    form = ShiftForm()
    people = db.session.scalars(
        select(User).where(User.active.is_(True)).order_by(User.display_name)
    ).all()
    choices = [(user.id, user.display_name) for user in people]
    form.user_id.choices = choices
    form.fallback_user_id.choices = [(0, _("Nobody")), *choices]
    return form


def _rota_page(form: ShiftForm, status: int = 200) -> tuple[str, int]:
    now = utcnow()
    return render_template(
        "messaging/oncall.html",
        form=form,
        confirm=ConfirmForm(),
        now_shift=shift_at(now),
        shifts=shifts_from(now),
        timezone=_timezone(),
    ), status


@bp.get("/staff/on-call/")
@require_permission(Permission.ONCALL_MANAGE)
def rota() -> tuple[str, int]:
    return _rota_page(_shift_form())


@bp.post("/staff/on-call/")
@require_permission(Permission.ONCALL_MANAGE)
def add_to_rota() -> tuple[str, int] | Response:
    form = _shift_form()
    if not form.validate_on_submit():
        return _rota_page(form, 400)
    user = db.session.get(User, form.user_id.data)
    fallback = (
        db.session.get(User, form.fallback_user_id.data) if form.fallback_user_id.data else None
    )
    if user is None or form.starts_at.data is None or form.ends_at.data is None:
        abort(400)
    starts = local_to_utc(form.starts_at.data, _timezone())
    ends = local_to_utc(form.ends_at.data, _timezone())
    use_cases.add_rota_shift(user, starts, ends, fallback)
    flash(_("Shift added."), "success")
    return redirect(url_for("messaging.rota"))


@bp.post("/staff/on-call/<int:shift_id>/remove")
@require_permission(Permission.ONCALL_MANAGE)
def remove_from_rota(shift_id: int) -> Response:
    shift = db.session.get(OnCallShift, shift_id)
    if shift is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    use_cases.remove_rota_shift(shift)
    flash(_("Shift removed."), "success")
    return redirect(url_for("messaging.rota"))


# Alerts --------------------------------------------------------------------------------------
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
    language = str(get_locale() or "en")
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
    return render_template("messaging/alerts.html", rows=rows, confirm=ConfirmForm())


@bp.get("/staff/alerts/<int:alert_id>")
@require_permission(Permission.QUEUE_VIEW)
def alert(alert_id: int) -> str:
    row = db.session.get(Alert, alert_id)
    if row is None:
        abort(404)
    inquiry = db.session.get(Inquiry, row.inquiry_id)
    language = str(get_locale() or "en")
    return render_template(
        "messaging/alert.html",
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
    return redirect(url_for("messaging.alert", alert_id=alert_id))


# Messages ------------------------------------------------------------------------------------
@bp.get("/staff/messages/inquiry/<int:inquiry_id>")
@require_permission(Permission.QUEUE_VIEW)
def inquiry_messages(inquiry_id: int) -> str:
    inquiry = db.session.get(Inquiry, inquiry_id)
    if inquiry is None:
        abort(404)
    return render_template(
        "messaging/inquiry_messages.html",
        inquiry=inquiry,
        messages=messages_for_inquiry(inquiry_id),
    )


@bp.get("/staff/deliveries/failed")
@require_permission(Permission.DELIVERIES_VIEW_FAILED)
def failed() -> str:
    return render_template(
        "messaging/failed.html",
        deliveries=failed_deliveries(),
        held=held_outbox_messages(),
        confirm=ConfirmForm(),
    )


@bp.post("/staff/deliveries/<int:delivery_id>/requeue")
@require_permission(Permission.DELIVERIES_VIEW_FAILED)
def requeue_failed(delivery_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if use_cases.requeue_failed_delivery(delivery_id, current_user.id):
        flash(_("Queued again."), "success")
    return redirect(url_for("messaging.failed"))


# Unsubscribing (public) ----------------------------------------------------------------------
@bp.route(
    "/<any({}):lang>/unsubscribe/<token>".format(", ".join(TEMPLATE_LANGUAGES)),
    methods=["GET", "POST"],
)
@public
def unsubscribe_page(lang: str, token: str) -> tuple[str, int]:
    # GET only shows a button: mail scanners open links, and that must not unsubscribe anyone.
    row = find_unsubscribe_token(token)
    if row is None:
        return render_template("messaging/unsubscribe.html", state="unknown"), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        use_cases.opt_out(row)
        return render_template("messaging/unsubscribe.html", state="done"), 200
    state = "done" if row.used_at is not None else "ask"
    return render_template("messaging/unsubscribe.html", state=state, form=form), 200
