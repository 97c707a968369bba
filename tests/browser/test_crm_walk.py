"""The admissions CRM in a real browser, from a new inquiry to admission: found by its reference,
a second inquiry by the same person under a slightly different name found as a duplicate,
merged, the merge undone and done again, a task created and completed, a message sent (and
received by a real SMTP server), the episode moved stage by stage to admitted, and its referrer
counted as having sent someone who was admitted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.crm.messages import CASE_MESSAGE_KIND
from intake.extensions import db
from intake.messaging.deliveries import send_delivery
from intake.messaging.models import Delivery
from intake.messaging.oncall import utc_to_local
from tests.browser.conftest import save_screenshot, serious_accessibility_violations
from tests.conftest import PASSWORD, LiveServer, make_user
from tests.reliability.support import smtp_server, text_of

EMAIL = "maria.walk@example.net"


def _inquire(public: Any, url: str, name: str) -> str:
    """Send the public form as a person would; the reference the thanks page shows."""
    page = public.new_page()
    page.goto(f"{url}/en/?utm_source=walk-test")
    page.fill("#message", "I drink every day and I want to stop. Please call me.")
    page.fill("#email", EMAIL)
    page.click("text=More about you")
    page.fill("#name", name)
    page.check("#safe_to_leave_message")
    page.check("#consent")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/en/thanks")
    reference = page.inner_text(".reference")
    page.close()
    return reference


def _dashboard(page: Any, url: str) -> tuple[int, tuple[int, int]]:
    """The funnel's admitted count and the web form's (inquiries, admitted) on the reports page."""
    if "/staff/crm/reports" not in page.url:
        page.goto(f"{url}/staff/crm/reports")
    page.wait_for_selector("#funnel")
    admitted = int(page.locator("#funnel tr[data-stage='admitted'] td").first.inner_text())
    web = page.locator("#source-yield tr[data-source='web-form'] td")
    return admitted, (int(web.nth(0).inner_text()), int(web.nth(2).inner_text()))


def test_an_inquiry_walks_from_new_to_admitted(live_server: LiveServer, browser: Any) -> None:
    url = live_server.url
    make_user(live_server.app, "walk-worker@example.org", {Role.ADMISSIONS}, name="Walk Worker")
    public = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        reference = _inquire(public, url, "Maria Lopez")
        # The same person writes again under a slightly different name: a duplicate candidate.
        _inquire(public, url, "Maria Lopes")

        page = staff.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{url}/staff/login?next=/staff/crm/search")
        page.fill("#email", "walk-worker@example.org")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/staff/crm/search")
        # The dashboard before the walk (the live server is shared with other browser tests).
        admitted_before, web_before = _dashboard(page, url)
        assert web_before[0] >= 2  # both inquiries are already counted as the form's
        page.goto(f"{url}/staff/crm/search")

        # Found by its reference, typed as a person reads it out.
        page.fill("#q", reference.lower())
        page.click("form[role=search] button[type=submit]")
        page.wait_for_selector("#results a")
        assert "Maria Lopez" in page.inner_text("#results")
        page.click("#results a:has-text('Maria Lopez')")
        page.wait_for_selector("#duplicates")

        # The duplicate, with its reasons; merged, undone, merged again.
        duplicates = page.inner_text("#duplicates")
        assert "Maria Lopes" in duplicates and "same email" in duplicates
        page.click("#duplicates .merge-button")
        page.wait_for_selector("text=Merged. The merge can be undone below.")
        assert page.locator("#episodes li").count() == 2
        page.click("#merges .undo-button")
        page.wait_for_selector("text=The merge is undone")
        assert page.locator("#episodes li").count() == 1
        assert "undone" in page.inner_text("#merges")
        page.click("#duplicates .merge-button")
        page.wait_for_selector("text=Merged. The merge can be undone below.")
        assert page.locator("#episodes li").count() == 2
        assert serious_accessibility_violations(page) == []

        # The episode the first inquiry opened.
        page.click(f"#episodes a:has-text('{reference}')")
        page.wait_for_selector("#episode-stage")
        episode_url = page.url
        assert "New" in page.inner_text("#episode-stage")
        assert "utm_source=walk-test" in page.inner_text("#episode-source")

        # A task, created and completed.
        due = utc_to_local(utcnow() + timedelta(days=1), "Europe/Zurich")
        page.select_option("#kind", "callback")
        page.fill("#due_at", due.strftime("%Y-%m-%dT%H:%M"))
        page.fill("#note", "Call after work")
        page.click("#task-form button[type=submit]")
        page.wait_for_selector("text=Task added.")
        assert "Call after work" in page.inner_text("#tasks")
        page.click("#tasks button:has-text('Mark done')")
        page.wait_for_selector("text=Task done.")
        assert "done" in page.inner_text("#tasks")

        # A message from the case; the mail server receives it.
        with smtp_server() as (inbox, port):
            live_server.app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
            page.select_option("#template", "call_back")
            page.select_option("#channel", "email")
            page.click("#message-form button[type=submit]")
            page.wait_for_selector("text=Message queued for sending: Please call us back.")
            assert "Walk Worker" in page.inner_text("#case-messages")
            # A worker would take it from the broker; here the test sends it.
            with live_server.app.app_context():
                delivery_id = db.session.scalar(
                    select(Delivery.id).where(Delivery.kind == CASE_MESSAGE_KIND)
                )
                assert delivery_id is not None
                assert send_delivery(delivery_id) == "sent"
                db.session.remove()
            mail = inbox.to(EMAIL)
            assert len(mail) == 1 and mail[0]["Subject"] == "Please call us back"
            assert reference in text_of(mail[0])
        page.goto(episode_url)
        assert "Sent" in page.inner_text("#case-messages")

        # Stage by stage: a call that reaches the person moves it to contacted, then by hand.
        page.click("#log-call")
        page.select_option("#outcome", "reached")
        page.click("#save-call")
        page.wait_for_selector("text=Call logged.")
        assert "Contacted" in page.inner_text("#episode-stage")
        for stage in ("Pre-assessment", "Clinical review", "Offer", "Admitted"):
            page.click(f"#move-form button:has-text('Move to {stage}')")
            page.wait_for_selector(f"text=Moved to {stage}.")
            assert stage in page.inner_text("#episode-stage")
        history = page.inner_text("#history")
        for stage in ("New", "Contacted", "Pre-assessment", "Clinical review", "Offer"):
            assert stage in history
        assert serious_accessibility_violations(page) == []
        save_screenshot(page, "crm-walk-admitted")

        # Who sent them: a referrer added by staff, set on the episode, counted as admitted.
        page.goto(f"{url}/staff/crm/referrers")
        page.click("#new-referrer")
        page.select_option("#kind", "organisation")
        page.fill("#organisation", "Centro de Salud Norte")
        page.click("#referrer-form button[type=submit]")
        page.wait_for_selector("text=Referrer added.")
        page.goto(episode_url)
        page.select_option("#source-referrer_id", label="Centro de Salud Norte")
        page.click("#source-form button[type=submit]")
        page.wait_for_selector("text=Source saved.")
        page.click("#episode-referrer a")
        page.wait_for_selector("#admitted-count")
        assert page.inner_text("#admitted-count") == "1"
        assert reference in page.inner_text("#sent-episodes")
        assert serious_accessibility_violations(page) == []

        # The dashboard counts the admission: in the funnel and in the web form's yield.
        page.click("nav a:has-text('Reports')")
        admitted_after, web_after = _dashboard(page, url)
        assert admitted_after == admitted_before + 1
        assert web_after == (web_before[0], web_before[1] + 1)
        # Each chart is an image of its own, drawn by the server (same origin, allowed by the
        # policy) and loaded by the browser; its alt text names it and points to the table.
        chart = page.locator("#funnel img.chart")
        assert chart.count() == 1
        assert "Episodes that reached each stage" in (chart.get_attribute("alt") or "")
        chart.scroll_into_view_if_needed()
        page.wait_for_function(
            "image => image.complete && image.naturalWidth > 0", arg=chart.element_handle()
        )
        assert chart.evaluate("image => image.naturalWidth") == 720
        assert serious_accessibility_violations(page) == []
        save_screenshot(page, "crm-walk-dashboard")
    finally:
        staff.close()
        public.close()
