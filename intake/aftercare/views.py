"""Aftercare pages. Staff: the plan at discharge, a plan and its check-ins, a reply (audited),
the programme. The person, without signing in: the one-minute check-in and its options, from
the link in a message. The SMS gateway: the inbound webhook (signature checked).

Views parse and render; :mod:`intake.aftercare.use_cases` commits. A link that cannot be used,
an unknown number or word, a bad signature, a reply too long: a calm page or answer, never a 500,
and nothing recorded against anyone.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from typing import Any
from urllib.parse import parse_qs

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from intake.aftercare import queries, rules, use_cases
from intake.aftercare.errors import AftercareRefusedError
from intake.aftercare.forms import CHANNEL_LABELS, OptionsForm, PlanForm, ReplyForm
from intake.aftercare.models import AftercarePlan, CheckIn
from intake.aftercare.services import LinkState, PlanInput, ReplyResult
from intake.audit.services import record_view
from intake.audit.tags import AuditTag
from intake.auth.forms import ConfirmForm
from intake.auth.permissions import Permission, public, require_access, require_permission
from intake.clinical.consent_forms import STATE_LABELS as CONSENT_STATE_LABELS
from intake.clinical.consent_models import Consent
from intake.crm import queries as crm_queries
from intake.crm.models import Episode
from intake.extensions import csrf, db
from intake.helplines import help_for
from intake.messaging.compose import TEMPLATE_LANGUAGES
from intake.vocabulary import (
    DEFAULT_LANGUAGE,
    CheckInOutcome,
    PlanStatus,
    Priority,
    RequestChannel,
    SignatureMethod,
    Stage,
)

bp = Blueprint("aftercare", __name__, url_prefix="/staff/aftercare")
public_bp = Blueprint("aftercare_public", __name__)


def outcome_label(code: str | None) -> str:
    words = {
        CheckInOutcome.ANSWERED: _("answered"),
        CheckInOutcome.NEEDS_CALL: _("needs a call"),
        CheckInOutcome.ESCALATED: _("sent to triage"),
        CheckInOutcome.MISSED: _("missed"),
    }
    return str(words.get(code, "")) if code else ""  # type: ignore[call-overload]


@bp.app_template_global("aftercare_of")
def aftercare_of(person_id: int) -> list[AftercarePlan]:
    """The person's aftercare plans with their check-ins (for the person's page)."""
    return queries.plans_of(person_id)


@bp.app_template_global("aftercare_plannable")
def aftercare_plannable(episode: Episode) -> bool:
    """Whether the episode page offers an aftercare plan: discharged, open, none yet."""
    if episode.closed_at is not None or episode.stage not in (Stage.DISCHARGED, Stage.ALUMNI):
        return False
    return not queries.has_plan(episode.id)


@bp.app_template_global("aftercare_outcome")
def aftercare_outcome(code: str | None) -> str:
    return outcome_label(code)


# Staff: the plan -------------------------------------------------------------------------------
def _owner_choices() -> list[tuple[int, str]]:
    return [(user.id, user.display_name) for user in crm_queries.owners()]


def _plan_input(form: PlanForm) -> PlanInput:
    return PlanInput(
        owner_id=int(form.owner_id.data),
        lead_id=int(form.lead_id.data) or None,
        channel=str(form.channel.data),
        language=str(form.language.data),
        timezone=str(form.timezone.data).strip(),
        quiet_start=rules.parse_minute(form.quiet_start.data) or 0,
        quiet_end=rules.parse_minute(form.quiet_end.data) or 0,
        starts_on=form.starts_on.data or date.today(),
        supports=form.supports.data,
        consent_text=str(form.consent_text.data or ""),
        consent_signature=str(form.consent_signature.data or SignatureMethod.PAPER.value),
        consent_given_via=str(form.consent_given_via.data or RequestChannel.IN_PERSON.value),
    )


def _fill(form: PlanForm) -> PlanForm:
    form.owner_id.choices = _owner_choices()
    form.lead_id.choices = [(0, _("The clinic's default")), *_owner_choices()]
    return form


def _episode(episode_id: int) -> Episode:
    episode = db.session.get(Episode, episode_id)
    if episode is None:
        abort(404)
    require_access(episode.person)
    return episode


def _render_plan_form(form: PlanForm, episode: Episode, plan: AftercarePlan | None, status: int):
    return render_template(
        "aftercare/plan_form.html", form=form, episode=episode, plan=plan
    ), status


@bp.route("/episodes/<int:episode_id>/plan", methods=["GET", "POST"])
@require_permission(Permission.EPISODE_MOVE, Permission.PERSON_VIEW)
def new_plan(episode_id: int) -> Response | tuple[str, int]:
    episode = _episode(episode_id)
    form = _fill(PlanForm())
    if request.method == "GET":
        form.owner_id.data = episode.owner_id or current_user.id
        form.language.data = episode.person.language
        form.starts_on.data = date.today()
        return _render_plan_form(form, episode, None, 200)
    if not form.validate_on_submit():
        return _render_plan_form(form, episode, None, 422)
    try:
        plan = use_cases.open_plan(episode, _plan_input(form), current_user.id)
    except AftercareRefusedError as refused:
        target = getattr(form, refused.field, None) if refused.field else None
        if target is not None:
            target.errors = [str(refused.message)]
        else:
            flash(str(refused.message), "error")
        return _render_plan_form(form, episode, None, refused.status_code)
    flash(_("Aftercare plan saved. The first check-in is planned."), "success")
    return redirect(url_for("aftercare.plan", plan_id=plan.id))


def _plan(plan_id: int) -> AftercarePlan:
    plan = db.session.get(AftercarePlan, plan_id)
    if plan is None:
        abort(404)
    require_access(plan.person)
    return plan


@bp.get("/plans/<int:plan_id>")
@require_permission(Permission.EPISODE_VIEW, Permission.PERSON_VIEW)
def plan(plan_id: int) -> str:
    found = _plan(plan_id)
    record_view(
        AuditTag.PERSON_VIEWED,
        target_type="person",
        target_id=found.person_id,
        detail={"page": request.endpoint or "", "plan": found.id},
    )
    return render_template(
        "aftercare/plan.html",
        plan=found,
        quiet=f"{rules.minute_text(found.quiet_start)}-{rules.minute_text(found.quiet_end)}",
        channel_labels=CHANNEL_LABELS,
        confirm=ConfirmForm(),
        consent=db.session.get(Consent, found.consent_id) if found.consent_id else None,
        consent_states=CONSENT_STATE_LABELS,
    )


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@require_permission(Permission.EPISODE_MOVE, Permission.PERSON_VIEW)
def edit_plan(plan_id: int) -> Response | tuple[str, int]:
    found = _plan(plan_id)
    form = _fill(PlanForm())
    if request.method == "GET":
        form.owner_id.data = found.owner_id
        form.lead_id.data = found.lead_id or 0
        form.channel.data = found.channel
        form.language.data = found.language
        form.timezone.data = found.timezone
        form.quiet_start.data = rules.minute_text(found.quiet_start)
        form.quiet_end.data = rules.minute_text(found.quiet_end)
        form.starts_on.data = found.starts_on
        form.supports.data = found.supports
        form.consent_text.data = found.consent_text
        return _render_plan_form(form, found.episode, found, 200)
    if not form.validate_on_submit():
        return _render_plan_form(form, found.episode, found, 422)
    try:
        use_cases.edit_plan(found, _plan_input(form), current_user.id)
    except AftercareRefusedError as refused:
        target = getattr(form, refused.field, None) if refused.field else None
        if target is not None:
            target.errors = [str(refused.message)]
        else:
            flash(str(refused.message), "error")
        return _render_plan_form(form, found.episode, found, refused.status_code)
    flash(_("Plan changed."), "success")
    return redirect(url_for("aftercare.plan", plan_id=found.id))


@bp.post("/plans/<int:plan_id>/stop")
@require_permission(Permission.EPISODE_MOVE, Permission.PERSON_VIEW)
def stop_plan(plan_id: int) -> Response:
    found = _plan(plan_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    use_cases.stop_plan_by_staff(found, current_user.id)
    flash(_("Check-ins stopped."), "success")
    return redirect(url_for("aftercare.plan", plan_id=found.id))


@bp.get("/checkins/<int:checkin_id>")
@require_permission(Permission.EPISODE_VIEW, Permission.PERSON_VIEW)
def checkin(checkin_id: int) -> str:
    found = db.session.get(CheckIn, checkin_id)
    if found is None:
        abort(404)
    require_access(found.plan.person)
    record_view(
        AuditTag.AFTERCARE_REPLY_VIEWED,
        target_type="aftercare_checkin",
        target_id=found.id,
        detail={"person": found.plan.person_id},
    )
    return render_template(
        "aftercare/checkin.html", checkin=found, reply=queries.reply_of(found.id)
    )


@bp.get("/")
@require_permission(Permission.EPISODE_VIEW, Permission.PERSON_VIEW)
def programme() -> str:
    record_view(AuditTag.AFTERCARE_PROGRAMME_VIEWED, target_type="aftercare_programme")
    return render_template(
        "aftercare/programme.html",
        rows=queries.alumni_rows(),
        weeks=queries.weekly_counts(),
        rates=queries.response_rates(),
        channel_labels=CHANNEL_LABELS,
    )


# The person: the one-minute check-in -----------------------------------------------------------
_LANG = "<any({}):lang>".format(", ".join(TEMPLATE_LANGUAGES))
_STATE_STATUS = {LinkState.UNKNOWN: 404, LinkState.EXPIRED: 410, LinkState.USED: 200}


def _link_page(state: LinkState) -> tuple[str, int]:
    return render_template("aftercare/link.html", state=state.value), _STATE_STATUS.get(state, 200)


@public_bp.route(f"/{_LANG}/c/<token>", methods=["GET", "POST"])
@public
def answer(lang: str, token: str) -> tuple[str, int]:
    from intake.aftercare import services

    form = ReplyForm()
    if request.method == "GET":
        # A GET never changes anything: mail scanners open links.
        state, _link = services.find_link(token)
        db.session.rollback()
        if state != LinkState.OK:
            return _link_page(state)
        return render_template("aftercare/answer.html", form=form, token=token), 200
    if not form.validate_on_submit():
        state, _link = services.find_link(token)
        db.session.rollback()
        if state != LinkState.OK:
            return _link_page(state)
        return render_template("aftercare/answer.html", form=form, token=token), 422
    outcome = use_cases.answer(token, form.answers(), form.free_text.data)
    if isinstance(outcome, LinkState):
        return _link_page(outcome)
    return _thanks(outcome, lang)


def _thanks(result: ReplyResult, lang: str) -> tuple[str, int]:
    danger = result.priority == Priority.P0
    return (
        render_template(
            "aftercare/thanks.html",
            result=result,
            danger=danger,
            urgent=result.priority in (Priority.P0, Priority.P1),
            country_help=help_for(None, lang),
            call=result.outcome in (CheckInOutcome.NEEDS_CALL, CheckInOutcome.ESCALATED),
        ),
        200,
    )


@public_bp.route(f"/{_LANG}/c/<token>/options", methods=["GET", "POST"])
@public
def options(lang: str, token: str) -> tuple[str, int]:
    from intake.aftercare import services

    form = OptionsForm()
    state, _link = services.find_link(token)
    db.session.rollback()
    if not services.controls_allowed(state):
        return _link_page(state)
    if request.method == "GET" or not form.validate_on_submit():
        status = 200 if request.method == "GET" else 422
        return render_template("aftercare/options.html", form=form, token=token), status
    try:
        state, done = use_cases.control(token, str(form.action.data), form.channel.data)
    except AftercareRefusedError as refused:
        form.channel.errors = [str(refused.message)]
        return render_template("aftercare/options.html", form=form, token=token), 422
    if not done:
        return _link_page(state)
    return render_template("aftercare/options_done.html", done=done), 200


# The SMS gateway's inbound webhook -------------------------------------------------------------
SIGNATURE_HEADER = "X-Harbor-Signature"
SMS_BODY_MAX = 1600


def _signature_ok(raw: bytes) -> bool:
    secret = current_app.config.get("SMS_INBOUND_SECRET")
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not secret or not given:
        return False
    expected = hmac.new(str(secret).encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


def sms_reply_text(code: str, language: str) -> str:
    """The words sent back for an inbound SMS, in the person's (or English) language."""
    with force_locale(language if language in TEMPLATE_LANGUAGES else DEFAULT_LANGUAGE):
        texts = {
            "unknown_number": _(
                "Thank you for your message. We could not match this number, so nothing was "
                "recorded. If you need us, please call."
            ),
            "unknown_word": _(
                "Thank you. Please reply YES if you are doing OK, NO if not, or HELP if you "
                "would like a call."
            ),
            "no_checkin": _("Thank you. There is nothing to answer just now."),
            "stopped": _("Done. You will not get these messages any more."),
            CheckInOutcome.ANSWERED.value: _("Thank you. It is good to hear from you."),
        }
        return str(texts.get(code, _("Thank you. Someone from the team will call you today.")))


@public_bp.post("/hooks/sms/inbound")
@csrf.exempt
@public
def sms_inbound() -> tuple[Response, int]:
    raw = request.get_data(cache=True)
    if not _signature_ok(raw):
        return jsonify({"error": "bad signature"}), 403
    # The form is read from the very bytes that were signed.
    try:
        fields = parse_qs(raw.decode("utf-8", "replace"), max_num_fields=10)
    except ValueError:
        return jsonify({"error": "unreadable message"}), 400
    phone = str((fields.get("from") or [""])[0])[:32]
    body = str((fields.get("body") or [""])[0])[:SMS_BODY_MAX]
    code = use_cases.sms_reply(phone, body)
    language: str = DEFAULT_LANGUAGE
    if code not in ("unknown_number",):
        from intake.aftercare.services import plan_for_phone

        found = plan_for_phone(phone) or None
        language = found.language if found is not None else DEFAULT_LANGUAGE
        db.session.rollback()
    return jsonify({"reply": sms_reply_text(code, language), "status": code}), 200


def _statuses() -> dict[str, Any]:
    return {"PlanStatus": PlanStatus}


bp.app_context_processor(_statuses)
