"""A phone call or a walk-in, taken down by a staff member: the inquiry form's fields as the
worker asks them, checked by the one validation every inquiry goes through
(:func:`intake.public.validation.validate_inquiry`) and stored by the same use case as the public
form and the API (:func:`intake.usecases.accept_inquiry.accept_taken_inquiry`).

A P0 shows the worker the emergency number and the caller's country's crisis lines at once, as
the public page shows them to a person who wrote. Nothing personal goes in a URL: the page after
the call names the inquiry by id.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField

from intake.auth.permissions import Permission, require_permission
from intake.core.i18n import page_language
from intake.core.inputs import parse_id
from intake.core.types import utcnow
from intake.crm import referrals
from intake.crm.errors import CrmRefusalError
from intake.crm.views import bp
from intake.extensions import db
from intake.helplines import help_for
from intake.public import options
from intake.public.consent import CONSENT_VERSION, consent_text_in
from intake.public.forms import payload_from_form
from intake.public.guidance import build_guidance
from intake.public.models import Inquiry
from intake.public.services import SubmissionConflictError, body_hash
from intake.public.validation import MESSAGE_MAX, validate_inquiry
from intake.usecases.accept_inquiry import accept_taken_inquiry, triage_of
from intake.vocabulary import TAKEN_BY_STAFF_SOURCES, InquirySource, Language

SOURCE_LABELS = {
    InquirySource.PHONE: _l("Phone call"),
    InquirySource.WALK_IN: _l("Walk-in"),
}
# The one-time key of a form shown: random URL-safe characters.
_FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

Errors = dict[str, list[LazyString | str]]


class TakenInquiryForm(FlaskForm):
    """The CSRF token and the form's one-time key; the answers are read as the public form's."""

    form_key = HiddenField()


def _form_key(posted: str | None) -> str:
    """The key the form was shown with (a resend of it stores nothing new), or a fresh one."""
    return posted if posted and _FORM_KEY.match(posted) else secrets.token_urlsafe(16)


def _values() -> dict[str, Any]:
    posted = request.form
    return {key: posted.getlist(key) if key == "substances" else posted[key] for key in posted}


def _render(
    values: dict[str, Any],
    errors: Errors,
    status: int = 200,
    notice: str | None = None,
    form_key: str | None = None,
) -> tuple[str, int]:
    form = TakenInquiryForm(formdata=None)
    form.form_key.data = form_key or secrets.token_urlsafe(16)
    language = values.get("language") or page_language()
    if language not in Language.codes():
        language = page_language()
    return render_template(
        "crm/take_inquiry.html",
        form=form,
        values=values,
        errors=errors,
        notice=notice,
        options=options,
        source_labels=SOURCE_LABELS,
        referrers=referrals.active_referrers(),
        consent=consent_text_in(language),
        consent_version=CONSENT_VERSION,
        caller_language=language,
        message_max=MESSAGE_MAX,
    ), status


def _staff_checks(values: dict[str, Any], email_given: bool) -> tuple[Errors, str, int | None]:
    """What only the staff form asks: the source, the referrer, the acknowledgement."""
    errors: Errors = {}
    source = str(values.get("source") or "")
    if source not in TAKEN_BY_STAFF_SOURCES:
        errors["source"] = [_l("Say whether they phoned or walked in.")]
    referrer_id = None
    raw_referrer = str(values.get("referrer_id") or "")
    if raw_referrer not in ("", "0"):
        referrer_id = parse_id(raw_referrer)
        if referrer_id not in {item.id for item in referrals.active_referrers()}:
            errors["referrer_id"] = [_l("Choose a referrer from the list.")]
            referrer_id = None
    if values.get("send_acknowledgement") == "y" and not email_given:
        errors["send_acknowledgement"] = [
            _l("The acknowledgement goes by email: write their email address, or untick it.")
        ]
    return errors, source, referrer_id


@bp.route("/inquiries/new", methods=["GET", "POST"])
@require_permission(Permission.INQUIRY_RECORD)
def take_inquiry() -> Response | tuple[str, int]:
    """Record a phone call or a walk-in through the same use case as the public form."""
    if request.method == "GET":
        chosen = request.args.get("source")
        return _render({"source": chosen} if chosen in TAKEN_BY_STAFF_SOURCES else {}, {})
    form = TakenInquiryForm()
    key = _form_key(form.form_key.data)
    if not form.validate_on_submit():
        notice = _("This page was open for a long time. Please check and send again.")
        return _render(_values(), {}, 400, notice, key)
    values = _values()
    language = str(values.get("language") or "")
    payload = payload_from_form(request.form, language)
    if not language:
        payload.pop("language")
    data, errors = validate_inquiry(payload)
    staff_errors, source, referrer_id = _staff_checks(values, bool(data and data.email))
    errors = {**errors, **staff_errors}
    if data is None or errors:
        return _render(values, errors, 400, form_key=key)
    try:
        accepted = accept_taken_inquiry(
            data,
            source=source,
            taken_by=current_user.id,
            form_key=key,
            payload_hash=body_hash({**payload, "source": source, "referrer_id": referrer_id}),
            acknowledge=values.get("send_acknowledgement") == "y",
            referrer_id=referrer_id,
        )
    except CrmRefusalError as refused:  # the referrer was deactivated since the form was shown
        return _render(values, {"referrer_id": [refused.message]}, refused.status_code, None, key)
    except SubmissionConflictError:
        notice = _(
            "This form was already sent with other answers, and that call is recorded. To "
            "record another one, check the answers below and send again."
        )
        return _render(values, {}, 409, notice)
    return redirect(url_for("crm.taken_inquiry", inquiry_id=accepted.inquiry.id))


@bp.get("/inquiries/<int:inquiry_id>/taken")
@require_permission(Permission.INQUIRY_RECORD, Permission.QUEUE_VIEW)
def taken_inquiry(inquiry_id: int) -> str:
    """What the worker sees after recording a call: its reference and priority, and for a P0 or
    P1 the emergency number and the caller's country's crisis lines, first."""
    inquiry = db.session.get(Inquiry, inquiry_id)
    triage = triage_of(inquiry_id) if inquiry is not None else None
    if inquiry is None or triage is None or inquiry.source not in TAKEN_BY_STAFF_SOURCES:
        abort(404)
    guidance = build_guidance(
        triage.priority,
        inquiry.country,
        page_language(),
        utcnow(),
        current_app.config["CLINIC_TIMEZONE"],
        triage.flag_codes,
    )
    return render_template(
        "crm/inquiry_taken.html",
        inquiry=inquiry,
        priority=triage.priority,
        guidance=guidance,
        country_help=help_for(inquiry.country, page_language()),
        source_labels=SOURCE_LABELS,
    )
