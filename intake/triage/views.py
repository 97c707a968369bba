"""The staff triage queue: the list, one inquiry, claiming, contact attempts, priority."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request
from flask import url_for as flask_url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from intake.auth.forms import ConfirmForm
from intake.auth.models import User
from intake.auth.permissions import Permission, deny, require_access, require_permission
from intake.core.i18n import page_language
from intake.core.inputs import parse_id
from intake.core.labels import label
from intake.core.templating import clinic_time, country_label, language_label
from intake.core.types import utcnow
from intake.extensions import db
from intake.helplines import LANGUAGE_DEFAULT_COUNTRY, help_for
from intake.public.models import Inquiry
from intake.triage import services, use_cases
from intake.triage.alerting import messages_for_inquiry
from intake.triage.clock import clock_for, describe_seconds
from intake.triage.forms import ContactAttemptForm, PriorityForm
from intake.triage.labels import CASE_STATUS_LABELS, PRIORITY_LABELS, flag_reason
from intake.triage.models import TriageCase
from intake.triage.viewing import TopFlag, record_inquiry_viewed, top_flags
from intake.vocabulary import ContactOutcome, Priority

bp = Blueprint("triage", __name__, url_prefix="/staff/triage")


def _filters() -> services.QueueFilter:
    args = request.args
    assignee = args.get("assignee", "")
    return services.QueueFilter(
        priority=args.get("priority") or None,
        status=args.get("status") or None,
        country=(args.get("country") or "").upper()[:2] or None,
        language=(args.get("language") or "")[:5] or None,
        assignee_id=parse_id(assignee),
        breached_only=args.get("breached") == "1",
    )


def _staff_names() -> dict[int, str]:
    return {user.id: user.display_name for user in db.session.scalars(select(User)).all()}


def _row(
    case: TriageCase, inquiry: Inquiry, names: dict[int, str], top_flag: TopFlag | None = None
) -> dict[str, Any]:
    """One queue row: no names, messages or contact details (opening the inquiry is audited).

    Codes travel with their words (``priority`` and ``priority_label``...): the polling script
    redraws rows from this, and must show what the server-rendered page shows. ISO times stay
    for the script's clocks; people read the ``*_text`` ones, in the clinic's time zone.
    """
    now = utcnow()
    clock = clock_for(case.received_at, case.due_at, now, case.reached_at)
    return {
        "id": inquiry.id,
        "reference": inquiry.reference,
        "priority": case.priority,
        "priority_label": label(case.priority, "priority"),
        "status": case.status,
        "status_label": label(case.status, "case_status"),
        "source_label": label(inquiry.source, "source"),
        "country": inquiry.country or "",
        "country_label": country_label(inquiry.country),
        "language": inquiry.language,
        "language_label": language_label(inquiry.language),
        "received_at": case.received_at.isoformat(),
        "received_text": clinic_time(case.received_at),
        "due_at": case.due_at.isoformat(),
        "due_text": clinic_time(case.due_at),
        "clock": clock.state.value,
        "seconds_left": clock.seconds_left,
        "clock_text": describe_seconds(clock.seconds_left),
        "waited_text": describe_seconds(int((now - case.received_at).total_seconds())),
        "assignee": names.get(case.assignee_id or 0, ""),
        # The rule's reason only: the evidence quotes the person and stays on the audited page.
        "top_flag": flag_reason(top_flag.reason) if top_flag else "",
        "url": _detail_url(inquiry.id),
    }


def _open_p0(now: datetime) -> list[Inquiry]:
    """The open P0 inquiries at the top of the queue: whichever page or filter is open, a new
    one anywhere still raises the banner."""
    urgent = services.queue(services.QueueFilter(priority=Priority.P0), now, limit=20)
    return [inquiry for _case, inquiry in urgent]


def _detail_url(inquiry_id: int) -> str:
    return flask_url_for("triage.detail", inquiry_id=inquiry_id)


def _rows(
    filters: services.QueueFilter, names: dict[int, str]
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of the queue (``after`` in the address continues it) and the inquiry id the next
    page starts after, or None on the last page."""
    after_id = parse_id(request.args.get("after"))
    after = services.queue_position(after_id) if after_id else None
    size = services.QUEUE_PAGE
    cases = services.queue(filters, utcnow(), limit=size + 1, after=after)
    following = cases[size - 1][1].id if len(cases) > size else None
    cases = cases[:size]
    flags = top_flags(inquiry.id for _case, inquiry in cases)
    rows = [_row(case, inquiry, names, flags.get(inquiry.id)) for case, inquiry in cases]
    return rows, following


