"""The admissions worker's pages: the pipeline (list and board), an episode, a person, my day
and search. Views parse and render; :mod:`intake.crm.use_cases` commits. Every page that shows a
person's data writes its audit row first; every refusal is a message (flash and redirect, or
the form shown again with a 4xx), never a 500.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from intake.audit.services import record_view
from intake.audit.tags import AuditTag
from intake.auth.access import FieldGroup
from intake.auth.forms import ConfirmForm
from intake.auth.models import User
from intake.auth.permissions import Permission, require_access, require_permission
from intake.core.inputs import parse_date, parse_id
from intake.core.types import utcnow
from intake.crm import current_pipeline, queries, referrals, search, use_cases
from intake.crm.episodes import stage_spans
from intake.crm.errors import CrmRefusalError
from intake.crm.forms import (
    REFERRAL_CHANNEL_CHOICES,
    CaseMessageForm,
    CloseForm,
    MergeForm,
    MoveForm,
    NoteForm,
    OwnerForm,
    ReferrerForm,
    SourceForm,
    TaskForm,
)
from intake.crm.labels import (
    CASE_MESSAGE_CHANNEL_LABELS,
    CASE_MESSAGE_LABELS,
    CLOSE_REASON_LABELS,
    DISCLOSURE_LABELS,
    REFERRAL_CHANNEL_LABELS,
    REFERRER_KIND_LABELS,
    RELATIONSHIP_LABELS,
    STAGE_LABELS,
    TASK_KIND_LABELS,
)
from intake.crm.messages import WARNINGS as MESSAGE_WARNINGS
from intake.crm.messages import messages_of
from intake.crm.messages import refusal as message_refusal
from intake.crm.models import (
    Contact,
    DuplicateCandidate,
    Episode,
    Person,
    PersonMerge,
    Referrer,
    Task,
)
from intake.crm.notes import notes_for
from intake.crm.vocabulary import CLOSED, DuplicateReason, Stage
from intake.extensions import db
from intake.messaging.oncall import local_to_utc
from intake.triage.clock import describe_seconds
from intake.triage.forms import ContactAttemptForm
from intake.triage.use_cases import record_contact_attempt
from intake.vocabulary import CAMPAIGN_FIELDS, ContactChannel, Language, Priority

bp = Blueprint("crm", __name__, url_prefix="/staff/crm")


@bp.context_processor
def _crm_words() -> dict[str, Any]:
    return {
        "stage_labels": STAGE_LABELS,
        "close_reason_labels": CLOSE_REASON_LABELS,
        "task_kind_labels": TASK_KIND_LABELS,
        "relationship_labels": RELATIONSHIP_LABELS,
        "disclosure_labels": DISCLOSURE_LABELS,
        "duplicate_reason_labels": {
            DuplicateReason.EMAIL: _("same email"),
            DuplicateReason.PHONE: _("same phone"),
            DuplicateReason.NAME: _("similar name"),
        },
        "case_message_labels": CASE_MESSAGE_LABELS,
        "case_message_channel_labels": CASE_MESSAGE_CHANNEL_LABELS,
        "referral_channel_labels": REFERRAL_CHANNEL_LABELS,
        "referrer_kind_labels": REFERRER_KIND_LABELS,
        "campaign_fields": CAMPAIGN_FIELDS,
        "CLOSED": CLOSED,
        "FieldGroup": FieldGroup,
    }


def _timezone() -> str:
    return str(current_app.config["CLINIC_TIMEZONE"])


def _names() -> dict[int, str]:
    return {user.id: user.display_name for user in db.session.scalars(db.select(User)).all()}


def _refused(error: CrmRefusalError, target: str) -> Response:
    """A refusal as staff see it: the service's message, and back to the page."""
    flash(str(error.message), "error")
    return redirect(target)


def _act(action: Callable[[], object], back: str, done: Callable[[], str]) -> Response:
    """Run one staff action's use case and go back to the page: with ``done()`` said when it
    worked, or the service's refusal when it did not."""
    try:
        action()
    except CrmRefusalError as refused:
        return _refused(refused, back)
    flash(done(), "success")
    return redirect(back)


