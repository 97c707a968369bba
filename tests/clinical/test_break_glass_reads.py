"""Break-glass opens a person's clinical records to an admin, read only, for the grant's life.

An admin has no clinical permission; in an emergency they state a reason and get a grant for one
person (``intake.clinical.break_glass``). Under it the review page, the record and its kept
versions open without any form to change them, and each read is a prominent audit row; without
a grant, or for another person, the same pages stay 403.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from intake.auth.permissions import Role
from intake.clinical.consent_models import BreakGlassGrant
from intake.crm.models import Episode
from intake.extensions import db
from tests.clinical.helpers import assessment_data, episode_in_review, post_form
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags
from tests.factories import PASSWORD

MARK = "OTTER-ASSESSMENT-4410"


def _signed_assessment(app: Flask, client: FlaskClient) -> tuple[int, int, int]:
    episode_id = episode_in_review(app, message="please call", name="Glass Person")
    AuthActions(client).login(ROLE_EMAILS[Role.CLINICIAN])
    page = f"/staff/clinical/episodes/{episode_id}/assessments/new"
    response = post_form(client, page, page, **assessment_data(summary=MARK))
    record_id = int(response.headers["Location"].rsplit("/", 1)[1])
    record_page = f"/staff/clinical/records/{record_id}"
    assert post_form(client, record_page, f"{record_page}/sign", secret=PASSWORD).status_code == 302
    AuthActions(client).logout()
    with app.app_context():
        episode = db.session.get(Episode, episode_id)
        assert episode is not None
        return episode_id, record_id, episode.person_id


def _pages(episode_id: int, record_id: int) -> list[str]:
    return [
        f"/staff/clinical/review/{episode_id}",
        f"/staff/clinical/records/{record_id}",
        f"/staff/clinical/records/{record_id}/versions/1",
    ]


def test_an_admin_reads_clinical_records_only_under_a_live_grant(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    episode_id, record_id, person_id = _signed_assessment(app, client)
    AuthActions(client).login(ROLE_EMAILS[Role.ADMIN])
    for page in _pages(episode_id, record_id):
        response = client.get(page)
        assert response.status_code == 403, page
        assert MARK not in response.get_data(as_text=True)

    asked = post_form(
        client,
        f"/staff/people/{person_id}/break-glass",
        f"/staff/people/{person_id}/break-glass",
        reason="Emergency department asking what was taken, patient unconscious",
    )
    assert asked.status_code == 302
    for page in _pages(episode_id, record_id):
        response = client.get(page)
        assert response.status_code == 200, page
    record_page = client.get(f"/staff/clinical/records/{record_id}").get_data(as_text=True)
    assert MARK in record_page
    # Read only: the grant opens no form that writes, and writing is still refused.
    assert 'name="secret"' not in record_page
    record_url = f"/staff/clinical/records/{record_id}"
    addendum = post_form(client, record_url, f"{record_url}/addenda", reason="x", body="y")
    assert addendum.status_code == 403
    # Every read under the grant: the three pages, the record twice more (its text, then the form
    # token for the refused addendum).
    assert audit_tags(app, actor_id=staff[Role.ADMIN]).count("clinical:break_glass:read") == 5

    # When the grant runs out the pages close again.
    with app.app_context():
        grant = db.session.scalars(db.select(BreakGlassGrant)).one()
        grant.granted_at -= timedelta(minutes=61)
        grant.expires_at -= timedelta(minutes=61)
        db.session.commit()
    for page in _pages(episode_id, record_id):
        assert client.get(page).status_code == 403, page


def test_admissions_staff_cannot_break_the_glass_into_clinical_pages(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    episode_id, record_id, person_id = _signed_assessment(app, client)
    AuthActions(client).login(ROLE_EMAILS[Role.ADMISSIONS])
    assert client.get(f"/staff/people/{person_id}/break-glass").status_code == 403
    for page in _pages(episode_id, record_id):
        assert client.get(page).status_code == 403, page
