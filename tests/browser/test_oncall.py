"""The on-call path in a real browser: a person sends a P0, the on-call clinician receives the
alert email (real SMTP server, the real delivery path), follows its link, signs in and lands on
that inquiry."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select

from intake.auth.models import User
from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging import relay
from intake.messaging.deliveries import send_delivery
from intake.messaging.models import OnCallShift
from intake.messaging.oncall import add_shift
from intake.messaging.outbox import OutboxMessage
from intake.public.models import Inquiry
from intake.triage.alerting import messages_for_inquiry
from tests.browser.conftest import save_screenshot
from tests.conftest import PASSWORD, LiveServer, make_user
from tests.reliability.support import smtp_server, text_of

CLINICIAN = "oncall.browser@example.org"
INQUIRY_LINK = re.compile(r"Open the inquiry \(sign in first\): (\S+)")


def _deliver_the_alert(reference: str, clinician_id: int) -> None:
    """What the worker does after the form is stored: handle the outbox rows (open the alert,
    queue its first wave), then send the on-call clinician's email."""
    inquiry_id = db.session.scalar(select(Inquiry.id).where(Inquiry.reference == reference))
    assert inquiry_id is not None
    outbox_ids = db.session.scalars(
        select(OutboxMessage.id).where(
            OutboxMessage.target_id == inquiry_id, OutboxMessage.processed_at.is_(None)
        )
    ).all()
    for outbox_id in outbox_ids:
        relay.process_outbox(outbox_id)
    alert_emails = [
        delivery.id
        for delivery in messages_for_inquiry(inquiry_id)
        if delivery.kind == "staff_alert" and delivery.recipient_user_id == clinician_id
    ]
    assert len(alert_emails) == 1
    assert send_delivery(alert_emails[0]) == "sent"


def test_alert_email_link_opens_the_inquiry_for_the_on_call_clinician(
    live_server: LiveServer, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = live_server.app
    clinician_id = make_user(app, CLINICIAN, {Role.CLINICIAN}, name="On Call Clinician")
    with app.app_context():
        clinician = db.session.get(User, clinician_id)
        assert clinician is not None
        shift = add_shift(clinician, utcnow() - timedelta(minutes=1), timedelta(hours=2))
        db.session.commit()
        shift_id = shift.id
    monkeypatch.setitem(app.config, "BASE_URL", live_server.url)
    person = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        with smtp_server() as (inbox, port):
            monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
            monkeypatch.setitem(app.config, "MAIL_PORT", port)
            form = person.new_page()
            form.set_default_timeout(15_000)
            form.goto(f"{live_server.url}/en/")
            form.fill(
                "#message", "I've got a month of pills lined up and I'm going to end it tonight"
            )
            form.fill("#phone", "+44 7700 900123")
            form.check("#consent")
            form.click("button[type=submit]")
            form.wait_for_url(f"{live_server.url}/en/thanks")
            reference = form.inner_text(".reference").strip()

            with app.app_context():
                _deliver_the_alert(reference, clinician_id)
            (email,) = inbox.to(CLINICIAN)
        body = text_of(email)
        assert reference not in email.as_string(), "the alert names nobody"
        found = INQUIRY_LINK.search(body)
        assert found, body
        link = found.group(1)
        assert link.startswith(f"{live_server.url}/staff/triage/")

        page = staff.new_page()
        page.set_default_timeout(15_000)
        page.goto(link)
        page.wait_for_selector("#email")  # not signed in yet: the sign-in page
        page.fill("#email", CLINICIAN)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(link)
        assert reference in page.inner_text("main")
        assert "Respond now" in page.inner_text("main")
        save_screenshot(page, "oncall-alert-link-to-inquiry")
    finally:
        person.close()
        staff.close()
        with app.app_context():
            db.session.execute(delete(OnCallShift).where(OnCallShift.id == shift_id))
            db.session.commit()
