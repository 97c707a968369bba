"""Aftercare's units of work: opening and editing a plan, the sweep's three steps (send what is
due, remind, call it missed), a reply, the person's own controls and an SMS answer.

Nothing here commits: :mod:`intake.aftercare.use_cases` owns each transaction. The schedule's
arithmetic is in :mod:`intake.aftercare.rules` (pure); this module applies it to rows.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import selectinload

from intake.aftercare import rules
from intake.aftercare.errors import AftercareRefusedError
from intake.aftercare.models import AftercarePlan, CheckIn, CheckInLink, CheckInReply
from intake.aftercare.monitor import CHECKIN_SCREENS, FIELD, MONITOR_CODES
from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.auth.models import User
from intake.clinical.consent_models import Consent
from intake.clinical.consents import (
    ConsentInput,
    ConsentRefusalError,
    end_consent,
    record_consent,
)
from intake.core.types import utcnow
from intake.crm.errors import CrmRefusalError
from intake.crm.models import Episode, Person, Task
from intake.crm.services import phone_index
from intake.crm.tasks import create_task
from intake.extensions import db
from intake.messaging.claims import claim
from intake.messaging.deliveries import NewDelivery, add_deliveries, add_delivery
from intake.messaging.models import SENDABLE_STATUSES, Delivery
from intake.triage.rules import TriageOutcome
from intake.triage.rules.catalog import spec
from intake.triage.rules.engine import evaluate
from intake.usecases.accept_inquiry import reenter_triage
from intake.vocabulary import (
    DEFAULT_LANGUAGE,
    AftercareChannel,
    CheckInOutcome,
    CheckInStatus,
    ConsentEnd,
    ConsentPurpose,
    ConsentScope,
    DeliveryChannel,
    DeliveryStatus,
    ForWhom,
    Language,
    PlanStatus,
    RequestChannel,
    SignatureMethod,
    Stage,
    TaskKind,
)

log = logging.getLogger(__name__)

# What deliveries of aftercare are about (``subject_kind``).
CHECKIN_SUBJECT = "aftercare_checkin"
PLAN_SUBJECT = "aftercare_plan"
TASK_SUBJECT = "aftercare_task"
REMINDERS = 2
FREE_TEXT_MAX = 2000


class AftercareKind(StrEnum):
    """The message kinds aftercare registers (``intake.aftercare.messages``)."""

    CHECKIN = "aftercare_checkin"
    REMINDER = "aftercare_reminder"
    STOPPED = "aftercare_stopped"
    STAFF = "aftercare_staff"


# Settings --------------------------------------------------------------------------------------
def clinic_defaults() -> rules.Defaults:
    """The clinic's schedule from the settings (``AFTERCARE_*``)."""
    config = current_app.config
    return rules.Defaults.parse(
        str(config.get("AFTERCARE_FIRST_DAYS") or "1,7,14,30"),
        int(config.get("AFTERCARE_MAX_GAP_MONTHS") or 3),
        int(config.get("AFTERCARE_DURATION_MONTHS") or 24),
        int(config.get("AFTERCARE_SEND_MINUTE", 600)),
    )


def plan_defaults(plan: AftercarePlan) -> rules.Defaults:
    """The schedule the plan was made with (the clinic's defaults at the time)."""
    saved = plan.schedule or {}
    base = rules.Defaults()
    return rules.Defaults(
        first_days=tuple(saved.get("first_days") or base.first_days),
        max_gap_months=int(saved.get("max_gap_months") or base.max_gap_months),
        duration_months=int(saved.get("duration_months") or base.duration_months),
        send_minute=int(saved.get("send_minute", base.send_minute)),
    )


def quiet_of(plan: AftercarePlan) -> rules.QuietHours:
    return rules.QuietHours(plan.quiet_start, plan.quiet_end)


def reminder_hours() -> int:
    return max(1, int(current_app.config.get("AFTERCARE_REMINDER_HOURS") or 48))


def link_days() -> int:
    return max(1, int(current_app.config.get("AFTERCARE_LINK_DAYS") or 14))


# Plans -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanInput:
    """A plan as staff typed it (parsed by the form)."""

    owner_id: int
    lead_id: int | None
    channel: str
    language: str
    timezone: str
    quiet_start: int
    quiet_end: int
    starts_on: date
    supports: str | None
    consent_text: str
    # How the person signed and gave it, for the consent ledger (``SignatureMethod``,
    # ``RequestChannel``).
    consent_signature: str = SignatureMethod.PAPER.value
    consent_given_via: str = RequestChannel.IN_PERSON.value