def _act_in_form(
    episode: Episode,
    action: Callable[[], object],
    shown: dict[str, Any],
    field: Any,
    done: str,
) -> Response | tuple[str, int]:
    """Run an episode form's use case: back to the episode with ``done`` said when it worked;
    when refused, the episode page again with the form as typed (``shown``, the
    ``_render_episode`` keyword naming it) and the refusal under ``field``."""
    try:
        action()
    except CrmRefusalError as refused:
        field.errors = [str(refused.message)]
        return _render_episode(episode, status=refused.status_code, **shown)
    flash(done, "success")
    return redirect(_back(episode))


# Pipeline --------------------------------------------------------------------------------


def _pipeline_filter() -> tuple[queries.PipelineFilter, list[str]]:
    """The filters from the query string; a value that cannot be used is left out, and said."""
    args = request.args
    problems: list[str] = []
    stage = args.get("stage") or None
    if stage and stage not in STAGE_LABELS:
        problems.append(_("There is no such stage; showing every stage."))
        stage = None
    priority = args.get("priority") or None
    if priority and priority not in Priority.codes():
        problems.append(_("There is no such priority; showing every priority."))
        priority = None
    language = args.get("language") or None
    if language and language not in Language.codes():
        language = None
    country = (args.get("country") or "").strip().upper()
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        problems.append(_("A country is two letters, like ES; showing every country."))
        country = ""
    since: date | None = None
    if args.get("since"):
        since = parse_date(args.get("since"))
        if since is None:
            problems.append(_("Opened since: use a date like 2026-01-31."))
    return (
        queries.PipelineFilter(
            stage=stage,
            owner_id=parse_id(args.get("owner")),
            priority=priority,
            country=country or None,
            language=language,
            since=since,
            closed=args.get("ended") == "1",
        ),
        problems,
    )


def _audit_list(view: str, count: int) -> None:
    record_view(AuditTag.EPISODES_VIEWED, detail={"page": view, "rows": count})


@bp.get("/pipeline")
@require_permission(Permission.EPISODE_VIEW, Permission.PERSON_VIEW)
def pipeline() -> str:
    filters, problems = _pipeline_filter()
    rows, next_before = queries.pipeline_page(filters, parse_id(request.args.get("before")))
    _audit_list("list", len(rows))
    for problem in problems:
        flash(problem, "warning")
    following = None
    if next_before:
        params: dict[str, Any] = {k: v for k, v in request.args.items() if k != "before"}
        following = url_for("crm.pipeline", **params, before=next_before)
    return render_template(
        "crm/pipeline.html",
        rows=rows,
        args=request.args,
        owners=queries.owners(),
        names=_names(),
        next_url=following,
        stages=current_pipeline().stages,
    )


@bp.get("/board")
@require_permission(Permission.EPISODE_VIEW, Permission.PERSON_VIEW)
def board() -> str:
    filters, problems = _pipeline_filter()
    columns = queries.board(filters)
    _audit_list("board", sum(len(column.rows) for column in columns))
    for problem in problems:
        flash(problem, "warning")
    return render_template(
        "crm/board.html",
        columns=columns,
        args=request.args,
        owners=queries.owners(),
        names=_names(),
        stages=current_pipeline().stages,
    )


# Episode ---------------------------------------------------------------------------------


def _episode(episode_id: int) -> Episode:
    episode = db.session.get(Episode, episode_id)
    if episode is None:
        abort(404)
    require_access(episode.person)
    return episode


def _owner_choices() -> list[tuple[int, str]]:
    return [(user.id, user.display_name) for user in queries.owners()]


def _allowed_moves(episode: Episode) -> list[str]:
    """The stages staff may move this episode to by hand: what the table allows from here,
    less the stages only an event reaches."""
    if episode.closed_at is not None:
        return []
    pipeline = current_pipeline()
    try:
        moves = pipeline.moves.get(Stage(episode.stage), frozenset())
    except ValueError:
        return []
    return [
        stage.value
        for stage in sorted(moves, key=pipeline.position)
        if stage not in pipeline.automatic
    ]


def _waits_for_contact(episode: Episode) -> bool:
    """Whether the next step is one only an event takes (a contact that reaches the person)."""
    pipeline = current_pipeline()
    try:
        moves = pipeline.moves.get(Stage(episode.stage), frozenset())
    except ValueError:
        return False
    return any(stage in pipeline.automatic for stage in moves)


