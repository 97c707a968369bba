"""Sending check-ins: a batch claimed in one statement sends each row it still holds once and
never one it lost, and a retried check-in waits out the person's quiet hours like a first send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select, update

from intake.aftercare import use_cases
from intake.aftercare.models import AftercarePlan
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging import deliveries
from intake.messaging.models import Delivery
from tests.aftercare.conftest import open_plan
from tests.reliability import fixtures
from tests.reliability.support import Inbox

published = fixtures.published
smtp = fixtures.smtp

ZURICH = ZoneInfo("Europe/Zurich")


def _checkin_deliveries(plans: list[AftercarePlan]) -> list[Delivery]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Delivery)
            .where(
                Delivery.kind == "aftercare_checkin",
                Delivery.recipient_person_id.in_([plan.person_id for plan in plans]),
            )
            .order_by(Delivery.id)
        )
    )


def _due_now(count: int) -> list[AftercarePlan]:
    plans = [open_plan(timezone="UTC", quiet_start=0, quiet_end=0) for _ in range(count)]
    db.session.flush()
    for plan in plans:
        plan.checkins[0].due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return plans


def test_a_batch_is_claimed_at_once_and_never_sends_a_row_it_no_longer_holds(
    app: Flask, published: list[tuple[str, int]], smtp: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A lease of nothing: the batch renews its claim before every send.
    monkeypatch.setitem(app.config, "DELIVERY_LEASE_SECONDS", 0)
    with app.app_context():
        plans = _due_now(3)
        assert use_cases.sweep()["sent"] == 3
        rows = _checkin_deliveries(plans)
        ids = [row.id for row in rows]
        real = deliveries.transport_for

        class TakenMeanwhile:
            """Sends for real; during the first send another claim takes the second row."""

            def __init__(self, inner: Any) -> None:
                self.inner = inner

            def send(self, outgoing: Any, message: Any) -> Any:
                result = self.inner.send(outgoing, message)
                if outgoing.delivery_id == ids[0]:
                    db.session.execute(
                        update(Delivery).where(Delivery.id == ids[1]).values(claim_token="other")
                    )
                    db.session.commit()
                return result

        monkeypatch.setattr(
            deliveries, "transport_for", lambda channel: TakenMeanwhile(real(channel))
        )
        assert deliveries.send_deliveries(ids) == {"sent": 2, "skipped": 1}
        rows = _checkin_deliveries(plans)
        assert [(row.status, row.attempts) for row in rows] == [
            ("sent", 1),
            ("sending", 1),
            ("sent", 1),
        ]
        assert rows[0].claim_token == rows[2].claim_token != "other"
        received = sorted(str(m["To"]) for m in smtp.messages)
        assert received == sorted([plans[0].person.email, plans[2].person.email])
        # Sending the same ids again sends nothing: each was claimed once.
        assert deliveries.send_deliveries(ids) == {"skipped": 3}
        assert len(smtp.messages) == 2


def test_a_retried_check_in_waits_for_the_end_of_the_quiet_hours(
    app: Flask, published: list[tuple[str, int]], smtp: Inbox
) -> None:
    morning = datetime(2027, 3, 10, 10, 0, tzinfo=ZURICH)
    with app.app_context(), time_machine.travel(morning, tick=False) as clock:
        plan = open_plan(timezone="Europe/Zurich", quiet_start=21 * 60, quiet_end=9 * 60)
        db.session.flush()
        plan.checkins[0].due_at = utcnow()  # due at 10:00, outside the quiet hours
        db.session.commit()
        assert use_cases.sweep()["sent"] == 1
        [row] = _checkin_deliveries([plan])
        smtp.refuse_with = "451 4.3.0 Try again later"
        assert deliveries.send_delivery(row.id) == "retry"
        smtp.refuse_with = None
        # The retry's backoff ends at 22:30, inside the quiet hours (21:00 to 09:00).
        clock.move_to(datetime(2027, 3, 10, 22, 30, tzinfo=ZURICH))
        published.clear()
        assert deliveries.sweep_deliveries() == 1
        assert deliveries.send_delivery(row.id) == "deferred"
        assert smtp.messages == []
        [row] = _checkin_deliveries([plan])
        assert row.status == "retry" and row.attempts == 1
        assert row.next_attempt_at == datetime(2027, 3, 11, 9, 0, tzinfo=ZURICH).astimezone(UTC)
        # Nothing is due again before nine in the morning.
        clock.move_to(datetime(2027, 3, 11, 8, 59, tzinfo=ZURICH))
        published.clear()
        assert deliveries.sweep_deliveries() == 0
        clock.move_to(datetime(2027, 3, 11, 9, 0, tzinfo=ZURICH))
        assert deliveries.sweep_deliveries() == 1
        assert deliveries.send_delivery(row.id) == "sent"
        [message] = smtp.messages
        assert message["To"] == plan.person.email
        [row] = _checkin_deliveries([plan])
        assert (row.status, row.attempts) == ("sent", 2)
        assert row.sent_at is not None and row.sent_at.astimezone(ZURICH).hour == 9
