"""Aftercare in a real browser: a person opens the check-in link from their message on a phone
and asks for a call, and the task is on the therapist's day; another answers with worrying
words, and the triage queue shows it with its flags."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from intake.aftercare import messages, use_cases
from intake.aftercare.models import CheckIn
from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.models import Delivery
from tests.aftercare.conftest import open_plan
from tests.browser.conftest import save_screenshot
from tests.conftest import PASSWORD, LiveServer, make_user

THERAPIST = "therapist.aftercare@example.org"


def _check_in_link(app: Any, owner_id: int) -> tuple[str, int]:
    """A plan whose first check-in is due, swept and composed as the sender composes it; the
    link the person receives, and the plan's episode."""
    with app.app_context():
        plan = open_plan(owner_id, timezone="UTC", quiet_start=0, quiet_end=0)
        db.session.flush()
        plan.checkins[0].due_at = utcnow()
        db.session.commit()
        use_cases.sweep()
        delivery = db.session.scalar(
            select(Delivery)
            .join(CheckIn, CheckIn.id == Delivery.subject_id)
            .where(CheckIn.plan_id == plan.id)
        )
        assert delivery is not None
        composed = messages.compose_checkin(delivery)
        db.session.add_all(composed.new_rows)
        db.session.commit()
        found = re.search(r"(https?://\S+/en/c/[A-Za-z0-9_-]+)\n", composed.text)
        assert found, composed.text
        assert "treatment" not in composed.subject.lower()
        return found.group(1), plan.episode_id


def test_a_call_request_and_worrying_words_reach_staff(
    live_server: LiveServer, browser: Any, phone_page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = live_server.app
    monkeypatch.setitem(app.config, "BASE_URL", live_server.url)
    owner = make_user(app, THERAPIST, {Role.CLINICIAN}, name="Theo Therapist")
    first_link, episode_id = _check_in_link(app, owner)

    phone_page.goto(first_link)
    phone_page.check("#wellbeing-2")
    phone_page.check("#call")
    save_screenshot(phone_page, "aftercare-check-in-phone")
    phone_page.click("#send")
    phone_page.wait_for_selector("#thanks")
    assert "Someone from the team will call you today." in phone_page.inner_text("main")
    # Opened again (or forwarded): nothing personal, nothing to answer.
    phone_page.goto(first_link)
    assert "already been used" in phone_page.inner_text("main")

    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = staff.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/staff/login?next=/staff/crm/episodes/{episode_id}")
        page.fill("#email", THERAPIST)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/staff/crm/episodes/{episode_id}")
        tasks = page.inner_text("#tasks")
        assert "Aftercare: asked for a call." in tasks
        assert "Theo Therapist" in tasks

        second_link, _episode = _check_in_link(app, owner)
        phone_page.goto(second_link)
        phone_page.check("#use-1")
        phone_page.fill("#free_text", "I used again last night and I keep thinking about ending it")
        phone_page.click("#send")
        phone_page.wait_for_selector("#thanks")

        page.goto(f"{live_server.url}/staff/triage/")
        row = page.locator("#queue-rows tr", has_text="Check-in").first
        if row.count() == 0:
            row = page.locator("#queue-rows tr.priority-P0, #queue-rows tr.priority-P1").first
        row.locator("a").first.click()
        page.wait_for_selector("ul.flags")
        flags = page.inner_text("ul.flags")
        assert "Check-in: reported use since the last check-in." in flags
        save_screenshot(page, "aftercare-reply-in-triage")
    finally:
        staff.close()