@bp.app_template_filter("duration_text")
def duration_text(span: timedelta) -> str:
    """How long a stage lasted, in the queue's words ("2 h 05 min")."""
    return describe_seconds(max(int(span.total_seconds()), 0))


def _render_episode(
    episode: Episode,
    *,
    task_form: TaskForm | None = None,
    note_form: NoteForm | None = None,
    close_form: CloseForm | None = None,
    message_form: CaseMessageForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    person = episode.person
    record_view(
        AuditTag.PERSON_VIEWED,
        target_type="person",
        target_id=person.id,
        detail={"page": request.endpoint or "", "episode": episode.id},
    )
    inquiries = queries.episode_inquiries(episode)
    task_form = task_form or TaskForm()
    task_form.owner_id.choices = [(0, _("The episode's owner")), *_owner_choices()]
    owner_form = OwnerForm(data={"owner_id": episode.owner_id})
    owner_form.owner_id.choices = _owner_choices()
    allowed = _allowed_moves(episode)
    move_form = MoveForm()
    move_form.to_stage.choices = [(stage, STAGE_LABELS[stage]) for stage in allowed]
    closable = episode.closed_at is None and episode.stage in current_pipeline().closable
    choosable = referrals.active_referrers()
    close_form = close_form or CloseForm()
    close_form.referred_to_id.choices = _referrer_choices(choosable)
    chosen = referrals.episode_referral(episode)
    source_form = SourceForm(
        prefix=SOURCE_PREFIX,
        data={
            "channel": chosen.channel if chosen else "",
            "referrer_id": chosen.referrer_id if chosen and chosen.referrer_id else 0,
        },
    )
    source_form.channel.choices = REFERRAL_CHANNEL_CHOICES
    source_form.referrer_id.choices = _referrer_choices(
        choosable, chosen.referrer if chosen else None
    )
    return render_template(
        "crm/episode.html",
        episode=episode,
        person=person,
        reference=inquiries[0][0].reference if inquiries else "",
        inquiries=inquiries,
        attempts=queries.contact_attempts(inquiry.id for inquiry, _case in inquiries),
        spans=stage_spans(episode),
        now=utcnow(),
        allowed=allowed,
        waits_for_contact=_waits_for_contact(episode),
        closable=closable,
        tasks=queries.episode_tasks(episode),
        notes=notes_for(episode),
        names=_names(),
        move_form=move_form,
        close_form=close_form,
        owner_form=owner_form,
        message_form=message_form or _fresh_message_form(),
        message_warnings=_message_warnings(person),
        case_messages=messages_of(episode),
        sources=referrals.sources_of(episode),
        episode_referral=chosen,
        outbound=referrals.outbound_of(episode),
        source_form=source_form,
        task_form=task_form,
        note_form=note_form or NoteForm(),
        confirm=ConfirmForm(),
    ), status


@bp.get("/episodes/<int:episode_id>")
@require_permission(Permission.EPISODE_VIEW, Permission.PERSON_VIEW)
def episode(episode_id: int) -> tuple[str, int]:
    return _render_episode(_episode(episode_id))


def _back(episode: Episode) -> str:
    return url_for("crm.episode", episode_id=episode.id)


@bp.post("/episodes/<int:episode_id>/move")
@require_permission(Permission.EPISODE_MOVE)
def move(episode_id: int) -> Response:
    episode = _episode(episode_id)
    form = MoveForm()
    if not form.validate_on_submit():
        flash(_("Choose a stage from the list."), "error")
        return redirect(_back(episode))
    return _act(
        lambda: use_cases.move(episode, form.to_stage.data or "", current_user.id),
        _back(episode),
        lambda: _("Moved to %(stage)s.", stage=STAGE_LABELS[episode.stage]),
    )


@bp.post("/episodes/<int:episode_id>/close")
@require_permission(Permission.EPISODE_MOVE)
def close(episode_id: int) -> Response | tuple[str, int]:
    episode = _episode(episode_id)
    form = CloseForm()
    form.referred_to_id.choices = _referrer_choices(referrals.active_referrers())
    if not form.validate_on_submit():
        return _render_episode(episode, close_form=form, status=400)
    return _act_in_form(
        episode,
        lambda: use_cases.close(
            episode,
            form.reason.data or "",
            current_user.id,
            referred_to=form.referred_to.data,
            referral_note=form.referral_note.data,
            referred_to_id=form.referred_to_id.data or None,
        ),
        {"close_form": form},
        form.referred_to,
        _("The episode is closed."),
    )


@bp.post("/episodes/<int:episode_id>/owner")
@require_permission(Permission.EPISODE_MOVE)
def reassign(episode_id: int) -> Response:
    episode = _episode(episode_id)
    form = OwnerForm()
    form.owner_id.choices = _owner_choices()
    if not form.validate_on_submit():
        flash(_("Choose someone from the list."), "error")
        return redirect(_back(episode))
    owner_id = form.owner_id.data
    return _act(
        lambda: use_cases.reassign(episode, owner_id, current_user.id),
        _back(episode),
        lambda: _("Owner changed."),
    )


@bp.post("/episodes/<int:episode_id>/tasks")
@require_permission(Permission.EPISODE_MOVE)
def add_task(episode_id: int) -> Response | tuple[str, int]:
    episode = _episode(episode_id)
    form = TaskForm()
    form.owner_id.choices = [(0, ""), *_owner_choices()]
    if not form.validate_on_submit() or form.due_at.data is None:
        return _render_episode(episode, task_form=form, status=400)
    due_at = local_to_utc(form.due_at.data, _timezone())
    return _act_in_form(
        episode,
        lambda: use_cases.add_task(
            episode,
            form.kind.data or "",
            due_at,
            current_user.id,
            owner_id=form.owner_id.data or None,
            note=form.note.data,
        ),
        {"task_form": form},
        form.due_at,
        _("Task added."),
    )


@bp.post("/tasks/<int:task_id>/done")
@require_permission(Permission.EPISODE_MOVE)
def finish_task(task_id: int) -> Response:
    task = db.session.get(Task, task_id)
    if task is None:
        abort(404)
    require_access(task.episode.person)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    from_my_day = request.form.get("back") == "my_day"
    target = url_for("crm.my_day") if from_my_day else _back(task.episode)
    return _act(
        lambda: use_cases.finish_task(task, current_user.id), target, lambda: _("Task done.")
    )


@bp.post("/episodes/<int:episode_id>/notes")
@require_permission(Permission.EPISODE_MOVE)
def add_note(episode_id: int) -> Response | tuple[str, int]:
    episode = _episode(episode_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_episode(episode, note_form=form, status=400)
    return _act_in_form(
        episode,
        lambda: use_cases.add_note(episode, form.body.data or "", current_user.id),
        {"note_form": form},
        form.body,
        _("Note added."),
    )


# The source form shares the episode page with the message form (both have a "channel").
SOURCE_PREFIX = "source"


def _referrer_choices(
    choosable: list[Referrer], current: Referrer | None = None
) -> list[tuple[int, str]]:
    """The pick list: active referrers, and the one a record already names even when it has
    been deactivated since (saving the form must not drop it)."""
    choices = [(0, _("None")), *((referrer.id, referrer.display_name) for referrer in choosable)]
    if current is not None and not current.active:
        choices.append((current.id, _("%(name)s (inactive)", name=current.display_name)))
    return choices


def _fresh_message_form() -> CaseMessageForm:
    form = CaseMessageForm(formdata=None)
    # One key per form shown: sending it twice (a double-click, a resent POST) sends once.
    form.send_key.data = secrets.token_urlsafe(16)
    return form


def _message_warnings(person: Person) -> list[str]:
    """What would stop a message on each channel, said before staff try."""
    warnings = []
    for channel in CASE_MESSAGE_CHANNEL_LABELS:
        refused = message_refusal(person, channel)
        if refused is not None:
            warning = str(MESSAGE_WARNINGS.get(refused.code, refused.message))
            if warning not in warnings:
                warnings.append(warning)
    return warnings


@bp.post("/episodes/<int:episode_id>/messages")
@require_permission(Permission.EPISODE_VIEW, Permission.MESSAGE_SEND)
def send_message(episode_id: int) -> Response | tuple[str, int]:
    """Send the person a message from a template; the form's one-time key makes a second POST
    send nothing more."""
    episode = _episode(episode_id)
    require_access(episode.person, FieldGroup.CONTACT)
    form = CaseMessageForm()
    if not form.validate_on_submit():
        return _render_episode(episode, message_form=form, status=400)
    appointment_at = (
        local_to_utc(form.appointment_at.data, _timezone()) if form.appointment_at.data else None
    )
    try:
        message, sent_now = use_cases.send_message(
            episode,
            form.template.data or "",
            form.channel.data or "",
            current_user.id,
            form.send_key.data or "",
            appointment_at=appointment_at,
        )
    except CrmRefusalError as refused:
        form.template.errors = [str(refused.message)]
        return _render_episode(episode, message_form=form, status=refused.status_code)
    label = CASE_MESSAGE_LABELS.get(message.template, message.template)
    if sent_now:
        flash(_("Message queued for sending: %(message)s.", message=label), "success")
    else:
        flash(_("This message was already sent; it was not sent again."), "warning")
    return redirect(_back(episode))


@bp.post("/episodes/<int:episode_id>/source")
@require_permission(Permission.EPISODE_MOVE, Permission.REFERRER_VIEW)
def set_source(episode_id: int) -> Response:
    episode = _episode(episode_id)
    form = SourceForm(prefix=SOURCE_PREFIX)
    form.channel.choices = REFERRAL_CHANNEL_CHOICES
    chosen = referrals.episode_referral(episode)
    form.referrer_id.choices = _referrer_choices(
        referrals.active_referrers(), chosen.referrer if chosen else None
    )
    if not form.validate_on_submit():
        flash(_("Choose how they reached us and the referrer from the lists."), "error")
        return redirect(_back(episode))
    return _act(
        lambda: use_cases.set_source(
            episode, form.channel.data or None, form.referrer_id.data or None, current_user.id
        ),
        _back(episode),
        lambda: _("Source saved."),
    )


def _call_case(episode: Episode) -> Any:
    """The triage case a call is logged on: the episode's latest inquiry that has one."""
    cases = [case for _inquiry, case in queries.episode_inquiries(episode) if case is not None]
    return cases[-1] if cases else None


def _render_log_call(episode: Episode, form: ContactAttemptForm, status: int = 200) -> Any:
    record_view(
        AuditTag.PERSON_VIEWED,
        target_type="person",
        target_id=episode.person_id,
        detail={"page": request.endpoint or "", "episode": episode.id},
    )
    return render_template("crm/log_call.html", episode=episode, form=form), status


@bp.route("/episodes/<int:episode_id>/call", methods=["GET", "POST"])
@require_permission(Permission.EPISODE_MOVE, Permission.INQUIRY_CLAIM)
def log_call(episode_id: int) -> Any:
    """Log a call in two clicks: the episode's button opens this form already filled in (a phone
    call), and one submit logs it as a contact attempt on the episode's latest inquiry (the first
    that reaches the person stops the triage clock and moves the episode to "contacted")."""
    episode = _episode(episode_id)
    case = _call_case(episode)
    if case is None:
        flash(_("This episode has no inquiry to log a call on."), "error")
        return redirect(_back(episode))
    if request.method == "GET":
        form = ContactAttemptForm(data={"channel": ContactChannel.PHONE.value})
        return _render_log_call(episode, form)
    form = ContactAttemptForm()
    if not form.validate_on_submit():
        return _render_log_call(episode, form, status=400)
    record_contact_attempt(
        case, current_user.id, form.channel.data or "", form.outcome.data or "", form.note.data
    )
    flash(_("Call logged."), "success")
    return redirect(_back(episode))


# Person ----------------------------------------------------------------------------------


def _person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    require_access(person)
    return person


@bp.get("/people/<int:person_id>")
@require_permission(Permission.EPISODE_VIEW, Permission.PERSON_VIEW)
def person(person_id: int) -> str:
    person = _person(person_id)
    record_view(
        AuditTag.PERSON_VIEWED,
        target_type="person",
        target_id=person.id,
        detail={"page": request.endpoint or ""},
    )
    episodes = queries.person_episodes(person)
    contacts = db.session.scalars(
        db.select(Contact).where(Contact.person_id == person.id).order_by(Contact.id)
    ).all()
    return render_template(
        "crm/person.html",
        person=person,
        contacts=contacts,
        episodes=episodes,
        references=queries.episode_references(episode.id for episode in episodes),
        candidates=queries.duplicate_candidates(person),
        merges=queries.merges_of(person),
        names=_names(),
        merge_form=MergeForm(),
        confirm=ConfirmForm(),
    )


def _person_page(person_id: int) -> str:
    return url_for("crm.person", person_id=person_id)


@bp.post("/people/<int:person_id>/merge")
@require_permission(Permission.PERSON_MERGE)
def merge(person_id: int) -> Response:
    """Merge the record numbered in the form into this one."""
    person = _person(person_id)
    form = MergeForm()
    if not form.validate_on_submit():
        flash(_("Give the number of the record to merge into this one."), "error")
        return redirect(_person_page(person.id))
    other_id = parse_id(form.other.data)
    if other_id is None:
        flash(_("A record number is digits only, like 1234."), "error")
        return redirect(_person_page(person.id))
    other = db.session.get(Person, other_id)
    if other is not None:
        require_access(other)
    return _act(
        lambda: use_cases.merge_people(other_id, person.id, current_user.id),
        _person_page(person.id),
        lambda: _("Merged. The merge can be undone below."),
    )


@bp.post("/duplicates/<int:candidate_id>/not-same")
@require_permission(Permission.PERSON_MERGE)
def not_same(candidate_id: int) -> Response:
    candidate = db.session.get(DuplicateCandidate, candidate_id)
    if candidate is None:
        abort(404)
    require_access(candidate.person_low)
    back = parse_id(request.form.get("back")) or candidate.person_low_id
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _act(
        lambda: use_cases.not_the_same_person(candidate, current_user.id),
        _person_page(back),
        lambda: _("Marked as not the same person. They will not be proposed again."),
    )


@bp.post("/merges/<int:merge_id>/undo")
@require_permission(Permission.PERSON_MERGE)
def undo_merge(merge_id: int) -> Response:
    event = db.session.get(PersonMerge, merge_id)
    if event is None:
        abort(404)
    back = parse_id(request.form.get("back")) or event.target_person_id
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _act(
        lambda: use_cases.undo_merge(merge_id, current_user.id),
        _person_page(back),
        lambda: _("The merge is undone: both records are separate again."),
    )


# My day and search -----------------------------------------------------------------------


@bp.get("/my-day")
@require_permission(Permission.EPISODE_VIEW)
def my_day() -> str:
    now = utcnow()
    overdue, today = queries.my_day(current_user.id, now, _timezone())
    # Task rows show the kind, due time and the episode's reference; no personal data, so no
    # audit row: opening the episode is audited.
    return render_template(
        "crm/my_day.html",
        overdue=overdue,
        today=today,
        references=queries.episode_references(task.episode_id for task in overdue + today),
        confirm=ConfirmForm(),
    )


@bp.get("/search")
@require_permission(Permission.EPISODE_VIEW, Permission.PERSON_VIEW)
def search_people() -> tuple[str, int]:
    text = request.args.get("q", "")
    window = parse_id(request.args.get("days")) or search.DEFAULT_WINDOW
    result = search.search(text, utcnow(), window_days=window)
    if result.kind is not None:
        # What kind of search and how many found: never the words searched for.
        record_view(
            AuditTag.PEOPLE_SEARCHED,
            detail={"kind": result.kind.value, "results": len(result.people)},
        )
    status = 400 if result.refused is not None else 200
    return render_template(
        "crm/search.html",
        q=text[: search.QUERY_MAX],
        result=result,
        days=window if window in search.NAME_WINDOWS else search.DEFAULT_WINDOW,
        windows=search.NAME_WINDOWS,
    ), status


# Referrers -------------------------------------------------------------------------------


def _audit_referrers(page: str, count: int) -> None:
    # A professional's name is personal: reading the list or a page of it is audited.
    record_view(AuditTag.REFERRERS_VIEWED, detail={"page": page, "rows": count})


@bp.get("/referrers")
@require_permission(Permission.REFERRER_VIEW)
def referrers() -> str:
    every = referrals.referrer_rows(include_inactive=True)
    rows = [row for row in every if row.referrer.active]
    outbound = referrals.outbound_referrals()
    _audit_referrers("list", len(every))
    return render_template(
        "crm/referrers.html",
        rows=rows,
        inactive=[row for row in every if not row.referrer.active],
        outbound=outbound,
        references=queries.episode_references(item.episode_id for item in outbound),
        names=_names(),
    )


def _referrer(referrer_id: int) -> Referrer:
    referrer = db.session.get(Referrer, referrer_id)
    if referrer is None:
        abort(404)
    return referrer


@bp.get("/referrers/<int:referrer_id>")
@require_permission(Permission.REFERRER_VIEW, Permission.EPISODE_VIEW)
def referrer(referrer_id: int) -> str:
    item = _referrer(referrer_id)
    sent = referrals.sent_by(item)
    outbound = referrals.outbound_referrals(item)
    _audit_referrers("detail", 1)
    episode_ids = [row.episode.id for row in sent] + [row.episode_id for row in outbound]
    return render_template(
        "crm/referrer.html",
        referrer=item,
        confirm=ConfirmForm(),
        sent=sent,
        admitted=sum(1 for row in sent if row.admitted),
        outbound=outbound,
        references=queries.episode_references(episode_ids),
        names=_names(),
    )


def _render_referrer_form(
    form: ReferrerForm, item: Referrer | None, status: int = 200
) -> tuple[str, int]:
    return render_template("crm/referrer_form.html", form=form, referrer=item), status


@bp.route("/referrers/new", methods=["GET", "POST"])
@require_permission(Permission.REFERRER_MANAGE)
def new_referrer() -> Response | tuple[str, int]:
    form = ReferrerForm()
    if request.method == "GET":
        return _render_referrer_form(form, None)
    if not form.validate_on_submit():
        return _render_referrer_form(form, None, 400)
    try:
        item = use_cases.save_referrer(
            current_user.id,
            kind=form.kind.data or "",
            organisation=form.organisation.data,
            professional_name=form.professional_name.data,
            contact=form.contact.data,
        )
    except CrmRefusalError as refused:
        form.kind.errors = [str(refused.message)]
        return _render_referrer_form(form, None, refused.status_code)
    flash(_("Referrer added."), "success")
    return redirect(url_for("crm.referrer", referrer_id=item.id))


@bp.route("/referrers/<int:referrer_id>/edit", methods=["GET", "POST"])
@require_permission(Permission.REFERRER_MANAGE)
def edit_referrer(referrer_id: int) -> Response | tuple[str, int]:
    item = _referrer(referrer_id)
    if request.method == "GET":
        _audit_referrers("edit", 1)
        return _render_referrer_form(ReferrerForm(obj=item), item)
    form = ReferrerForm()
    if not form.validate_on_submit():
        return _render_referrer_form(form, item, 400)
    try:
        use_cases.save_referrer(
            current_user.id,
            kind=form.kind.data or "",
            organisation=form.organisation.data,
            professional_name=form.professional_name.data,
            contact=form.contact.data,
            referrer=item,
        )
    except CrmRefusalError as refused:
        form.kind.errors = [str(refused.message)]
        return _render_referrer_form(form, item, refused.status_code)
    flash(_("Referrer saved."), "success")
    return redirect(url_for("crm.referrer", referrer_id=item.id))


@bp.post("/referrers/<int:referrer_id>/active")
@require_permission(Permission.REFERRER_DEACTIVATE)
def set_referrer_active(referrer_id: int) -> Response:
    """Deactivate a referrer (off every pick list, its history and page kept) or reactivate it."""
    item = _referrer(referrer_id)
    back = url_for("crm.referrer", referrer_id=item.id)
    if not ConfirmForm().validate_on_submit():
        flash(_("This page was open for a long time. Please try again."), "error")
        return redirect(back)
    active = request.form.get("active") == "1"
    return _act(
        lambda: use_cases.set_referrer_active(item, active, current_user.id),
        back,
        lambda: (
            _("Referrer reactivated: it is on the pick lists again.")
            if active
            else _("Referrer deactivated: it is off the pick lists; its history is kept.")
        ),
    )


# The reports page and its export, and the page that takes down a phone call or a walk-in, live
# in their own modules, on this blueprint.
from intake.crm import report_views, taken_views  # noqa: E402, F401
