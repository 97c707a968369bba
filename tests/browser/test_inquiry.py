"""A person sends an inquiry on a phone, in a real browser, and sees what fits their answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import PHONE, save_screenshot, serious_accessibility_violations
from tests.conftest import LiveServer


def _fill_and_send(page: Any, message: str, contact: dict[str, str], country: str) -> None:
    page.fill("#message", message)
    for field, value in contact.items():
        page.fill(f"#{field}", value)
    page.click("details.optional >> nth=0 >> summary")
    page.select_option("#country", country)
    page.check("#consent")
    page.click("button[type=submit]")


def test_routine_inquiry_in_english(live_server: LiveServer, phone_page: Any) -> None:
    phone_page.goto(f"{live_server.url}/en/")
    assert serious_accessibility_violations(phone_page) == []
    save_screenshot(phone_page, "inquiry-form-en")
    _fill_and_send(
        phone_page,
        "I would like to talk to someone about coming off diazepam slowly.",
        {"email": "browser.person@example.net"},
        "GB",
    )
    phone_page.wait_for_url(f"{live_server.url}/en/thanks")
    main = phone_page.inner_text("main")
    assert "We have your message" in main
    assert "Your reference" in main
    assert "Samaritans" in main
    save_screenshot(phone_page, "inquiry-p2-en")
    assert serious_accessibility_violations(phone_page) == []


def test_emergency_in_spanish_shows_the_number_first(
    live_server: LiveServer, phone_page: Any
) -> None:
    phone_page.goto(f"{live_server.url}/es/")
    _fill_and_send(
        phone_page,
        "Mi madre se ha tomado todas las pastillas de Orfidal y no responde",
        {"phone": "+34 611 222 333"},
        "ES",
    )
    phone_page.wait_for_url(f"{live_server.url}/es/thanks")
    heading = phone_page.locator("main h1").first
    assert "112" in heading.inner_text()
    call = phone_page.locator('main a[href="tel:112"]').first
    box = call.bounding_box()
    assert box is not None and box["y"] + box["height"] < PHONE["height"]  # no scrolling needed
    assert phone_page.locator('main a[href="tel:024"]').first.is_visible()
    save_screenshot(phone_page, "inquiry-p0-es")
    assert serious_accessibility_violations(phone_page) == []


def test_acuity_question_appears_only_after_a_yes(live_server: LiveServer, phone_page: Any) -> None:
    phone_page.goto(f"{live_server.url}/en/")
    phone_page.click("details.optional >> nth=2 >> summary")
    acuity = phone_page.locator(".acuity")
    assert not acuity.is_visible()
    phone_page.check("#screen_wish_dead-no")
    assert not acuity.is_visible()
    phone_page.check("#screen_better_off_dead-yes")
    assert acuity.is_visible()


@pytest.fixture
def page_without_javascript(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_form_works_without_javascript(
    live_server: LiveServer, page_without_javascript: Any
) -> None:
    page = page_without_javascript
    page.goto(f"{live_server.url}/fr/")
    _fill_and_send(page, "J'ai besoin d'aide", {"email": "sans.js@example.net"}, "FR")
    page.wait_for_url(f"{live_server.url}/fr/thanks")
    assert "3114" in page.inner_text("main")
