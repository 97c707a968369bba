"""The triage queue in a real browser: a P0 arrives while it is open, shows up without a reload,
is claimed, a contact attempt is logged, and the clock stops."""

from __future__ import annotations

from typing import Any

from intake.auth.permissions import Role
from tests.browser.conftest import save_screenshot, serious_accessibility_violations
from tests.conftest import PASSWORD, LiveServer, make_user


def test_new_p0_appears_live_and_is_handled(live_server: LiveServer, browser: Any) -> None:
    live_server.app.config["QUEUE_POLL_SECONDS"] = 2
    make_user(live_server.app, "queue-worker@example.org", {Role.ADMISSIONS}, name="Queue Worker")
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    public = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        queue = staff.new_page()
        queue.set_default_timeout(15_000)
        queue.goto(f"{live_server.url}/staff/login?next=/staff/triage/")
        queue.fill("#email", "queue-worker@example.org")
        queue.fill("#password", PASSWORD)
        queue.click("button[type=submit]")
        queue.wait_for_url(f"{live_server.url}/staff/triage/")
        assert serious_accessibility_violations(queue) == []
        title_before = queue.title()

        person = public.new_page()
        person.goto(f"{live_server.url}/en/")
        person.fill(
            "#message", "I've got a month of pills lined up and I'm going to end it tonight"
        )
        person.fill("#email", "p0.browser@example.net")
        person.check("#consent")
        person.click("button[type=submit]")
        person.wait_for_url(f"{live_server.url}/en/thanks")
        reference = person.inner_text(".reference")

        # No reload: the row, the banner and the title change arrive by polling.
        row = f"#queue-rows tr.priority-P0:has(a:text-is('{reference}'))"
        queue.wait_for_selector(row)
        queue.wait_for_selector("#new-urgent:not([hidden])")
        assert reference in queue.inner_text("#new-urgent")
        assert queue.title() != title_before and "(!)" in queue.title()
        save_screenshot(queue, "queue-new-p0")

        queue.click(f"{row} a")
        queue.wait_for_selector("#claim")
        assert "Respond now" in queue.inner_text("main")
        queue.click("#claim")
        queue.wait_for_selector("text=You have this inquiry")
        assert "Queue Worker" in queue.inner_text("#case-assignee")
        queue.select_option("#channel", "phone")
        queue.select_option("#outcome", "reached")
        queue.fill("#note", "Talked, safety plan agreed, ambulance not needed")
        queue.click("#attempt-form button[type=submit]")
        queue.wait_for_selector("text=The clock has stopped")
        assert "stopped" in queue.inner_text("#detail-clock")
        save_screenshot(queue, "queue-p0-handled")
    finally:
        staff.close()
        public.close()