SCHEDULE_REFUSALS = {
    "start_in_past": (_l("The first day cannot be in the past."), "starts_on"),
    "unknown_zone": (
        _l("Choose a time zone from the list (for example Europe/Zurich)."),
        "timezone",
    ),
    "bad_quiet_hours": (_l("Quiet hours must be times of day, like 21:00."), "quiet_start"),
    "quiet_all_day": (
        _l("The quiet hours leave no time to send anything. Leave at least an hour a day."),
        "quiet_start",
    ),
}


def _refuse_schedule(error: rules.ScheduleError) -> AftercareRefusedError:
    message, field = SCHEDULE_REFUSALS.get(error.code, (_l("This schedule cannot be used."), None))
    return AftercareRefusedError(error.code, message, field)


def _check_input(person: Person, data: PlanInput, today: date) -> None:
    if data.channel not in AftercareChannel.codes():
        raise AftercareRefusedError("bad_channel", _l("Choose email, SMS or WhatsApp."), "channel")
    if data.language not in Language.codes():
        raise AftercareRefusedError("bad_language", _l("Choose a language."), "language")
    if data.channel == AftercareChannel.EMAIL and not person.email:
        raise AftercareRefusedError(
            "no_email", _l("This person has no email address on record."), "channel"
        )
    if data.channel != AftercareChannel.EMAIL and not person.phone:
        raise AftercareRefusedError(
            "no_phone", _l("This person has no phone number on record."), "channel"
        )
    if not data.consent_text.strip():
        raise AftercareRefusedError(
            "no_consent",
            _l("Record the words the person agreed to before any check-in is planned."),
            "consent_text",
        )
    try:
        rules.check_plan(
            data.starts_on, today, rules.QuietHours(data.quiet_start, data.quiet_end), data.timezone
        )
    except rules.ScheduleError as error:
        raise _refuse_schedule(error) from None


