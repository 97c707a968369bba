"""The front door in real Chromium: a person in a hurry is never dropped, and a long message is
never cut without a word."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from intake.extensions import db
from intake.messaging.outbox import OutboxMessage
from intake.public.models import Inquiry, InquiryQuarantine
from intake.triage.models import TriageResult
from tests.browser.conftest import PHONE, save_screenshot
from tests.conftest import LiveServer

P0_WORDS = "I am going to kill myself tonight, I have the rope ready"
REFERENCE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}$")


def test_a_p0_sent_in_one_breath_shows_the_emergency_number_and_is_kept(
    live_server: LiveServer, phone_page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The production threshold: a form sent sooner than this looks automated.
    monkeypatch.setitem(live_server.app.config, "FORM_MIN_FILL_SECONDS", 3)
    page = phone_page
    page.goto(f"{live_server.url}/en/")
    page.fill("#message", P0_WORDS)
    page.fill("#phone", "+44 7700 900123")
    page.check("#consent")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/en/thanks")

    heading = page.locator("main h1").first
    assert "999" in heading.inner_text()
    call = page.locator('main a[href="tel:999"]').first
    box = call.bounding_box()
    assert box is not None and box["y"] + box["height"] < PHONE["height"]  # no scrolling needed
    reference = page.locator("main .reference").inner_text().strip()
    assert REFERENCE.match(reference), reference
    save_screenshot(page, "front-door-p0-in-a-hurry")

    with live_server.app.app_context():
        inquiry = db.session.scalars(select(Inquiry).where(Inquiry.reference == reference)).one()
        assert inquiry.message == P0_WORDS
        assert inquiry.suspected_automated is True
        held = db.session.scalars(
            select(InquiryQuarantine).where(InquiryQuarantine.inquiry_id == inquiry.id)
        ).one()
        assert (held.status, held.reason_codes) == ("held", ["too_fast"])
        priorities = db.session.scalars(
            select(TriageResult.priority).where(TriageResult.inquiry_id == inquiry.id)
        ).all()
        assert priorities == ["P0"]
        alerts = db.session.scalars(
            select(OutboxMessage.kind).where(
                OutboxMessage.target_type == "inquiry", OutboxMessage.target_id == inquiry.id
            )
        ).all()
        assert alerts == ["staff_alert"]


def test_a_pasted_message_over_the_limit_is_counted_not_cut(
    live_server: LiveServer, phone_page: Any
) -> None:
    page = phone_page
    page.goto(f"{live_server.url}/en/")
    counter = page.locator("#message-count")
    assert counter.is_visible()
    assert counter.inner_text() == "0 of 5,000 characters"
    over = page.locator("#message-over")
    assert not over.is_visible()
    page.fill("#message", "x" * 5120)
    assert len(page.input_value("#message")) == 5120  # nothing cut
    assert counter.inner_text() == "5,120 of 5,000 characters"
    assert over.is_visible()
    assert over.inner_text() == (
        "120 characters over the limit. Please shorten your message before you send it."
    )
    assert page.get_attribute("#message", "aria-invalid") == "true"
    page.fill("#message", "x" * 5000)
    assert not over.is_visible()
    assert counter.inner_text() == "5,000 of 5,000 characters"
    assert page.get_attribute("#message", "aria-invalid") is None


def test_without_javascript_a_long_message_comes_back_with_a_clear_error(
    live_server: LiveServer, browser: Any
) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/en/")
        assert page.locator("#message-hint").inner_text() == "Up to 5,000 characters."
        long_message = "y" * 5001
        page.fill("#message", long_message)
        page.fill("#email", "long.message@example.net")
        page.check("#consent")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert "Please keep this under 5000 characters (it has 5001)." in page.inner_text("main")
        assert page.input_value("#message") == long_message
    finally:
        context.close()
