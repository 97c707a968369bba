"""Two whole years of check-ins, with the clock moved by time-machine: three people in three
time zones (two clock changes a year each), some answering, some asking for a call, some
silent, one stopping half-way. Every check-in goes out once, never early, never in the person's
quiet hours, and nothing goes out after a stop."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from flask import Flask
from sqlalchemy import func, select

from intake.aftercare import rules, services, use_cases
from intake.aftercare.models import CheckIn
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.models import Delivery
from intake.vocabulary import CheckInOutcome, CheckInStatus, PlanStatus
from tests.aftercare.conftest import open_plan

ZONES = {
    "Europe/Zurich": (21 * 60, 9 * 60),
    "America/New_York": (22 * 60, 7 * 60),
    "Australia/Sydney": (20 * 60, 11 * 60),  # 10:00 is quiet here: sends move to 11:00
}
MINUTE = timedelta(minutes=1)


def _next_event() -> datetime | None:
    due = db.session.scalar(
        select(func.min(CheckIn.due_at)).where(CheckIn.status == CheckInStatus.SCHEDULED.value)
    )
    act = db.session.scalar(
        select(func.min(CheckIn.next_action_at)).where(CheckIn.status == CheckInStatus.SENT.value)
    )
    found = [moment for moment in (due, act) if moment is not None]
    return min(found) if found else None


def _deliveries() -> int:
    return int(db.session.scalar(select(func.count(Delivery.id))) or 0)


def _reply_for(slot: int) -> dict[str, object] | None:
    """How each person behaves: mostly fine, sometimes asking for a call, sometimes silent."""
    pattern = slot % 6
    if pattern in (0, 1, 2):
        return {"wellbeing": 4, "use": "no", "cravings": 1, "call": False}
    if pattern == 3:
        return {"wellbeing": 2, "call": True}
    return None  # silent twice in a row: reminders, missed, the lead hears of it


def test_two_years_across_clock_changes_send_each_check_in_once_in_allowed_hours(
    app: Flask,
) -> None:
    start = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
    with app.app_context(), time_machine.travel(start, tick=False) as clock:
        plans = [
            open_plan(timezone=zone, quiet_start=q[0], quiet_end=q[1]) for zone, q in ZONES.items()
        ]
        db.session.commit()
        stopper = plans[1]
        stop_at = start + timedelta(days=420)
        stopped = False
        answered: set[int] = set()
        for _ in range(2000):
            moment = _next_event()
            if moment is None:
                break
            if not stopped and moment >= stop_at:
                clock.move_to(stop_at)
                assert services.stop_plan(stopper, "person")
                db.session.commit()
                stopped = True
                continue
            # A minute early: nothing goes out.
            clock.move_to(moment - MINUTE)
            before = _deliveries()
            use_cases.sweep()
            assert _deliveries() == before
            clock.move_to(moment)
            use_cases.sweep()
            use_cases.sweep()  # a second sweep at the same minute finds nothing more
            for checkin in db.session.scalars(
                select(CheckIn).where(CheckIn.status == CheckInStatus.SENT.value)
            ).all():
                reply = _reply_for(checkin.slot)
                if reply is not None and checkin.id not in answered:
                    clock.move_to(moment + timedelta(hours=1))
                    services.record_reply(checkin, dict(reply), None, None)
                    db.session.commit()
                    answered.add(checkin.id)
        assert _next_event() is None, "the schedule did not end within two years"

        sends = db.session.scalars(
            select(Delivery).where(Delivery.subject_kind == services.CHECKIN_SUBJECT)
        ).all()
        keys = Counter(delivery.idempotency_key for delivery in sends)
        assert len(keys) > 60 and max(keys.values()) == 1
        by_id = {c.id: c for c in db.session.scalars(select(CheckIn)).all()}
        per_slot = Counter(
            (by_id[d.subject_id].plan_id, by_id[d.subject_id].slot)
            for d in sends
            if d.kind == services.AftercareKind.CHECKIN
        )
        assert max(per_slot.values()) == 1
        for delivery in sends:
            checkin = by_id[delivery.subject_id]
            plan = checkin.plan
            quiet = rules.QuietHours(plan.quiet_start, plan.quiet_end)
            assert delivery.created_at >= checkin.due_at, "sent early"
            assert not rules.is_quiet(delivery.created_at, plan.timezone, quiet), "quiet hours"
            if plan.id == stopper.id:
                assert delivery.created_at < stop_at, "sent after a stop"
            if delivery.kind == services.AftercareKind.CHECKIN:
                local = delivery.created_at.astimezone(ZoneInfo(plan.timezone))
                # The same wall-clock minute in winter and summer: clock changes handled.
                assert (local.hour, local.minute) in ((10, 0), (11, 0))
        for plan in plans:
            db.session.refresh(plan)
            slots = [c for c in plan.checkins]
            last = max(c.local_date for c in slots)
            assert last <= rules.add_months(plan.starts_on, 24)
            if plan.id == stopper.id:
                assert plan.status == PlanStatus.STOPPED
            else:
                assert plan.status == PlanStatus.FINISHED
                outcomes = Counter(c.outcome for c in slots)
                assert outcomes[CheckInOutcome.MISSED] > 0
                assert outcomes[CheckInOutcome.NEEDS_CALL] > 0
                # The gap grew to quarterly after answers that showed no need.
                assert max(c.gap_months for c in slots) == 3
        assert utcnow() > start + timedelta(days=700)