def local_today(zone_name: str, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(rules.zone(zone_name)).date()


def open_plan(episode: Episode, data: PlanInput, actor_id: int | None) -> AftercarePlan:
    """Open the aftercare plan of a discharged episode with its first check-ins; audited.

    Raises :class:`AftercareRefusedError` (nothing added) for an episode that is not discharged,
    one that has a plan already, or a plan the schedule cannot serve.
    """
    if episode.closed_at is not None or episode.stage not in (Stage.DISCHARGED, Stage.ALUMNI):
        raise AftercareRefusedError(
            "not_discharged", _l("Aftercare is planned when an episode reaches discharge.")
        )
    if db.session.scalar(select(AftercarePlan.id).where(AftercarePlan.episode_id == episode.id)):
        raise AftercareRefusedError(
            "plan_exists", _l("This episode has an aftercare plan already.")
        )
    try:
        today = local_today(data.timezone)
    except rules.ScheduleError as error:
        raise _refuse_schedule(error) from None
    _check_input(episode.person, data, today)
    defaults = clinic_defaults()
    now = utcnow()
    plan = AftercarePlan(
        person_id=episode.person_id,
        episode_id=episode.id,
        owner_id=data.owner_id,
        lead_id=data.lead_id or _default_lead_id(),
        channel=data.channel,
        language=data.language,
        timezone=data.timezone,
        quiet_start=data.quiet_start,
        quiet_end=data.quiet_end,
        starts_on=data.starts_on,
        supports=(data.supports or "").strip() or None,
        consent_text=data.consent_text.strip()[:2000],
        consent_recorded_by_id=actor_id or data.owner_id,
        consent_recorded_at=now,
        status=PlanStatus.ACTIVE.value,
        schedule={
            "first_days": list(defaults.first_days),
            "max_gap_months": defaults.max_gap_months,
            "duration_months": defaults.duration_months,
            "send_minute": defaults.send_minute,
        },
        created_at=now,
        created_by_id=actor_id,
    )
    db.session.add(plan)
    consent = _record_consent(episode.person, data, defaults, actor_id or data.owner_id)
    db.session.flush()
    plan.consent_id = consent.id
    for slot, local in enumerate(rules.first_dates(data.starts_on, defaults)):
        _add_checkin(plan, slot, local, 0, defaults)
    record(
        AuditTag.AFTERCARE_PLAN_OPENED,
        target_type="aftercare_plan",
        target=plan,
        actor_id=actor_id,
        detail={"episode": episode.id, "channel": data.channel, "owner": data.owner_id},
    )
    return plan


def _record_consent(
    person: Person, data: PlanInput, defaults: rules.Defaults, actor_id: int
) -> Consent:
    """The plan's consent to be contacted after discharge, in the clinical consent ledger
    (purpose ``aftercare_contact``), in force for the plan's length; a stop from the person
    revokes it.

    The words the person agreed to are its information; the ledger's own checks apply (an
    unknown signature or channel is refused like any plan input)."""
    clinic = str(current_app.config["CLINIC_NAME"])
    name = person.name or staff_words(_l("Name not given"))
    starts = datetime.combine(data.starts_on, datetime.min.time(), tzinfo=UTC)
    try:
        return record_consent(
            person,
            ConsentInput(
                purpose=ConsentPurpose.AFTERCARE.value,
                scope=ConsentScope.ACKNOWLEDGE.value,
                information=data.consent_text.strip()[:2000],
                purpose_text=staff_words(
                    _l("Short check-in messages after discharge, and calls when they show need.")
                ),
                revocation_text=staff_words(
                    _l(
                        "Stop from any check-in message (the link, or STOP by text message), or "
                        "tell any member of staff."
                    )
                ),
                disclosing_party=clinic,
                recipient_name=clinic,
                patient_name=name,
                signature_method=data.consent_signature,
                signed_name=name,
                given_via=data.consent_given_via,
                explicit=True,
                starts_at=min(starts, utcnow()),
                expires_at=datetime.combine(
                    rules.add_months(data.starts_on, defaults.duration_months) + timedelta(days=1),
                    datetime.min.time(),
                    tzinfo=UTC,
                ),
                expiry_event=staff_words(_l("The end of the aftercare plan")),
            ),
            actor_id,
        )
    except ConsentRefusalError as refused:
        raise AftercareRefusedError(refused.code, refused.message, "consent_text") from None


def _withdraw_consent(plan: AftercarePlan, by: str, actor_id: int | None) -> None:
    """A stop withdraws the plan's consent in the ledger (once; an ended one stays as it is)."""
    consent = db.session.get(Consent, plan.consent_id) if plan.consent_id else None
    if consent is None or consent.ended_at is not None:
        return
    from_person = by == "person"
    end_consent(
        consent,
        ConsentEnd.REVOKED.value,
        None if from_person else actor_id,
        note=staff_words(
            _l("Stopped from an aftercare check-in message.")
            if from_person
            else _l("Aftercare plan stopped by staff.")
        ),
    )


def edit_plan(plan: AftercarePlan, data: PlanInput, actor_id: int | None) -> None:
    """Change a plan's owner, lead, channel, language, zone, quiet hours or supports; the
    check-ins not yet sent move to the new zone and hours. Audited (field names only)."""
    if plan.status == PlanStatus.STOPPED:
        raise AftercareRefusedError("plan_stopped", _l("This plan was stopped."))
    try:
        today = local_today(data.timezone)
    except rules.ScheduleError as error:
        raise _refuse_schedule(error) from None
    # The first day is not edited here; only the rest is checked against today.
    _check_input(plan.person, PlanInput(**{**data.__dict__, "starts_on": today}), today)
    changed = [
        name
        for name in (
            "owner_id",
            "lead_id",
            "channel",
            "language",
            "timezone",
            "quiet_start",
            "quiet_end",
            "supports",
        )
        if getattr(plan, name) != getattr(data, name)
    ]
    for name in changed:
        setattr(plan, name, getattr(data, name))
    if {"timezone", "quiet_start", "quiet_end"} & set(changed):
        _reschedule_waiting(plan)
    record(
        AuditTag.AFTERCARE_PLAN_CHANGED,
        target_type="aftercare_plan",
        target_id=plan.id,
        actor_id=actor_id,
        detail={"fields": ",".join(changed)},
    )


def _reschedule_waiting(plan: AftercarePlan) -> None:
    defaults = plan_defaults(plan)
    now = utcnow()
    for checkin in plan.checkins:
        if checkin.status == CheckInStatus.SCHEDULED:
            due = rules.send_instant(
                checkin.local_date, plan.timezone, quiet_of(plan), defaults.send_minute
            )
            checkin.due_at = max(due, rules.next_allowed(now, plan.timezone, quiet_of(plan)))


def _default_lead_id() -> int | None:
    email = current_app.config.get("AFTERCARE_LEAD_EMAIL")
    if not email:
        return None
    return db.session.scalar(select(User.id).where(User.email == str(email).lower()))


def lead_of(plan: AftercarePlan) -> int:
    """Who hears of two missed check-ins in a row: the plan's lead, the clinic's
    (``AFTERCARE_LEAD_EMAIL``), else the owner."""
    return plan.lead_id or _default_lead_id() or plan.owner_id


def _add_checkin(
    plan: AftercarePlan, slot: int, local: date, gap: int, defaults: rules.Defaults
) -> CheckIn:
    due = rules.send_instant(local, plan.timezone, quiet_of(plan), defaults.send_minute)
    checkin = CheckIn(
        plan_id=plan.id,
        slot=slot,
        local_date=local,
        gap_months=gap,
        due_at=due,
        status=CheckInStatus.SCHEDULED.value,
    )
    db.session.add(checkin)
    return checkin


def extend_schedule(checkin: CheckIn, showed_need: bool) -> CheckIn | None:
    """After the plan's last check-in is answered or missed, add the next one (the gap grows
    after no need, resets after need); None when the plan's two years are over or it stopped."""
    plan = checkin.plan
    if plan.status in (PlanStatus.STOPPED, PlanStatus.FINISHED):
        return None
    last = db.session.scalar(select(func.max(CheckIn.slot)).where(CheckIn.plan_id == plan.id))
    if last is None or checkin.slot != last:
        return None
    defaults = plan_defaults(plan)
    if checkin.slot < len(defaults.first_days) - 1:
        return None  # the first days are planned already
    following = rules.following_date(
        checkin.local_date, checkin.gap_months, showed_need, plan.starts_on, defaults
    )
    if following is None:
        plan.status = PlanStatus.FINISHED.value
        return None
    local, gap = following
    plan.current_gap_months = gap
    return _add_checkin(plan, checkin.slot + 1, local, gap, defaults)


# The sweep -------------------------------------------------------------------------------------
@dataclass
class SweepCounts:
    sent: int = 0
    reminded: int = 0
    missed: int = 0
    deferred: int = 0
    cancelled: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _load(ids: Sequence[int]) -> list[CheckIn]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(CheckIn)
            .where(CheckIn.id.in_(ids))
            .options(selectinload(CheckIn.plan))
            .order_by(CheckIn.id)
        ).all()
    )


