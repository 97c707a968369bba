"""Aftercare's transactions: each function calls the services and commits once.

A refusal (:class:`AftercareRefusedError`) rolls back whatever was pending and is raised again
for the view to show; nothing of it is stored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from intake.aftercare import services
from intake.aftercare.errors import AftercareRefusedError
from intake.aftercare.models import AftercarePlan, CheckIn
from intake.aftercare.services import LinkState, PlanInput, ReplyResult, SmsWord
from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.types import utcnow
from intake.crm.models import Episode
from intake.extensions import db
from intake.vocabulary import PlanStatus

log = logging.getLogger(__name__)
T = TypeVar("T")


@contextmanager
def _unit_of_work() -> Iterator[None]:
    try:
        yield
        db.session.commit()
    except AftercareRefusedError:
        db.session.rollback()
        raise


def _run(action: Callable[[], T]) -> T:
    with _unit_of_work():
        result = action()
    return result


def open_plan(episode: Episode, data: PlanInput, actor_id: int | None) -> AftercarePlan:
    """Open a plan at discharge with its first check-ins. Commits."""
    return _run(lambda: services.open_plan(episode, data, actor_id))


def edit_plan(plan: AftercarePlan, data: PlanInput, actor_id: int | None) -> None:
    """The owner changes a plan. Commits."""
    _run(lambda: services.edit_plan(plan, data, actor_id))


def stop_plan_by_staff(plan: AftercarePlan, actor_id: int | None = None) -> bool:
    """Staff stop a plan (the person asked by phone). Commits."""
    return _run(lambda: services.stop_plan(plan, "staff", actor_id))


# A sweep keeps claiming full batches for this long, then leaves the rest to the next minute's
# (beat sends one a minute and lets it expire after 55 seconds).
SWEEP_BUDGET_SECONDS = 40.0


def sweep(now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """The beat's minute: send what is due, remind, call the silent ones missed.

    Each step claims up to ``limit`` rows per transaction (so a batch's claims are released as
    soon as it is done) and runs again while its batches come back full, for up to
    :data:`SWEEP_BUDGET_SECONDS`: a backlog of thousands goes out in this minute, not at 500 a
    minute."""
    counts = services.SweepCounts()
    started = time.monotonic()
    for step in (services.send_due, services.remind, services.call_missed):
        while True:
            try:
                claimed = step(now or utcnow(), limit, counts)
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
            if claimed < limit or time.monotonic() - started > SWEEP_BUDGET_SECONDS:
                break
    if any(counts.as_dict().values()):
        log.info("aftercare sweep %s", counts.as_dict())
    return counts.as_dict()


def answer(token: str, answers: dict[str, Any], free_text: str | None) -> ReplyResult | LinkState:
    """Store a reply given through a link; returns the result, or why the link did not work.

    Two submissions of one link at once: one wins (the reply is unique per check-in), the
    other is told the link was used.
    """
    state, link = services.find_link(token)
    if state != LinkState.OK or link is None:
        db.session.rollback()
        return state
    try:
        result = services.record_reply(link.checkin, answers, free_text, link)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return LinkState.USED
    return result


def control(token: str, action: str, channel: str | None = None) -> tuple[LinkState, str]:
    """Pause, change channel or stop from a link in a message, without signing in.

    Returns the link's state and what was done (``paused``, ``channel``, ``stopped``,
    ``already_stopped``); raises :class:`AftercareRefusedError` for a channel that cannot be used.
    """
    state, link = services.find_link(token)
    if not services.controls_allowed(state) or link is None:
        db.session.rollback()
        return state, ""
    plan = link.checkin.plan
    with _unit_of_work():
        if action == "stop":
            done = "stopped" if services.stop_plan(plan, "person") else "already_stopped"
        elif plan.status == PlanStatus.STOPPED:
            done = "already_stopped"
        elif action == "pause":
            services.pause_plan(plan)
            done = "paused"
        elif action == "channel":
            services.change_channel(plan, channel or "")
            done = "channel"
        else:
            raise AftercareRefusedError("unknown_action", "unknown action")
    return state, done


def sms_reply(phone: str, body: str) -> str:
    """Act on an inbound SMS; returns what happened, as a code the webhook turns into words:
    ``unknown_number``, ``unknown_word``, ``no_checkin``, ``stopped``, or the outcome."""
    word = services.read_sms_word(body)
    plan = services.plan_for_phone(phone)
    if plan is None:
        db.session.rollback()
        return "unknown_number"
    if word is None:
        db.session.rollback()
        return "unknown_word"
    with _unit_of_work():
        record(
            AuditTag.AFTERCARE_SMS_RECEIVED,
            target_type="aftercare_plan",
            target_id=plan.id,
            detail={"word": word.value},
        )
        if word == SmsWord.STOP:
            services.stop_plan(plan, "person")
            return "stopped"
        checkin: CheckIn | None = services.open_checkin_for_phone(phone)
        if checkin is None:
            return "no_checkin"
        result = services.record_reply(checkin, services.sms_answers(word), None, None)
    return result.outcome.value
