"""A phone call taken down in a real browser: from the staff home to the form, a P0 answer
shows the worker the emergency number and crisis lines first, and the queue lists the call."""

from __future__ import annotations

from typing import Any

from intake.auth.permissions import Role
from tests.browser.conftest import save_screenshot, serious_accessibility_violations
from tests.conftest import PASSWORD, LiveServer, make_user


def test_a_worker_records_a_p0_phone_call(live_server: LiveServer, browser: Any) -> None:
    make_user(live_server.app, "phones@example.org", {Role.ADMISSIONS}, name="Phone Worker")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/staff/login")
        page.fill("#email", "phones@example.org")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.click("#take-inquiry-link")
        page.wait_for_selector("#take-inquiry")
        assert serious_accessibility_violations(page) == []

        page.check("#source-phone")
        page.fill("#message", "Her partner is not breathing properly after taking pills.")
        page.fill("#phone", "+34 600 123 456")
        page.select_option("#country", "ES")
        page.check("#for_whom-someone_else")
        page.check("#risk_breathing_difficulty")
        page.check("#consent")
        save_screenshot(page, "taken-call-form")
        page.click("#take-inquiry button[type=submit]")
        page.wait_for_selector("#urgent-guidance")
        main = page.inner_text("main")
        assert "112" in main and "024" in main
        assert main.index("112") < main.index("Inquiry recorded")
        reference = page.inner_text(".reference")
        assert serious_accessibility_violations(page) == []
        save_screenshot(page, "taken-call-p0")

        page.goto(f"{live_server.url}/staff/triage/")
        row = page.locator(f"#queue-rows tr:has(a:text-is('{reference}'))")
        assert "a phone call" in row.inner_text()
        assert row.get_attribute("class") == "priority-P0"
    finally:
        context.close()