def _key(checkin: CheckIn, what: str) -> str:
    return f"aftercare:{checkin.plan_id}:{checkin.slot}:{what}"


def _checkin_delivery(checkin: CheckIn, kind: AftercareKind, what: str) -> NewDelivery:
    """The delivery of a check-in or reminder, keyed by plan and slot (a second is impossible)."""
    plan = checkin.plan
    return NewDelivery(
        key=_key(checkin, what),
        kind=kind.value,
        channel=plan.channel,
        subject_kind=CHECKIN_SUBJECT,
        subject_id=checkin.id,
        recipient_person_id=plan.person_id,
        language=plan.language,
    )


def _plan_waits(plan: AftercarePlan, now: datetime) -> datetime | None:
    """When a paused plan may send again (None when it is not paused any more)."""
    if plan.status != PlanStatus.PAUSED:
        return None
    if plan.paused_until is not None and plan.paused_until > now:
        return plan.paused_until
    plan.status = PlanStatus.ACTIVE.value
    plan.paused_until = None
    return None


def send_due(now: datetime, limit: int, counts: SweepCounts) -> int:
    """Claim the check-ins that are due and add one delivery each (key per plan and slot);
    return how many rows were claimed (the sweep runs again while a batch comes back full).

    The deliveries are added together: one query for the keys that exist, one batched insert."""
    due = and_(CheckIn.status == CheckInStatus.SCHEDULED.value, CheckIn.due_at <= now)
    ids = claim(CheckIn, due, (CheckIn.due_at, CheckIn.id), limit, status=CheckInStatus.SENT.value)
    hours = reminder_hours()
    sends: list[NewDelivery] = []
    # No autoflush: the key lookup would otherwise flush every row changed so far.
    with db.session.no_autoflush:
        for checkin in _load(ids):
            plan = checkin.plan
            if plan.status in (PlanStatus.STOPPED, PlanStatus.FINISHED):
                checkin.status = CheckInStatus.CANCELLED.value
                counts.cancelled += 1
                continue
            resume = _plan_waits(plan, now)
            quiet = quiet_of(plan)
            if resume is not None or rules.is_quiet(now, plan.timezone, quiet):
                # Paused, or the sweep is late and it is night for the person: not now.
                later = rules.next_allowed(max(now, resume or now), plan.timezone, quiet)
                checkin.status, checkin.due_at = CheckInStatus.SCHEDULED.value, later
                counts.deferred += 1
                continue
            checkin.sent_at = now
            checkin.next_action_at = rules.reminder_instant(now, hours, plan.timezone, quiet)
            sends.append(_checkin_delivery(checkin, AftercareKind.CHECKIN, "checkin"))
            counts.sent += 1
        add_deliveries(sends)
    return len(ids)


