"""Staff pages for messaging (the on-call rota, failed sends) and the public unsubscribe page.

The pages about a domain's subjects (an alert with its inquiry, an inquiry's messages) belong to
that domain (:mod:`intake.triage.alert_views`); this module reads no domain's tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
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
from intake.messaging.compose import TEMPLATE_LANGUAGES
from intake.messaging.deliveries import failed_deliveries
from intake.messaging.forms import ShiftForm
from intake.messaging.models import OnCallShift
from intake.messaging.oncall import local_to_utc, shift_at, shifts_from
from intake.messaging.registry import subject_link
from intake.messaging.relay import held_outbox_messages
from intake.messaging.unsubscribe import find_unsubscribe_token

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


# Failed sends --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Attention:
    """A delivery or an outbox row on the failed-sends page, with a link to what it is about
    (from the domain that registered the subject's kind; none when the subject is unknown)."""

    row: Any
    link: str | None


@bp.get("/staff/deliveries/failed")
@require_permission(Permission.DELIVERIES_VIEW_FAILED)
def failed() -> str:
    deliveries = [
        Attention(row, subject_link(row.subject_kind, row.subject_id))
        for row in failed_deliveries()
    ]
    return render_template(
        "messaging/failed.html",
        deliveries=deliveries,
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


@bp.post("/staff/outbox/<int:outbox_id>/retry")
@require_permission(Permission.DELIVERIES_VIEW_FAILED)
def retry_held_work(outbox_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if use_cases.retry_held_work(outbox_id, current_user.id):
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
