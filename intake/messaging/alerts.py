"""On-call alerts and their escalation, driven by the beat sweep: the paging machinery.

States: ``pending`` (created, nobody alerted yet) -> ``sent`` (the first wave went out) ->
``escalated`` (a later wave went out; repeats) -> ``exhausted`` (every wave went out and nobody
took the subject); ``acknowledged`` from any open state when someone acknowledges the alert or
takes its subject. Waves: 0 the person on call, 1 their fallback, then every active clinician
and admin, ``ESCALATION_MAX_ROUNDS`` times. A wave with nobody in it is skipped.

Every transition is compare-and-set on (status, round), so two sweeps, or a sweep and an
acknowledgement, cannot both act on the same alert; the waits live in ``next_action_at``.

Taking a subject may not end what the alert is for. When an alert stops, its *watch* may start
(for triage: a claimed P0 nobody has reached yet): from the moment the domain names, the same
sweep pages again, the person who took it, then the fallback, then everyone, one escalation wait
apart, until the domain gives a reason to stop. Its state lives in ``contact_next_at`` and
``contact_round``, compare-and-set like the alert's own.

What only the subject's domain knows (has someone taken it, when to check the follow-through,
when to stop, its priority now, which kinds the waves are) comes from the
:class:`~intake.messaging.registry.AlertPolicy` it registered; this module reads no domain's
tables. Each wave's deliveries are about the alert (``subject_kind`` ``"alert"``), numbered by
``wave``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.auth.models import User, UserRole
from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.deliveries import add_delivery
from intake.messaging.models import (
    OPEN_ALERT_STATUSES,
    Alert,
    AlertStatus,
    Channel,
)
from intake.messaging.oncall import shift_at
from intake.messaging.registry import alert_policy
from intake.vocabulary import DEFAULT_LANGUAGE, AlertStop, Priority

log = logging.getLogger(__name__)

ON_CALL_ROUND = 0
FALLBACK_ROUND = 1
EVERYONE_FIRST_ROUND = 2
# With nobody at all to alert, look again this soon.
NOBODY_RETRY = timedelta(minutes=1)
# What each wave's deliveries are about.
SUBJECT = "alert"


def escalation_wait(priority: str) -> timedelta:
    """How long a wave waits for someone to act before the next one (P0 5, P1 30 minutes)."""
    config = current_app.config
    minutes = (
        config["ESCALATION_P0_MINUTES"]
        if priority == Priority.P0
        else config["ESCALATION_P1_MINUTES"]
    )
    return timedelta(minutes=float(minutes))


def last_round() -> int:
    return EVERYONE_FIRST_ROUND + int(current_app.config["ESCALATION_MAX_ROUNDS"]) - 1


def _everyone() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(User.active.is_(True), UserRole.role.in_([Role.CLINICIAN, Role.ADMIN]))
            .distinct()
            .order_by(User.id)
        ).all()
    )


def recipients_for(round_: int, at: datetime) -> list[User]:
    """Who a wave goes to; empty when that wave has nobody (the caller then skips it)."""
    if round_ >= EVERYONE_FIRST_ROUND:
        return _everyone()
    shift = shift_at(at)
    if shift is None:
        return []
    person = shift.user if round_ == ON_CALL_ROUND else shift.fallback_user
    if person is None or not person.active:
        return []
    if round_ == FALLBACK_ROUND and person.id == shift.user_id:
        return []
    return [person]


def _transition(alert: Alert, **values: object) -> bool:
    """Compare-and-set: apply ``values`` only if the alert is still as this worker read it."""
    result = db.session.execute(
        update(Alert)
        .where(Alert.id == alert.id, Alert.status == alert.status, Alert.round == alert.round)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    won = result.rowcount == 1  # type: ignore[attr-defined]
    db.session.expire(alert)
    return won


def advance(alert: Alert, now: datetime | None = None) -> str:
    """Move an open alert one step: stop it if its subject was taken, else send the next
    non-empty wave, else mark it exhausted. The caller commits. Returns the new state."""
    at = now or utcnow()
    policy = alert_policy()
    taken = policy.taken(alert)
    if taken is not None:
        if _transition(
            alert,
            status=AlertStatus.ACKNOWLEDGED.value,
            acknowledged_at=at,
            acknowledged_by_id=taken.by,
            closed_reason=AlertStop.CLAIMED,
        ):
            start_contact_watch(alert.id, at)
            return AlertStatus.ACKNOWLEDGED.value
        return "lost-race"
    first_wave = alert.status == AlertStatus.PENDING.value
    next_round = alert.round + 1
    people: list[User] = []
    while next_round <= last_round():
        people = recipients_for(next_round, at)
        if people:
            break
        next_round += 1
    if next_round > last_round():
        if first_wave:
            # Nobody to alert at all (no active clinician or admin): keep trying.
            _transition(alert, next_action_at=at + NOBODY_RETRY)
            log.error("alert %s has nobody to go to", alert.id)
            return AlertStatus.PENDING.value
        if _transition(
            alert, status=AlertStatus.EXHAUSTED.value, closed_reason=AlertStop.EXHAUSTED
        ):
            log.warning("alert exhausted id=%s", alert.id)
            return AlertStatus.EXHAUSTED.value
        return "lost-race"
    status = AlertStatus.SENT if first_wave else AlertStatus.ESCALATED
    alert_id, priority = alert.id, alert.priority
    if not _transition(
        alert,
        status=status.value,
        round=next_round,
        last_sent_at=at,
        next_action_at=at + escalation_wait(priority),
    ):
        return "lost-race"
    _add_wave(f"alert:{alert_id}:r{next_round}", policy.wave_kind, alert_id, next_round, people)
    log.info("alert wave id=%s round=%s recipients=%s", alert_id, next_round, len(people))
    return status.value


def _add_wave(key_prefix: str, kind: str, alert_id: int, wave: int, people: Sequence[User]) -> None:
    """One wave's deliveries: an email to each person and the webhook when one is configured.

    Each key is unique per alert, wave, channel and recipient, so a wave written twice sends once.
    """
    for person in people:
        add_delivery(
            key=f"{key_prefix}:email:u{person.id}",
            kind=kind,
            channel=Channel.EMAIL,
            subject_kind=SUBJECT,
            subject_id=alert_id,
            wave=wave,
            recipient_user_id=person.id,
            language=current_app.config.get("ALERT_LANGUAGE", DEFAULT_LANGUAGE),
        )
    if current_app.config.get("ALERT_WEBHOOK_URL"):
        add_delivery(
            key=f"{key_prefix}:webhook",
            kind=kind,
            channel=Channel.WEBHOOK,
            subject_kind=SUBJECT,
            subject_id=alert_id,
            wave=wave,
        )


def open_alert(inquiry_id: int, priority: str) -> Alert:
    """Create the alert for an inquiry of ``priority`` and send its first wave; the caller
    commits. (The domain decides which inquiries alert: :mod:`intake.triage.alerting`.)

    One alert per inquiry (a unique column); a second call finds the first.
    """
    existing = db.session.scalar(select(Alert).where(Alert.inquiry_id == inquiry_id))
    if existing is not None:
        return existing
    now = utcnow()
    alert = Alert(
        inquiry_id=inquiry_id,
        priority=priority,
        status=AlertStatus.PENDING.value,
        round=-1,
        next_action_at=now,
    )
    db.session.add(alert)
    db.session.flush()
    advance(alert, now)
    return alert


def claim_due_alerts(limit: int = 100) -> Sequence[Alert]:
    """Open alerts whose wait is over, locked for this transaction (skipping locked ones)."""
    return db.session.scalars(
        select(Alert)
        .where(
            Alert.status.in_([status.value for status in OPEN_ALERT_STATUSES]),
            Alert.next_action_at <= utcnow(),
        )
        .order_by(Alert.next_action_at, Alert.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def sweep_alerts(limit: int = 100) -> dict[str, int]:
    """Advance every due alert and contact watch (beat, every few seconds); return how many
    reached each state (contact-watch states start with ``contact-``)."""
    outcomes: dict[str, int] = {}
    touched: list[int] = []
    now = utcnow()
    for alert in claim_due_alerts(limit):
        alert_id = alert.id
        with db.session.begin_nested():
            outcome = advance(alert, now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        touched.append(alert_id)
    for alert in claim_due_contact_watches(limit):
        alert_id = alert.id
        with db.session.begin_nested():
            outcome = advance_contact_watch(alert, now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        touched.append(alert_id)
    db.session.commit()
    if outcomes:
        # Counts and ids only; an idle sweep says nothing (it runs every few seconds).
        counts = " ".join(f"{name}={count}" for name, count in sorted(outcomes.items()))
        log.info("alert sweep %s ids=%s", counts, sorted(set(touched)))
    return outcomes


def acknowledge(alert_id: int, user_id: int) -> bool:
    """A staff member takes the alert: escalation stops. Audited; the caller commits."""
    result = db.session.execute(
        update(Alert)
        .where(
            Alert.id == alert_id,
            Alert.status.in_([status.value for status in OPEN_ALERT_STATUSES]),
        )
        .values(
            status=AlertStatus.ACKNOWLEDGED.value,
            acknowledged_at=utcnow(),
            acknowledged_by_id=user_id,
            closed_reason=AlertStop.ACKNOWLEDGED,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    record(AuditTag.ALERT_ACKNOWLEDGED, target_type="alert", target_id=alert_id, actor_id=user_id)
    start_contact_watch(alert_id, utcnow())
    return True


def acknowledge_for_inquiry(inquiry_id: int, user_id: int) -> bool:
    """Stop the inquiry's alert at once when someone takes the inquiry; the caller commits.

    An alert that had already run out (exhausted) still gets its contact watch: the person who
    finally took the inquiry is reminded like any other claimer.
    """
    alert_id = db.session.scalar(select(Alert.id).where(Alert.inquiry_id == inquiry_id))
    if alert_id is None:
        return False
    if acknowledge(alert_id, user_id):
        return True
    start_contact_watch(alert_id, utcnow())
    return False


# The watch -----------------------------------------------------------------------------------
def start_contact_watch(alert_id: int, at: datetime) -> bool:
    """Begin watching a stopped alert's subject until its domain says to stop; the caller
    commits.

    Only when the domain names a moment to check (for triage: a P0 whose person is not reached
    yet), and only once per alert (compare-and-set on a watch that has never started).
    """
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        return False
    check_at = alert_policy().watch_check_at(alert, at)
    if check_at is None:
        return False
    result = db.session.execute(
        update(Alert)
        .where(
            Alert.id == alert_id,
            Alert.status.in_([AlertStatus.ACKNOWLEDGED.value, AlertStatus.EXHAUSTED.value]),
            Alert.contact_next_at.is_(None),
            Alert.contact_round == -1,
            Alert.contact_closed_reason.is_(None),
        )
        .values(contact_next_at=check_at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def _taker_id(alert: Alert) -> int | None:
    taken = alert_policy().taken(alert)
    return (taken.by if taken is not None else None) or alert.acknowledged_by_id


def contact_recipients(round_: int, alert: Alert, at: datetime) -> list[User]:
    """Who a watch wave goes to: 0 the person who took the subject, 1 the shift's fallback (the
    person on call when that is the fallback), 2 and later everyone. Empty means skip it."""
    taker_id = _taker_id(alert)
    taker = db.session.get(User, taker_id) if taker_id else None
    if taker is not None and not taker.active:
        taker = None
    if round_ >= EVERYONE_FIRST_ROUND:
        return _everyone()
    if round_ == ON_CALL_ROUND:
        return [taker] if taker is not None else []
    shift = shift_at(at)
    if shift is None:
        return []
    for person in (shift.fallback_user, shift.user):
        if person is not None and person.active and person.id != taker_id:
            return [person]
    return []


def _contact_transition(alert: Alert, **values: object) -> bool:
    """Compare-and-set on the watch: only if it is still open and at the round this sweep read."""
    result = db.session.execute(
        update(Alert)
        .where(
            Alert.id == alert.id,
            Alert.contact_next_at.is_not(None),
            Alert.contact_round == alert.contact_round,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    won = result.rowcount == 1  # type: ignore[attr-defined]
    db.session.expire(alert)
    return won


def advance_contact_watch(alert: Alert, now: datetime | None = None) -> str:
    """Move a due watch one step: end it if the subject's domain gives a reason to stop (for
    triage: the person was reached or the case closed), else page the next non-empty wave, else
    end it as exhausted. The caller commits."""
    at = now or utcnow()
    policy = alert_policy()
    stop = policy.watch_stop(alert)
    if stop is not None:
        won = _contact_transition(alert, contact_next_at=None, contact_closed_reason=stop)
        return f"contact-{stop}" if won else "lost-race"
    next_round = alert.contact_round + 1
    people: list[User] = []
    while next_round <= last_round():
        people = contact_recipients(next_round, alert, at)
        if people:
            break
        next_round += 1
    if next_round > last_round():
        if _contact_transition(
            alert, contact_next_at=None, contact_closed_reason=AlertStop.EXHAUSTED
        ):
            log.warning("contact watch exhausted alert=%s", alert.id)
            return "contact-exhausted"
        return "lost-race"
    alert_id, priority = alert.id, policy.priority(alert)
    if not _contact_transition(
        alert, contact_round=next_round, contact_next_at=at + escalation_wait(priority)
    ):
        return "lost-race"
    _add_wave(
        f"alert:{alert_id}:contact:r{next_round}", policy.watch_kind, alert_id, next_round, people
    )
    log.info(
        "contact overdue wave alert=%s round=%s recipients=%s", alert_id, next_round, len(people)
    )
    return "contact-paged"


def claim_due_contact_watches(limit: int = 100) -> Sequence[Alert]:
    """Alerts whose contact check is due, locked for this transaction (skipping locked ones)."""
    return db.session.scalars(
        select(Alert)
        .where(Alert.contact_next_at.is_not(None), Alert.contact_next_at <= utcnow())
        .order_by(Alert.contact_next_at, Alert.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