def remind(now: datetime, limit: int, counts: SweepCounts) -> int:
    """Send the first and second reminder of a check-in nobody answered; return how many rows
    were claimed."""
    due = and_(
        CheckIn.status == CheckInStatus.SENT.value,
        CheckIn.reminders_sent < REMINDERS,
        CheckIn.next_action_at <= now,
    )
    ids = claim(
        CheckIn,
        due,
        (CheckIn.next_action_at, CheckIn.id),
        limit,
        reminders_sent=CheckIn.reminders_sent + 1,
        next_action_at=None,
    )
    hours = reminder_hours()
    sends: list[NewDelivery] = []
    # No autoflush: the key lookup would otherwise flush every row changed so far.
    with db.session.no_autoflush:
        for checkin in _load(ids):
            plan = checkin.plan
            quiet = quiet_of(plan)
            if plan.status != PlanStatus.ACTIVE or _plan_waits(plan, now) is not None:
                # Stopped, finished, or the person asked for a break: stop chasing this one,
                # without a task.
                checkin.status = CheckInStatus.CANCELLED.value
                counts.cancelled += 1
                continue
            if rules.is_quiet(now, plan.timezone, quiet):
                checkin.reminders_sent -= 1
                checkin.next_action_at = rules.next_allowed(now, plan.timezone, quiet)
                counts.deferred += 1
                continue
            sends.append(
                _checkin_delivery(
                    checkin, AftercareKind.REMINDER, f"reminder{checkin.reminders_sent}"
                )
            )
            checkin.next_action_at = rules.reminder_instant(now, hours, plan.timezone, quiet)
            counts.reminded += 1
        add_deliveries(sends)
    return len(ids)


def call_missed(now: datetime, limit: int, counts: SweepCounts) -> int:
    """Silence after two reminders: the check-in is missed, the owner gets a follow-up task,
    and a second miss in a row goes to the owner's lead too. Returns how many rows were
    claimed."""
    due = and_(
        CheckIn.status == CheckInStatus.SENT.value,
        CheckIn.reminders_sent >= REMINDERS,
        CheckIn.next_action_at <= now,
    )
    ids = claim(
        CheckIn,
        due,
        (CheckIn.next_action_at, CheckIn.id),
        limit,
        status=CheckInStatus.MISSED.value,
        outcome=CheckInOutcome.MISSED.value,
        next_action_at=None,
    )
    # No autoflush: each delivery key lookup would otherwise flush every row changed so far.
    with db.session.no_autoflush:
        for checkin in _load(ids):
            plan = checkin.plan
            plan.missed_in_row += 1
            task = _task(
                plan,
                TaskKind.FOLLOW_UP,
                plan.owner_id,
                _l("Aftercare: no answer after two reminders."),
            )
            if task is not None:
                checkin.task_id = task.id
                _notify_staff(plan.owner_id, f"aftercare:{checkin.id}:missed:owner")
            if plan.missed_in_row >= 2:
                lead = lead_of(plan)
                _task(plan, TaskKind.CALL, lead, _l("Aftercare: two check-ins missed in a row."))
                _notify_staff(lead, f"aftercare:{checkin.id}:missed:lead")
            record(
                AuditTag.AFTERCARE_CHECKIN_MISSED,
                target_type="aftercare_checkin",
                target_id=checkin.id,
                detail={"plan": plan.id, "in_row": plan.missed_in_row},
            )
            extend_schedule(checkin, showed_need=True)
            counts.missed += 1
    return len(ids)