def _status_choices() -> list[tuple[str, Any]]:
    """The queue's status filter: open cases (the default), each status, or all of them."""
    return [
        (services.STATUS_OPEN, _("Open")),
        *CASE_STATUS_LABELS,
        (services.STATUS_ALL, _("All")),
    ]


@bp.get("/")
@require_permission(Permission.QUEUE_VIEW)
def queue() -> str:
    filters = _filters()
    names = _staff_names()
    rows, following = _rows(filters, names)
    params: dict[str, Any] = {k: v for k, v in request.args.items() if k != "after"}
    return render_template(
        "triage/queue.html",
        rows=rows,
        filters=filters,
        staff=sorted(names.items(), key=lambda item: item[1]),
        statuses=_status_choices(),
        args=request.args,
        # Keyset links: the next 50 after the last row shown, and back to the top of the queue.
        next_url=flask_url_for("triage.queue", **params, after=following) if following else None,
        first_url=flask_url_for("triage.queue", **params) if request.args.get("after") else None,
        page_size=services.QUEUE_PAGE,
        total=services.queue_count(filters, utcnow()),
        open_p0_ids=[inquiry.id for inquiry in _open_p0(utcnow())],
    )


@bp.get("/queue.json")
@require_permission(Permission.QUEUE_VIEW)
def queue_json() -> Response:
    filters = _filters()
    rows, _following = _rows(filters, _staff_names())
    now = utcnow()
    total = services.queue_count(filters, now)
    alerts = [
        {"id": inquiry.id, "reference": inquiry.reference, "url": _detail_url(inquiry.id)}
        for inquiry in _open_p0(now)
    ]
    response = jsonify(now=now.isoformat(), cases=rows, total=total, p0=alerts)
    response.headers["Cache-Control"] = "no-store"
    return response


def _load(inquiry_id: int) -> tuple[Inquiry, TriageCase]:
    inquiry = db.session.get(Inquiry, inquiry_id)
    case = services.case_for(inquiry_id) if inquiry else None
    if inquiry is None or case is None:
        abort(404)
    require_access(inquiry)
    return inquiry, case


def _priority_choices(case: TriageCase) -> list[tuple[str, Any]]:
    """The priorities this user may pick: all for a clinician, only higher ones otherwise.

    The page offers only what the server will accept (the same permission the view checks), so
    nobody fills in a form that ends in a refusal.
    """
    if current_user.can(Permission.PRIORITY_LOWER):
        return list(PRIORITY_LABELS)
    return [
        (code, text) for code, text in PRIORITY_LABELS if services.is_lowering(code, case.priority)
    ]


def _case_help(inquiry: Inquiry) -> Any:
    """The emergency number and helplines of the person's country, in the staff page's language.

    Without a country, the inquiry's language points to one (a Spanish inquiry: Spain).
    """
    country = inquiry.country or LANGUAGE_DEFAULT_COUNTRY.get(inquiry.language, "")
    return help_for(country or "INT", page_language())


