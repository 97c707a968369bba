"""The clinician's pages under /staff/clinical/: the review queue, an episode's review, notes and
assessments (draft, sign, addenda). Views parse and render; :mod:`intake.clinical.use_cases`
commits. Every page needs ``clinical:record:read`` and checks the record's clinical field group,
so admissions staff get 403 and an audit row; every page that shows a person is audited.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from intake.audit.services import record_view
from intake.audit.tags import AuditTag
from intake.auth.access import FieldGroup
from intake.auth.models import User
from intake.auth.permissions import (
    Permission,
    deny,
    require_access,
    require_permission,
    require_permission_or_break_glass,
)
from intake.clinical import break_glass, rules, services, signing, use_cases
from intake.clinical.forms import (
    AddendumForm,
    AssessmentForm,
    DecisionForm,
    NoteForm,
    SignForm,
)
from intake.clinical.labels import (
    ASQ_LABELS,
    DECISION_LABELS,
    DIMENSION_LABELS,
    LEVEL_DECISION_LABELS,
    LEVEL_LABELS,
    PHQ9_BAND_LABELS,
    PROBLEM_MESSAGES,
    PROGRAMME_LABELS,
    ROUTE_LABELS,
    SAFETY_LABELS,
)
from intake.clinical.models import Assessment, ClinicalNote, ClinicalRecord
from intake.crm import queries as crm_queries
from intake.crm.labels import CLOSE_REASON_LABELS, STAGE_LABELS
from intake.crm.models import Episode
from intake.extensions import db, limiter
from intake.triage.services import current_result
from intake.vocabulary import AssessmentDimension, RecordKind, ReviewDecision, SafetyOutcome

bp = Blueprint("clinical", __name__, url_prefix="/staff/clinical")

READ = Permission.CLINICAL_READ
WRITE = Permission.CLINICAL_WRITE


@bp.context_processor
def _clinical_words() -> dict[str, Any]:
    return {
        "stage_labels": STAGE_LABELS,
        "close_reason_labels": CLOSE_REASON_LABELS,
        "decision_labels": DECISION_LABELS,
        "dimension_labels": DIMENSION_LABELS,
        "level_labels": LEVEL_LABELS,
        "level_decision_labels": LEVEL_DECISION_LABELS,
        "programme_labels": PROGRAMME_LABELS,
        "asq_labels": ASQ_LABELS,
        "safety_labels": SAFETY_LABELS,
        "route_labels": ROUTE_LABELS,
        "phq9_band_labels": PHQ9_BAND_LABELS,
        "problem_messages": PROBLEM_MESSAGES,
        "dimensions": list(AssessmentDimension),
        "ReviewDecision": ReviewDecision,
        "RecordKind": RecordKind,
        "FieldGroup": FieldGroup,
    }


def _signature_limit() -> str:
    # Signing re-checks a password: as rate-limited as signing in, so a session left open
    # cannot be used to guess the password.
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _names() -> dict[int, str]:
    return {user.id: user.display_name for user in db.session.scalars(db.select(User)).all()}


def _episode(episode_id: int) -> Episode:
    episode = db.session.get(Episode, episode_id)
    if episode is None:
        abort(404)
    require_access(episode.person, FieldGroup.CLINICAL)
    return episode


def _record(record_id: int) -> ClinicalRecord:
    record = db.session.get(ClinicalRecord, record_id)
    if record is None:
        abort(404)
    require_access(record, FieldGroup.CLINICAL)
    return record


def _audit_person(episode: Episode, **detail: Any) -> None:
    tag = AuditTag.PERSON_VIEWED
    if not current_user.can(READ):
        # Only a live break-glass grant lets a reader without clinical read this far: the row
        # says so, prominently, with the grant (the clinical lead reviews every use).
        grant = break_glass.live_grant(current_user.id, episode.person_id)
        tag = AuditTag.BREAK_GLASS_READ
        detail = {**detail, "grant_id": grant.id if grant else None, "prominent": True}
    record_view(
        tag,
        target_type="person",
        target_id=episode.person_id,
        detail={"page": request.endpoint or "", "episode": episode.id, **detail},
    )


def _flags_of(inquiry_ids: list[int]) -> list[Any]:
    flags = []
    for inquiry_id in inquiry_ids:
        result = current_result(inquiry_id)
        if result is not None:
            flags.extend(result.flags)
    return flags


# The review queue --------------------------------------------------------------------------


@bp.get("/review")
@require_permission(READ)
def queue() -> str:
    rows = services.review_queue()
    record_view(AuditTag.CLINICAL_QUEUE_VIEWED, detail={"results": len(rows)})
    shown = []
    for row in rows:
        inquiries = crm_queries.episode_inquiries(row.episode)
        ids = [inquiry.id for inquiry, _case in inquiries]
        shown.append(
            {
                "row": row,
                "inquiries": [inquiry for inquiry, _case in inquiries],
                "flags": _flags_of(ids),
                "attempts": crm_queries.contact_attempts(ids),
            }
        )
    return render_template("clinical/queue.html", rows=shown, names=_names())


def _render_review(
    episode: Episode, form: DecisionForm | None = None, status: int = 200
) -> tuple[str, int]:
    _audit_person(episode)
    inquiries = crm_queries.episode_inquiries(episode)
    ids = [inquiry.id for inquiry, _case in inquiries]
    return render_template(
        "clinical/review.html",
        episode=episode,
        person=episode.person,
        inquiries=inquiries,
        reference=inquiries[0][0].reference if inquiries else "",
        flags=_flags_of(ids),
        attempts=crm_queries.contact_attempts(ids),
        decisions=services.decisions_of(episode),
        records=services.records_of(episode),
        in_review=episode.closed_at is None and episode.stage in services.REVIEW_STAGES,
        form=form or DecisionForm(),
        names=_names(),
    ), status


@bp.get("/review/<int:episode_id>")
# An admin under a live break-glass grant for this person reads it (require_access).
@require_permission_or_break_glass(READ)
def review(episode_id: int) -> tuple[str, int]:
    return _render_review(_episode(episode_id))


@bp.post("/review/<int:episode_id>/decision")
@require_permission(READ, WRITE)
def decide(episode_id: int) -> Response | tuple[str, int]:
    episode = _episode(episode_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _render_review(episode, form, status=400)
    use_cases.decide(
        episode,
        form.decision.data or "",
        current_user.id,
        reason=form.reason.data,
        referred_to=form.referred_to.data,
        referral_note=form.referral_note.data,
    )
    flash(
        _("Decision recorded: %(decision)s.", decision=DECISION_LABELS[form.decision.data]),
        "success",
    )
    return redirect(url_for("clinical.review", episode_id=episode.id))


# Notes and assessments ---------------------------------------------------------------------


def _render_new(
    episode: Episode, kind: RecordKind, form: Any, status: int = 200
) -> tuple[str, int]:
    _audit_person(episode)
    return render_template(
        "clinical/new_record.html", episode=episode, kind=kind, form=form
    ), status


@bp.route("/episodes/<int:episode_id>/notes/new", methods=["GET", "POST"])
@require_permission(READ, WRITE)
def new_note(episode_id: int) -> Response | tuple[str, int]:
    episode = _episode(episode_id)
    form = NoteForm()
    if request.method == "GET":
        return _render_new(episode, RecordKind.NOTE, form)
    if not form.validate_on_submit():
        return _render_new(episode, RecordKind.NOTE, form, status=400)
    note = use_cases.start_note(episode, current_user.id, form.body.data)
    flash(_("Draft saved. Sign it when it is final."), "success")
    return redirect(url_for("clinical.record", record_id=note.id))


@bp.route("/episodes/<int:episode_id>/assessments/new", methods=["GET", "POST"])
@require_permission(READ, WRITE)
def new_assessment(episode_id: int) -> Response | tuple[str, int]:
    episode = _episode(episode_id)
    form = AssessmentForm()
    if request.method == "GET":
        return _render_new(episode, RecordKind.ASSESSMENT, form)
    if not form.validate_on_submit():
        return _render_new(episode, RecordKind.ASSESSMENT, form, status=400)
    assessment = use_cases.start_assessment(episode, current_user.id, form.to_raw())
    flash(_("Draft saved. Check the suggested level of care, then sign."), "success")
    return redirect(url_for("clinical.record", record_id=assessment.id))


def _render_record(
    record: ClinicalRecord,
    *,
    edit_form: Any = None,
    sign_form: SignForm | None = None,
    addendum_form: AddendumForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    _audit_person(record.episode, record=record.id)
    intact = signing.record_intact(record)
    if not intact:
        use_cases.note_tampering(record.id, record.kind)
    if edit_form is None and not record.is_signed:
        if isinstance(record, ClinicalNote):
            edit_form = NoteForm(data={"body": record.content.get("body", "")})
        else:
            edit_form = AssessmentForm.from_content(record.content)
    content = record.content
    return render_template(
        "clinical/record.html",
        record=record,
        episode=record.episode,
        content=content,
        is_assessment=isinstance(record, Assessment),
        intact=intact,
        addenda=[(addendum, signing.addendum_intact(addendum)) for addendum in record.addenda],
        versions=record.versions,
        safety_prompt=isinstance(record, Assessment)
        and rules.needs_safety_assessment(content)
        and content.get("safety_outcome") in ("", None, SafetyOutcome.NOT_NEEDED),
        sign_blockers=rules.sign_problems(content) if isinstance(record, Assessment) else [],
        table_note=services.level_table().note,
        edit_form=edit_form,
        sign_form=sign_form or SignForm(),
        addendum_form=addendum_form or AddendumForm(),
        names=_names(),
    ), status


@bp.route("/records/<int:record_id>", methods=["GET", "POST"])
# An admin under a live break-glass grant for this person reads it (require_access).
@require_permission_or_break_glass(READ)
def record(record_id: int) -> Response | tuple[str, int]:
    """A record; a POST saves a draft again. A signed record is refused by the service (a
    crafted POST gets the message and changes nothing).

    One rule for both methods: with two rules on one path, an id the converter refuses would
    answer 405 instead of 404."""
    if request.method == "GET":
        return _render_record(_record(record_id))
    if not current_user.can(WRITE):
        deny(WRITE)
    found = _record(record_id)
    form: Any = NoteForm() if isinstance(found, ClinicalNote) else AssessmentForm()
    if not form.validate_on_submit():
        return _render_record(found, edit_form=form, status=400)
    raw = {"body": form.body.data} if isinstance(form, NoteForm) else form.to_raw()
    use_cases.save_draft(found.id, current_user.id, raw)
    flash(_("Draft saved."), "success")
    return redirect(url_for("clinical.record", record_id=found.id))


@bp.post("/records/<int:record_id>/sign")
@limiter.limit(_signature_limit)
@require_permission(READ, WRITE)
def sign(record_id: int) -> Response | tuple[str, int]:
    found = _record(record_id)
    form = SignForm()
    if not form.validate_on_submit():
        return _render_record(found, sign_form=form, status=400)
    user = db.session.get(User, current_user.id)
    assert user is not None  # noqa: S101  (the signed-in user exists)
    use_cases.sign(found.id, user, form.secret.data)
    flash(_("Signed. The record can no longer change; corrections are addenda."), "success")
    return redirect(url_for("clinical.record", record_id=found.id))


@bp.post("/records/<int:record_id>/addenda")
@limiter.limit(_signature_limit)
@require_permission(READ, WRITE)
def add_addendum(record_id: int) -> Response | tuple[str, int]:
    found = _record(record_id)
    form = AddendumForm()
    if not form.validate_on_submit():
        return _render_record(found, addendum_form=form, status=400)
    user = db.session.get(User, current_user.id)
    assert user is not None  # noqa: S101
    use_cases.add_addendum(found.id, user, form.reason.data, form.body.data, form.secret.data)
    flash(_("Addendum added and signed."), "success")
    return redirect(url_for("clinical.record", record_id=found.id))


@bp.get("/records/<int:record_id>/versions/<int:number>")
# An admin under a live break-glass grant for this person reads it (require_access).
@require_permission_or_break_glass(READ)
def version(record_id: int, number: int) -> str:
    """One kept version of a record as it was saved, with its own hash checked."""
    found = _record(record_id)
    kept = next((v for v in found.versions if v.number == number), None)
    if kept is None:
        abort(404)
    _audit_person(found.episode, record=found.id, version=number)
    return render_template(
        "clinical/version.html",
        record=found,
        version=kept,
        intact=signing.content_hash(kept.content) == kept.content_hash,
        is_assessment=isinstance(found, Assessment),
        names=_names(),
    )