def _task(plan: AftercarePlan, kind: TaskKind, owner_id: int, note: Any) -> Task | None:
    """A task on the plan's episode; None when the CRM refuses it (the episode was closed)."""
    try:
        task = create_task(
            plan.episode, kind.value, utcnow(), None, owner_id=owner_id, note=staff_words(note)
        )
    except CrmRefusalError as refused:
        log.warning("aftercare task refused plan=%s code=%s", plan.id, refused.code)
        return None
    db.session.flush()
    return task


def staff_words(text: Any) -> str:
    """A lazy string in the staff's language (``ALERT_LANGUAGE``), stored as text: the worker
    and the public pages have no staff request to read a language from."""
    with force_locale(str(current_app.config.get("ALERT_LANGUAGE") or DEFAULT_LANGUAGE)):
        return str(text)


def _notify_staff(user_id: int, key: str) -> None:
    """Tell a staff member a task waits for them: no name, no answer, just a link."""
    add_delivery(
        key=key[:120],
        kind=AftercareKind.STAFF.value,
        channel=DeliveryChannel.EMAIL.value,
        subject_kind=TASK_SUBJECT,
        subject_id=None,
        recipient_user_id=user_id,
        language=_language_of(user_id),
    )


def _language_of(user_id: int) -> str:
    """The staff member's own language (``users.language``); the notice is written in it."""
    language = db.session.scalar(select(User.language).where(User.id == user_id))
    return str(language or current_app.config.get("ALERT_LANGUAGE") or DEFAULT_LANGUAGE)


# Links -----------------------------------------------------------------------------------------
def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_link(checkin_id: int) -> tuple[str, CheckInLink]:
    """A random link token for a check-in message and its row (hash only), stored by the
    sender with the send's outcome."""
    token = secrets.token_urlsafe(24)
    now = utcnow()
    row = CheckInLink(
        token_hash=hash_token(token),
        checkin_id=checkin_id,
        created_at=now,
        expires_at=now + timedelta(days=link_days()),
    )
    return token, row


