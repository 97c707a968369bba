"""The staff page for inquiries held as suspected automated: review, release, discard."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from intake.auth.forms import ConfirmForm
from intake.auth.permissions import Permission, deny, require_access, require_permission
from intake.public.services import HONEYPOT, TOKEN_INVALID, TOKEN_REUSED, TOO_FAST
from intake.triage import quarantine
from intake.vocabulary import URGENT_PRIORITIES

bp = Blueprint("quarantine", __name__, url_prefix="/staff/triage/quarantine")


@bp.after_request
def _never_cache(response: Response) -> Response:
    # The list shows people's own words.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@require_permission(Permission.QUEUE_VIEW, Permission.PERSON_VIEW)
def index() -> str:
    rows = quarantine.held_inquiries()
    quarantine.record_list_viewed(rows)
    return render_template(
        "triage/quarantine.html",
        rows=rows,
        confirm=ConfirmForm(),
        can_discard_urgent=current_user.can(Permission.PRIORITY_LOWER),
        urgent=URGENT_PRIORITIES,
        reason_labels=_reason_labels(),
    )


@bp.app_template_global("held_for_review")
def held_for_review(inquiry_id: int) -> list[str] | None:
    """The reasons (in words) an inquiry is held out of the queue, or None when it is not.

    The inquiry page uses it so whoever opens a held inquiry from an alert or a link knows it
    is not in the queue until someone releases it.
    """
    held = quarantine.held_entry(inquiry_id)
    if held is None:
        return None
    labels = _reason_labels()
    return [labels.get(code, code) for code in held.entry.reason_codes]


def _reason_labels() -> dict[str, str]:
    return {
        TOO_FAST: _("Sent within a few seconds of opening the form"),
        HONEYPOT: _("Filled in a hidden field that only automated programs see"),
        TOKEN_INVALID: _("The form's one-time token was missing, expired or forged"),
        TOKEN_REUSED: _("The form's one-time token had already carried another message"),
    }


def _held_or_404(inquiry_id: int) -> quarantine.HeldInquiry:
    held = quarantine.held_entry(inquiry_id)
    if held is None:
        abort(404)
    require_access(held.inquiry)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return held


@bp.post("/<int:inquiry_id>/release")
@require_permission(Permission.INQUIRY_CLAIM, Permission.PERSON_VIEW)
def release(inquiry_id: int) -> Response:
    held = _held_or_404(inquiry_id)
    reference = held.inquiry.reference
    try:
        quarantine.release(held, current_user.id)
    except quarantine.NotHeldError:
        flash(_("Someone else decided about this inquiry first."), "warning")
        return redirect(url_for("quarantine.index"))
    flash(_("%(reference)s is in the triage queue now.", reference=reference), "success")
    return redirect(url_for("quarantine.index"))


@bp.post("/<int:inquiry_id>/discard")
@require_permission(Permission.INQUIRY_CLAIM, Permission.PERSON_VIEW)
def discard(inquiry_id: int) -> Response:
    held = _held_or_404(inquiry_id)
    if held.case.priority in URGENT_PRIORITIES and not current_user.can(Permission.PRIORITY_LOWER):
        # Setting aside a message the rules read as danger is a clinician's decision.
        deny(Permission.PRIORITY_LOWER)
    reference = held.inquiry.reference
    try:
        quarantine.discard(held, current_user.id)
    except quarantine.NotHeldError:
        flash(_("Someone else decided about this inquiry first."), "warning")
        return redirect(url_for("quarantine.index"))
    flash(
        _("%(reference)s is set aside as automated. It is kept, not deleted.", reference=reference),
        "success",
    )
    return redirect(url_for("quarantine.index"))
