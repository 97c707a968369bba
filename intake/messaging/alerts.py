"""On-call alerts and their escalation, driven by the beat sweep.

States: ``pending`` (created, nobody alerted yet) -> ``sent`` (the first wave went out) ->
``escalated`` (a later wave went out; repeats) -> ``exhausted`` (every wave went out and nobody
took the inquiry); ``acknowledged`` from any open state when someone acknowledges the alert or
claims the inquiry. Waves: 0 the person on call, 1 their fallback, then every active clinician
and admin, ``ESCALATION_MAX_ROUNDS`` times. A wave with nobody in it is skipped.

Every transition is compare-and-set on (status, round), so two sweeps, or a sweep and an
acknowledgement, cannot both act on the same alert; the waits live in ``next_action_at``.

A claim is not yet a call. When a P0 alert stops, its *contact watch* starts: if no contact that
reached the person is logged within the P0 contact target (``CONTACT_TARGET_P0_MINUTES`` from
arrival, and never sooner than one escalation wait after the claim), the same sweep pages again,
the claimer, then the fallback, then everyone, one escalation wait apart. A logged contact that
reached the person (the case's ``reached_at``) or closing the case ends it. Its state lives in
``contact_next_at`` and ``contact_round``, compare-and-set like the alert's own.
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
from intake.messaging.compose import case_claimed
from intake.messaging.deliveries import add_delivery
from intake.messaging.models import (
    OPEN_ALERT_STATUSES,
    Alert,
    AlertStatus,
    Channel,
    MessageKind,
)
from intake.messaging.oncall import shift_at
from intake.triage.models import TriageCase

log = logging.getLogger(__name__)

ON_CALL_ROUND = 0
FALLBACK_ROUND = 1
EVERYONE_FIRST_ROUND = 2
# With nobody at all to alert, look again this soon.
NOBODY_RETRY = timedelta(minutes=1)
# Priorities whose claims are watched until the person is reached.
CONTACT_WATCHED_PRIORITIES = ("P0",)


def escalation_wait(priority: str) -> timedelta:
    """How long a wave waits for someone to act before the next one (P0 5, P1 30 minutes)."""
    config = current_app.config
    minutes = (
        config["ESCALATION_P0_MINUTES"] if priority == "P0" else config["ESCALATION_P1_MINUTES"]
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
    """Move an open alert one step: stop it if the inquiry was claimed, else send the next
    non-empty wave, else mark it exhausted. The caller commits. Returns the new state."""
    at = now or utcnow()
    case = db.session.scalar(select(TriageCase).where(TriageCase.inquiry_id == alert.inquiry_id))
    if case_claimed(case):
        if _transition(
            alert,
            status=AlertStatus.ACKNOWLEDGED.value,
            acknowledged_at=at,
            acknowledged_by_id=case.assignee_id if case else None,
            closed_reason="claimed",
        ):
            start_contact_watch(alert.id, case, at)
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
        if _transition(alert, status=AlertStatus.EXHAUSTED.value, closed_reason="exhausted"):
            log.warning("alert exhausted id=%s", alert.id)
            return AlertStatus.EXHAUSTED.value
        return "lost-race"
    status = AlertStatus.SENT if first_wave else AlertStatus.ESCALATED
    alert_id, inquiry_id, priority = alert.id, alert.inquiry_id, alert.priority
    if not _transition(
        alert,
        status=status.value,
        round=next_round,
        last_sent_at=at,
        next_action_at=at + escalation_wait(priority),
    ):
        return "lost-race"
    _add_wave(
        f"alert:{alert_id}:r{next_round}",
        MessageKind.STAFF_ALERT,
        alert_id,
        inquiry_id,
        next_round,
        people,
    )
    log.info("alert wave id=%s round=%s recipients=%s", alert_id, next_round, len(people))
    return status.value


def _add_wave(
    key_prefix: str,
    kind: MessageKind,
    alert_id: int,
    inquiry_id: int,
    wave_round: int,
    people: Sequence[User],
) -> None:
    """One wave's deliveries: an email to each person and the webhook when one is configured.

    Each key is unique per alert, wave, channel and recipient, so a wave written twice sends once.
    """
    for person in people:
        add_delivery(
            key=f"{key_prefix}:email:u{person.id}",
            kind=kind,
            channel=Channel.EMAIL,
            inquiry_id=inquiry_id,
            alert_id=alert_id,
            alert_round=wave_round,
            recipient_user_id=person.id,
            language=current_app.config.get("ALERT_LANGUAGE", "en"),
        )
    if current_app.config.get("ALERT_WEBHOOK_URL"):
        add_delivery(
            key=f"{key_prefix}:webhook",
            kind=kind,
            channel=Channel.WEBHOOK,
            inquiry_id=inquiry_id,
            alert_id=alert_id,
            alert_round=wave_round,
        )


def open_alert(inquiry_id: int) -> Alert | None:
    """Create the alert for a P0/P1 inquiry and send its first wave; the caller commits.

    One alert per inquiry (a unique column); a second call finds the first.
    """
    existing = db.session.scalar(select(Alert).where(Alert.inquiry_id == inquiry_id))
    if existing is not None:
        return existing
    case = db.session.scalar(select(TriageCase).where(TriageCase.inquiry_id == inquiry_id))
    if case is None:
        log.error("alert for inquiry %s without a triage case", inquiry_id)
        return None
    now = utcnow()
    alert = Alert(
        inquiry_id=inquiry_id,
        priority=case.priority,
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
            closed_reason="acknowledged",
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    record(AuditTag.ALERT_ACKNOWLEDGED, target_type="alert", target_id=alert_id, actor_id=user_id)
    start_contact_watch(alert_id, _case_of_alert(alert_id), utcnow())
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
    start_contact_watch(alert_id, _case_of_alert(alert_id), utcnow())
    return False


# The contact watch ---------------------------------------------------------------------------
def _case_of_alert(alert_id: int) -> TriageCase | None:
    return db.session.scalar(
        select(TriageCase)
        .join(Alert, Alert.inquiry_id == TriageCase.inquiry_id)
        .where(Alert.id == alert_id)
    )


def contact_target(priority: str) -> timedelta:
    """How soon after arrival a person of ``priority`` must be reached (P0: 15 minutes)."""
    minutes = current_app.config["CONTACT_TARGET_MINUTES"].get(priority, 24 * 60)
    return timedelta(minutes=float(minutes))


def _contact_stop(case: TriageCase | None) -> str | None:
    """Why a contact watch has nothing left to do, or None while the person is unreached."""
    if case is None or case.closed_at is not None or case.status == "closed":
        return "closed"
    if case.reached_at is not None or case.status == "contacted":
        return "reached"
    # Lowered below P0 after the claim: its own, longer, clock applies.
    if case.priority not in CONTACT_WATCHED_PRIORITIES:
        return "priority"
    return None


def contact_check_at(case: TriageCase, at: datetime) -> datetime:
    """When to check that the claimed person was reached: the end of the contact target, but
    never before the claimer has had one escalation wait to call (a late claim of a case whose
    target has already passed is not paged at once)."""
    taken = case.claimed_at or at
    return max(
        case.received_at + contact_target(case.priority),
        taken + escalation_wait(case.priority),
    )


def start_contact_watch(alert_id: int, case: TriageCase | None, at: datetime) -> bool:
    """Begin watching a stopped alert's inquiry until the person is reached; the caller commits.

    Only for watched priorities (P0), only once per alert (compare-and-set on a watch that has
    never started), and not when the person has already been reached.
    """
    if case is None or _contact_stop(case) is not None:
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
        .values(contact_next_at=contact_check_at(case, at))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def _claimer(alert: Alert, case: TriageCase) -> User | None:
    user_id = case.assignee_id or alert.acknowledged_by_id
    person = db.session.get(User, user_id) if user_id else None
    return person if person is not None and person.active else None


def contact_recipients(round_: int, alert: Alert, case: TriageCase, at: datetime) -> list[User]:
    """Who a contact-watch wave goes to: 0 the claimer, 1 the shift's fallback (the person on
    call when the claimer is the fallback), 2 and later everyone. Empty means skip the wave."""
    claimer = _claimer(alert, case)
    if round_ >= EVERYONE_FIRST_ROUND:
        return _everyone()
    if round_ == ON_CALL_ROUND:
        return [claimer] if claimer is not None else []
    shift = shift_at(at)
    if shift is None:
        return []
    claimer_id = claimer.id if claimer is not None else case.assignee_id
    for person in (shift.fallback_user, shift.user):
        if person is not None and person.active and person.id != claimer_id:
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
    """Move a due contact watch one step: end it if the person was reached or the case closed,
    else page the next non-empty wave, else end it as exhausted. The caller commits."""
    at = now or utcnow()
    case = db.session.scalar(select(TriageCase).where(TriageCase.inquiry_id == alert.inquiry_id))
    stop = _contact_stop(case)
    if stop is not None:
        won = _contact_transition(alert, contact_next_at=None, contact_closed_reason=stop)
        return f"contact-{stop}" if won else "lost-race"
    assert case is not None  # noqa: S101  (_contact_stop returns a reason for a missing case)
    next_round = alert.contact_round + 1
    people: list[User] = []
    while next_round <= last_round():
        people = contact_recipients(next_round, alert, case, at)
        if people:
            break
        next_round += 1
    if next_round > last_round():
        if _contact_transition(alert, contact_next_at=None, contact_closed_reason="exhausted"):
            log.warning("contact watch exhausted alert=%s", alert.id)
            return "contact-exhausted"
        return "lost-race"
    alert_id, inquiry_id = alert.id, alert.inquiry_id
    if not _contact_transition(
        alert, contact_round=next_round, contact_next_at=at + escalation_wait(case.priority)
    ):
        return "lost-race"
    _add_wave(
        f"alert:{alert_id}:contact:r{next_round}",
        MessageKind.CONTACT_OVERDUE,
        alert_id,
        inquiry_id,
        next_round,
        people,
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