class LinkState(StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


def find_link(token: str) -> tuple[LinkState, CheckInLink | None]:
    """What a link token opens: the link if it can still be answered, else why not. A
    tampered or foreign token is simply unknown: nothing says whose it might have been."""
    if not token or len(token) > 64:
        return LinkState.UNKNOWN, None
    link = db.session.scalar(select(CheckInLink).where(CheckInLink.token_hash == hash_token(token)))
    if link is None:
        return LinkState.UNKNOWN, None
    if link.used_at is not None or link.checkin.answered_at is not None:
        return LinkState.USED, link
    if link.expires_at <= utcnow():
        return LinkState.EXPIRED, link
    return LinkState.OK, link


def controls_allowed(state: LinkState) -> bool:
    """Pausing, changing channel and stopping work from any link not expired, used or not."""
    return state in (LinkState.OK, LinkState.USED)


# Replies ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReplyResult:
    outcome: CheckInOutcome
    priority: str | None
    flag_codes: tuple[str, ...]


def score_reply(answers: Mapping[str, Any], free_text: str, language: str) -> TriageOutcome:
    """The same triage rules as an inquiry's: the free text's rules, with the check-in monitor
    as the screen. Never raises (a failure is P1, as for inquiries)."""
    try:
        return evaluate(
            {
                "message": free_text,
                "language": language,
                "for_whom": ForWhom.SELF.value,
                FIELD: dict(answers),
            },
            CHECKIN_SCREENS,
        )
    except Exception as exc:  # the rules must never lose a reply
        flag = spec("triage_error").flag(type(exc).__name__)
        return TriageOutcome(priority=flag.priority, flags=(flag,), ruleset="aftercare")


# Flags that say nothing worrying about the person.
_NEUTRAL_CODES = frozenset({"information_only", "unknown_value"})


def record_reply(
    checkin: CheckIn, answers: dict[str, Any], free_text: str | None, link: CheckInLink | None
) -> ReplyResult:
    """Store a reply (encrypted), and let it reach a person: a call asked for is a task for
    the owner due today; a worrying reply enters triage as an inquiry of the same person.
    The next check-in is planned from what it showed."""
    now = utcnow()
    plan = checkin.plan
    text = (free_text or "").strip()[:FREE_TEXT_MAX]
    outcome = score_reply(answers, text, plan.language)
    codes = tuple(flag.code for flag in outcome.flags if flag.code not in _NEUTRAL_CODES)
    monitor = [code for code in codes if code in MONITOR_CODES]
    text_worrying = any(code not in MONITOR_CODES for code in codes)
    assessment = rules.assess(bool(answers.get("call")), monitor, text_worrying)
    db.session.add(
        CheckInReply(
            checkin_id=checkin.id,
            received_at=now,
            answers=answers,
            free_text=text or None,
            flag_codes=",".join(codes)[:300],
        )
    )
    if link is not None:
        link.used_at = now
    db.session.execute(
        update(CheckInLink)
        .where(CheckInLink.checkin_id == checkin.id, CheckInLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    checkin.status = CheckInStatus.ANSWERED.value
    checkin.answered_at = now
    checkin.next_action_at = None
    plan.missed_in_row = 0
    result = CheckInOutcome.ANSWERED
    if codes:
        inquiry = reenter_triage(
            plan.person,
            message=text or staff_words(_l("Aftercare check-in reply")),
            language=plan.language,
            answers={"message": text, FIELD: answers, "aftercare_checkin": checkin.id},
            outcome=outcome,
        )
        checkin.inquiry_id = inquiry.id
        result = CheckInOutcome.ESCALATED
    if assessment.wants_call:
        task = _task(plan, TaskKind.CALL, plan.owner_id, _l("Aftercare: asked for a call."))
        if task is not None:
            checkin.task_id = task.id
            _notify_staff(plan.owner_id, f"aftercare:{checkin.id}:call")
        if result != CheckInOutcome.ESCALATED:
            result = CheckInOutcome.NEEDS_CALL
    checkin.outcome = result.value
    record(
        AuditTag.AFTERCARE_REPLY_RECEIVED,
        target_type="aftercare_checkin",
        target_id=checkin.id,
        detail={"plan": plan.id, "outcome": result.value, "flags": len(codes)},
    )
    extend_schedule(checkin, assessment.showed_need)
    return ReplyResult(result, outcome.priority.value if codes else None, codes)


# The person's own controls ---------------------------------------------------------------------
def pause_plan(plan: AftercarePlan) -> datetime:
    """Pause for a month from now: nothing is sent until then. Audited; returns the end."""
    now = utcnow()
    today = local_today(plan.timezone, now)
    until = now + (rules.add_months(today, 1) - today)
    plan.status = PlanStatus.PAUSED.value
    plan.paused_until = until
    record(
        AuditTag.AFTERCARE_PLAN_PAUSED,
        target_type="aftercare_plan",
        target_id=plan.id,
        detail={"by": "person"},
    )
    return until


def change_channel(plan: AftercarePlan, channel: str) -> None:
    """Check-ins go out on ``channel`` from now on, when the clinic has the address for it."""
    if channel not in AftercareChannel.codes():
        raise AftercareRefusedError("bad_channel", _l("Choose email, SMS or WhatsApp."), "channel")
    person = plan.person
    if (channel == AftercareChannel.EMAIL and not person.email) or (
        channel != AftercareChannel.EMAIL and not person.phone
    ):
        raise AftercareRefusedError(
            "no_address",
            _l("We do not have the address for that way of reaching you. Ask your therapist."),
            "channel",
        )
    plan.channel = channel
    record(
        AuditTag.AFTERCARE_PLAN_CHANGED,
        target_type="aftercare_plan",
        target_id=plan.id,
        detail={"fields": "channel", "by": "person"},
    )


def stop_plan(
    plan: AftercarePlan, by: str, actor_id: int | None = None, *, confirm: bool = True
) -> bool:
    """Stop every check-in at once: waiting ones are cancelled, unsent messages too; a single
    confirmation goes out (unless ``confirm`` is False: the person withdrew their consent to be
    contacted), and the plan's consent is withdrawn in the consent ledger. False when it was
    stopped already (nothing changes again)."""
    if plan.status == PlanStatus.STOPPED:
        return False
    now = utcnow()
    # Stopped before the consent is withdrawn: the ledger announces the withdrawal, and this
    # plan must already read as stopped when that comes back here.
    plan.status = PlanStatus.STOPPED.value
    plan.stopped_at = now
    _withdraw_consent(plan, by, actor_id)
    checkin_ids = select(CheckIn.id).where(CheckIn.plan_id == plan.id).scalar_subquery()
    db.session.execute(
        update(CheckIn)
        .where(
            CheckIn.plan_id == plan.id,
            CheckIn.status.in_((CheckInStatus.SCHEDULED.value, CheckInStatus.SENT.value)),
        )
        .values(status=CheckInStatus.CANCELLED.value, next_action_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Delivery)
        .where(
            Delivery.subject_kind == CHECKIN_SUBJECT,
            Delivery.subject_id.in_(checkin_ids),
            Delivery.status.in_(SENDABLE_STATUSES),
        )
        .values(status=DeliveryStatus.CANCELLED.value, provider_answer="stopped: plan stopped")
        .execution_options(synchronize_session=False)
    )
    if confirm:
        add_delivery(
            key=f"aftercare:{plan.id}:stopped",
            kind=AftercareKind.STOPPED.value,
            channel=plan.channel,
            subject_kind=PLAN_SUBJECT,
            subject_id=plan.id,
            recipient_person_id=plan.person_id,
            language=plan.language,
        )
    record(
        AuditTag.AFTERCARE_PLAN_STOPPED,
        target_type="aftercare_plan",
        target_id=plan.id,
        detail={"by": by},
    )
    return True


# SMS answers -----------------------------------------------------------------------------------
class SmsWord(StrEnum):
    YES = "yes"
    NO = "no"
    HELP = "help"
    STOP = "stop"


SMS_WORDS: dict[str, SmsWord] = {
    **dict.fromkeys(("yes", "y", "si", "sí", "ja", "oui", "sì"), SmsWord.YES),
    **dict.fromkeys(("no", "n", "nein", "non"), SmsWord.NO),
    **dict.fromkeys(("help", "ayuda", "hilfe", "aide", "aiuto"), SmsWord.HELP),
    **dict.fromkeys(("stop", "alto", "fin", "arret", "arrêt", "basta"), SmsWord.STOP),
}


def read_sms_word(body: str) -> SmsWord | None:
    words = (body or "").strip().lower().strip(".!¡?¿ ").split()
    if len(words) != 1:
        return None
    return SMS_WORDS.get(words[0])


def open_checkin_for_phone(phone: str) -> CheckIn | None:
    """The sent, unanswered check-in of the active plan of the person with exactly this
    number; None when nobody, or more than one person, has it (never guess)."""
    if not phone or len(phone) > 32:
        return None
    people = db.session.scalars(
        select(Person.id).where(Person.phone_index == phone_index(phone.strip()))
    ).all()
    if len(people) != 1:
        return None
    return db.session.scalar(
        select(CheckIn)
        .join(AftercarePlan, AftercarePlan.id == CheckIn.plan_id)
        .where(
            AftercarePlan.person_id == people[0],
            AftercarePlan.status != PlanStatus.STOPPED.value,
            CheckIn.status == CheckInStatus.SENT.value,
        )
        .order_by(CheckIn.sent_at.desc(), CheckIn.id.desc())
        .limit(1)
    )


def plan_for_phone(phone: str) -> AftercarePlan | None:
    """The one not-stopped plan of the one person with exactly this number, else None."""
    if not phone or len(phone) > 32:
        return None
    people = db.session.scalars(
        select(Person.id).where(Person.phone_index == phone_index(phone.strip()))
    ).all()
    if len(people) != 1:
        return None
    return db.session.scalar(
        select(AftercarePlan)
        .where(
            AftercarePlan.person_id == people[0], AftercarePlan.status != PlanStatus.STOPPED.value
        )
        .order_by(AftercarePlan.id.desc())
        .limit(1)
    )


def sms_answers(word: SmsWord) -> dict[str, Any]:
    """A one-word SMS reply as check-in answers: NO (not doing well) and HELP ask for a call."""
    return {"sms_word": word.value, "call": word in (SmsWord.NO, SmsWord.HELP)}


def on_consent_ended(
    _sender: object, *, consent_id: int, purpose: str, actor_id: int | None, **_extra: object
) -> None:
    """A revoked aftercare consent stops its plan at once, wherever it was revoked (the consent
    ledger's page included). Nothing more is sent, not even a confirmation: the person said not
    to contact them. Runs inside the revoking transaction."""
    if purpose != ConsentPurpose.AFTERCARE:
        return
    plans = db.session.scalars(
        select(AftercarePlan).where(AftercarePlan.consent_id == consent_id)
    ).all()
    for plan in plans:
        stop_plan(plan, "consent_revoked", actor_id, confirm=False)
