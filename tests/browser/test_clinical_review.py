"""A clinician's review in Chromium: from the review queue to a signed assessment with its
level-of-care suggestion; an admissions worker is refused the same pages."""

from __future__ import annotations

from typing import Any

from intake.auth.permissions import Role
from tests.browser.conftest import save_screenshot
from tests.clinical.helpers import episode_in_review
from tests.conftest import PASSWORD, LiveServer, make_user


def _sign_in(page: Any, url: str, email: str, target: str) -> None:
    page.goto(f"{url}/staff/login?next={target}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def test_a_clinician_reviews_assesses_and_signs(live_server: LiveServer, browser: Any) -> None:
    url = live_server.url
    make_user(live_server.app, "browser-clinician@example.org", {Role.CLINICIAN})
    make_user(live_server.app, "browser-admissions@example.org", {Role.ADMISSIONS})
    episode_id = episode_in_review(
        live_server.app, message="I take Xanax every day and want to stop", name="Clara Browser"
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        _sign_in(page, url, "browser-clinician@example.org", "/staff/clinical/review")
        page.wait_for_url(f"{url}/staff/clinical/review")
        item = f"li.review-item[data-episode='{episode_id}']"
        assert "Clara Browser" in page.inner_text(item)
        page.click(f"{item} h2 a")
        page.wait_for_selector("#decision-form")
        assert "No consent recorded" in page.inner_text("main")
        page.check("#decision-0")
        page.click("#decision-form button[type=submit]")
        page.wait_for_selector("text=Decision recorded")
        assert "Clinical review" in page.inner_text("#episode-stage")

        page.click("#new-assessment")
        page.select_option("#substances-0-substance", "alprazolam")
        page.fill("#substances-0-dose", "6 mg a day")
        page.select_option("#substances-0-route", "oral")
        page.select_option("#asq_result", "negative")
        page.select_option("#safety_outcome", "not_needed")
        for i in range(1, 10):
            page.fill(f"#phq9_{i}", "1" if i < 9 else "0")
        ratings = {
            "intoxication_withdrawal": "4",
            "biomedical": "1",
            "emotional_behavioural_cognitive": "2",
            "substance_use_risks": "1",
            "recovery_environment": "1",
            "person_centred": "0",
        }
        for name, value in ratings.items():
            page.fill(f"#dim_{name}", value)
        page.click("#record-form button[type=submit]")
        page.wait_for_selector("#level-of-care")
        assert "Medically monitored inpatient withdrawal management" in page.inner_text(
            "#suggested-level"
        )
        assert "Intoxication and withdrawal" in page.inner_text("#level-driver")

        page.fill("#secret", PASSWORD)
        page.click("#sign-form button[type=submit]")
        page.wait_for_selector("#hash-ok")
        assert "Signed" in page.inner_text("#record-status")
        assert page.query_selector("#record-form") is None
        record_url = page.url
        save_screenshot(page, "clinical-signed-assessment")

        admissions = browser.new_context()
        try:
            other = admissions.new_page()
            other.set_default_timeout(15_000)
            _sign_in(other, url, "browser-admissions@example.org", "/staff/")
            other.wait_for_url(f"{url}/staff/")
            assert "Clinical review" not in other.inner_text("nav")
            for target in (
                f"{url}/staff/clinical/review",
                record_url,
                f"{url}/staff/clinical/review/{episode_id}",
            ):
                response = other.goto(target)
                assert response is not None and response.status == 403, target
                assert "6 mg a day" not in other.content()
        finally:
            admissions.close()
    finally:
        context.close()
