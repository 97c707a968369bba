"""On-call alerts: the outbox relay, the escalation state machine and how a claim stops it."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select, update

from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging import relay
from intake.messaging.alerts import sweep_alerts
from intake.messaging.deliveries import send_delivery
from intake.messaging.models import Alert, Delivery, OnCallShift
from intake.messaging.outbox import OutboxMessage
from intake.triage.models import TriageCase
from tests.reliability import fixtures
from tests.reliability.support import Inbox, make_inquiry

published = fixtures.published
rota = fixtures.rota
smtp = fixtures.smtp


def _alert_deliveries(alert_id: int) -> list[Delivery]:
    return list(
        db.session.scalars(
            select(Delivery)
            .where(Delivery.subject_kind == "alert", Delivery.subject_id == alert_id)
            .order_by(Delivery.id)
        ).all()
    )


def _make_due(alert_id: int) -> None:
    db.session.execute(
        update(Alert).where(Alert.id == alert_id).values(next_action_at=utcnow() - timedelta(1))
    )
    db.session.commit()


def test_outbox_rows_are_published_after_commit_and_not_after_rollback(
    app: Flask, published: list[tuple[str, int]]
) -> None:
    with app.app_context():
        make_inquiry("P0")
        db.session.rollback()
        assert published == []
        inquiry = make_inquiry("P0")
        assert published == []  # flushed, not committed: nothing leaves yet
        db.session.commit()
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [row.target_id for row in rows] == [inquiry.id, inquiry.id]
        assert published == [(relay.PROCESS_OUTBOX, row.id) for row in rows]


def test_the_sweep_publishes_what_the_fast_path_missed_once(
    app: Flask, published: list[tuple[str, int]]
) -> None:
    with app.app_context():
        make_inquiry("P1")
        db.session.commit()
        published.clear()  # as if the broker had been down at commit
        assert relay.sweep_outbox() == 0, "rows younger than the grace period are left alone"
        db.session.execute(update(OutboxMessage).values(created_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
        assert relay.sweep_outbox() == 2
        assert relay.sweep_outbox() == 0, "a claimed row is not published again at once"
        ids = [record_id for _task, record_id in published]
        assert len(set(ids)) == 2
        # Processed rows are never published again, however old.
        for outbox_id in ids:
            assert relay.process_outbox(outbox_id) == "processed"
            assert relay.process_outbox(outbox_id) == "skipped"
        db.session.execute(update(OutboxMessage).values(published_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
        assert relay.sweep_outbox() == 0


def test_alert_escalates_to_fallback_then_everyone_and_ends_exhausted(
    app: Flask, rota: dict[str, int], published: list[tuple[str, int]], smtp: Inbox
) -> None:
    with app.app_context():
        app.config["ESCALATION_MAX_ROUNDS"] = 2
        try:
            inquiry = make_inquiry("P0")
            db.session.commit()
            for task, outbox_id in list(published):
                if task == relay.PROCESS_OUTBOX:
                    relay.process_outbox(outbox_id)
            alert = db.session.scalars(select(Alert)).one()
            assert (alert.status, alert.round, alert.priority) == ("sent", 0, "P0")
            wave = _alert_deliveries(alert.id)
            assert [d.recipient_user_id for d in wave] == [rota["oncall"]]
            assert alert.next_action_at - alert.last_sent_at == timedelta(minutes=5)

            assert sweep_alerts() == {}, "nothing is due before the escalation time"
            _make_due(alert.id)
            assert sweep_alerts() == {"escalated": 1}
            wave = [d for d in _alert_deliveries(alert.id) if d.wave == 1]
            assert [d.recipient_user_id for d in wave] == [rota["fallback"]]

            everyone = {rota["oncall"], rota["fallback"], rota["other"]}
            for round_ in (2, 3):
                _make_due(alert.id)
                assert sweep_alerts() == {"escalated": 1}
                wave = [d for d in _alert_deliveries(alert.id) if d.wave == round_]
                # Every clinician and admin; the admissions-only user is not paged.
                assert {d.recipient_user_id for d in wave} == everyone
            _make_due(alert.id)
            assert sweep_alerts() == {"exhausted": 1}
            _make_due(alert.id)
            assert sweep_alerts() == {}, "an exhausted alert is left alone"
            assert len(_alert_deliveries(alert.id)) == 1 + 1 + 3 + 3

            # Each wave's email really goes out, with the priority and a link only.
            for delivery in _alert_deliveries(alert.id):
                assert send_delivery(delivery.id) == "sent"
            assert len(smtp.messages) == 8
            first = smtp.to("oncall@example.org")[0]
            assert first["Subject"] == "P0 inquiry waiting"
            body = first.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
            assert f"/staff/alerts/{alert.id}" in body
            assert "United Kingdom" in body
            for message in smtp.messages:
                raw = message.as_string()
                for private in (
                    "Maria",
                    "person@example.net",
                    "my private words",
                    inquiry.reference,
                ):
                    assert private not in raw
        finally:
            app.config["ESCALATION_MAX_ROUNDS"] = 3


def test_a_claim_stops_the_escalation_and_unsent_alerts(
    app: Flask, rota: dict[str, int], published: list[tuple[str, int]], smtp: Inbox
) -> None:
    with app.app_context():
        inquiry = make_inquiry("P1", email=None)
        db.session.commit()
        relay.process_outbox(published[0][1])
        alert = db.session.scalars(select(Alert)).one()
        assert alert.next_action_at - alert.last_sent_at == timedelta(minutes=30)
        db.session.execute(
            update(TriageCase)
            .where(TriageCase.inquiry_id == inquiry.id)
            .values(status="claimed", claimed_at=utcnow(), assignee_id=rota["other"])
        )
        db.session.commit()
        # The first wave had not gone out yet: it is cancelled, not sent.
        (delivery,) = _alert_deliveries(alert.id)
        assert send_delivery(delivery.id) == "cancelled"
        assert smtp.messages == []
        _make_due(alert.id)
        assert sweep_alerts() == {"acknowledged": 1}
        db.session.refresh(alert)
        assert (alert.status, alert.closed_reason) == ("acknowledged", "claimed")
        assert alert.acknowledged_by_id == rota["other"]
        assert len(_alert_deliveries(alert.id)) == 1


def test_with_nobody_on_call_everyone_is_alerted_and_the_webhook_fires(
    app: Flask, rota: dict[str, int], published: list[tuple[str, int]]
) -> None:
    with app.app_context():
        db.session.execute(update(OnCallShift).values(ends_at=utcnow() - timedelta(minutes=1)))
        app.config["ALERT_WEBHOOK_URL"] = "http://127.0.0.1:9/hook"
        try:
            make_inquiry("P0", email=None)
            db.session.commit()
            relay.process_outbox(published[0][1])
        finally:
            app.config["ALERT_WEBHOOK_URL"] = None
        alert = db.session.scalars(select(Alert)).one()
        assert (alert.status, alert.round) == ("sent", 2)
        wave = _alert_deliveries(alert.id)
        assert {d.channel for d in wave} == {"email", "webhook"}
        assert {d.recipient_user_id for d in wave if d.channel == "email"} == {
            rota["oncall"],
            rota["fallback"],
            rota["other"],
        }
        # Due now, so each was marked for publishing right after the commit.
        assert {(relay.SEND_DELIVERY, d.id) for d in wave} <= set(published)


def test_acknowledging_from_the_alert_page(
    app: Flask, rota: dict[str, int], published: list[tuple[str, int]]
) -> None:
    from tests.conftest import AuthActions, csrf_from

    with app.app_context():
        make_inquiry("P0", email=None)
        db.session.commit()
        relay.process_outbox(published[0][1])
        alert_id = db.session.scalars(select(Alert.id)).one()
    client = app.test_client()
    AuthActions(client).login("oncall@example.org")
    page = client.get(f"/staff/alerts/{alert_id}")
    assert page.status_code == 200
    assert "stop the escalation" in page.get_data(as_text=True)
    response = client.post(
        f"/staff/alerts/{alert_id}/acknowledge", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302
    with app.app_context():
        alert = db.session.get(Alert, alert_id)
        assert alert is not None
        assert (alert.status, alert.acknowledged_by_id) == ("acknowledged", rota["oncall"])
        _make_due(alert_id)
        assert sweep_alerts() == {}
    assert client.get("/staff/alerts/").status_code == 200
