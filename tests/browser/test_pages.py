"""What a person sees in a real browser on a phone: the public page, quick exit, staff sign-in."""

from __future__ import annotations

from typing import Any

from intake.auth.permissions import Role
from tests.browser.conftest import save_screenshot, serious_accessibility_violations
from tests.conftest import PASSWORD, LiveServer, make_user


def test_inquiry_page_shows_help_first_and_passes_accessibility(
    live_server: LiveServer, phone_page: Any
) -> None:
    phone_page.goto(f"{live_server.url}/en/?country=GB")
    strip = phone_page.locator(".danger-strip")
    assert strip.is_visible()
    assert "999" in strip.inner_text()
    assert "Samaritans" in strip.inner_text()
    assert phone_page.locator("#quick-exit").is_visible()
    save_screenshot(phone_page, "public-home-phone")
    assert serious_accessibility_violations(phone_page) == []


def test_quick_exit_leaves_and_replaces_the_history_entry(
    live_server: LiveServer, phone_page: Any
) -> None:
    phone_page.goto(f"{live_server.url}/leave")
    phone_page.goto(f"{live_server.url}/help?country=ES")
    phone_page.click("#quick-exit")
    phone_page.wait_for_url(f"{live_server.url}/leave")
    assert "Weather" in phone_page.title()
    # Back does not return to the help page: the exit replaced it in the history.
    phone_page.go_back()
    assert "/help" not in phone_page.url


def test_staff_sign_in_and_out_in_a_browser(live_server: LiveServer, phone_page: Any) -> None:
    make_user(live_server.app, "browser-admin@example.org", {Role.ADMIN}, name="Browser Admin")
    phone_page.goto(f"{live_server.url}/staff/")
    assert phone_page.url.startswith(f"{live_server.url}/staff/login")
    assert serious_accessibility_violations(phone_page) == []
    phone_page.fill("#email", "browser-admin@example.org")
    phone_page.fill("#password", "wrong password")
    phone_page.click("button[type=submit]")
    assert "do not match" in phone_page.locator(".form-error").inner_text()
    phone_page.fill("#password", PASSWORD)
    phone_page.click("button[type=submit]")
    phone_page.wait_for_url(f"{live_server.url}/staff/")
    assert "Hello, Browser Admin" in phone_page.inner_text("main")
    save_screenshot(phone_page, "staff-home-phone")
    assert serious_accessibility_violations(phone_page) == []
    phone_page.click("text=Sign out")
    phone_page.wait_for_url(f"{live_server.url}/staff/login")
    assert "Signed out." in phone_page.inner_text("main")