def _render_detail(
    inquiry: Inquiry,
    case: TriageCase,
    attempt_form: ContactAttemptForm | None = None,
    priority_form: PriorityForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The inquiry page, also when shown again with a form error: either way it is audited."""
    record_inquiry_viewed(inquiry, request.endpoint or "")
    names = _staff_names()
    result = services.current_result(inquiry.id)
    attempts = services.attempts_for(inquiry.id)
    if priority_form is None:
        priority_form = PriorityForm(data={"priority": case.priority})
    choices = _priority_choices(case)
    priority_form.priority.choices = choices
    offered = [code for code, _text in choices]
    if priority_form.priority.data not in offered:
        # The current priority, or when only raising is allowed, the next one up.
        priority_form.priority.data = (
            case.priority if case.priority in offered else (offered[-1] if offered else None)
        )
    if not current_user.can(Permission.PRIORITY_LOWER):
        priority_form.reason.label.text = _("Reason (optional)")
    reached_by = next(
        (attempt for attempt in attempts if attempt.outcome == ContactOutcome.REACHED), None
    )
    return render_template(
        "triage/detail.html",
        inquiry=inquiry,
        case=case,
        row=_row(case, inquiry, names),
        result=result,
        history=services.results_history(inquiry.id),
        attempts=attempts,
        reached_by=reached_by,
        names=names,
        country_help=_case_help(inquiry),
        attempt_form=attempt_form or ContactAttemptForm(),
        priority_form=priority_form,
        confirm=ConfirmForm(),
        can_lower=current_user.can(Permission.PRIORITY_LOWER),
        messages=messages_for_inquiry(inquiry.id),
    ), status


@bp.get("/<int:inquiry_id>")
@require_permission(Permission.QUEUE_VIEW, Permission.PERSON_VIEW)
def detail(inquiry_id: int) -> tuple[str, int]:
    inquiry, case = _load(inquiry_id)
    return _render_detail(inquiry, case)


@bp.post("/<int:inquiry_id>/claim")
@require_permission(Permission.INQUIRY_CLAIM)
def claim(inquiry_id: int) -> Response:
    _inquiry, case = _load(inquiry_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if use_cases.take_case(case, current_user.id):
        flash(_("You have this inquiry. Contact the person now."), "success")
    else:
        flash(_("Someone else claimed this inquiry first."), "warning")
    return redirect(flask_url_for("triage.detail", inquiry_id=inquiry_id))


@bp.post("/<int:inquiry_id>/attempts")
@require_permission(Permission.INQUIRY_CLAIM)
def contact_attempt(inquiry_id: int) -> Response | tuple[str, int]:
    inquiry, case = _load(inquiry_id)
    form = ContactAttemptForm()
    if not form.validate_on_submit():
        return _render_detail(inquiry, case, attempt_form=form, status=400)
    use_cases.record_contact_attempt(
        case, current_user.id, form.channel.data or "", form.outcome.data or "", form.note.data
    )
    if case.reached_at is not None:
        flash(_("Contact recorded. The clock has stopped."), "success")
    else:
        flash(_("Attempt recorded. The clock is still running."), "info")
    return redirect(flask_url_for("triage.detail", inquiry_id=inquiry_id))


@bp.post("/<int:inquiry_id>/priority")
@require_permission(Permission.PRIORITY_RAISE)
def change_priority(inquiry_id: int) -> Response | tuple[str, int]:
    inquiry, case = _load(inquiry_id)
    form = PriorityForm()
    if not form.validate_on_submit():
        return _render_detail(inquiry, case, priority_form=form, status=400)
    new_priority = form.priority.data or case.priority
    if new_priority == case.priority:
        flash(_("The priority is unchanged."), "info")
        return redirect(flask_url_for("triage.detail", inquiry_id=inquiry_id))
    try:
        use_cases.set_priority(case, new_priority, current_user.id, form.reason.data)
    except services.PriorityChangeRefusedError as refused:
        # The rule lives in the service; here it only becomes what the person sees.
        if refused.refusal is services.PriorityRefusal.NOT_A_CLINICIAN:
            deny(Permission.PRIORITY_LOWER)
        form.reason.errors = [_("Write why the priority can be lowered.")]
        return _render_detail(inquiry, case, priority_form=form, status=400)
    flash(
        _("Priority changed to %(priority)s.", priority=label(new_priority, "priority")), "success"
    )
    return redirect(flask_url_for("triage.detail", inquiry_id=inquiry_id))


@bp.app_template_global()
def triage_poll_seconds() -> int:
    return int(current_app.config.get("QUEUE_POLL_SECONDS", 5))
