"""Break-glass: a reason is required; the grant opens one person's clinical fields to that admin
for a limited time; the clinical lead is alerted by email with nothing personal in it; the audit
row stands out; clinicians review every use."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intake.auth.access import FieldGroup, may_read
from intake.auth.models import User
from intake.auth.permissions import Role
from intake.clinical.consent_models import BreakGlassGrant
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.deliveries import send_delivery
from intake.messaging.models import Delivery
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags, csrf_from
from tests.factories import PersonFactory
from tests.reliability import fixtures
from tests.reliability.support import Inbox, text_of

smtp = fixtures.smtp


def _person(app: Flask) -> int:
    with app.app_context():
        person = PersonFactory(name="Jonas Meier", email="jonas@example.net")
        db.session.commit()
        return int(person.id)


def _grants() -> list[BreakGlassGrant]:
    return list(db.session.scalars(select(BreakGlassGrant).order_by(BreakGlassGrant.id)))


def _ask(client: FlaskClient, person_id: int, reason: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/staff/people/{person_id}/break-glass")
    assert page.status_code == 200
    return client.post(
        f"/staff/people/{person_id}/break-glass",
        data={"csrf_token": csrf_from(page), "reason": reason},
    )


def test_an_admin_without_a_grant_is_refused_the_summary_and_sees_the_way_in(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    person_id = _person(app)
    AuthActions(client).login(ROLE_EMAILS[Role.ADMIN])
    assert client.get(f"/staff/people/{person_id}/summary").status_code == 403
    person_page = client.get(f"/staff/crm/people/{person_id}").get_data(as_text=True)
    assert f"/staff/people/{person_id}/break-glass" in person_page


def test_break_glass_without_a_reason_is_refused_and_changes_nothing(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    person_id = _person(app)
    AuthActions(client).login(ROLE_EMAILS[Role.ADMIN])
    response = _ask(client, person_id, "   ")
    assert response.status_code == 422
    assert "Say why you must see this record now" in response.get_data(as_text=True)
    with app.app_context():
        assert _grants() == []
        assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0
    assert client.get(f"/staff/people/{person_id}/summary").status_code == 403


def test_a_grant_opens_the_record_alerts_the_lead_and_expires(
    app: Flask, client: FlaskClient, staff: dict, smtp: Inbox
) -> None:
    person_id = _person(app)
    AuthActions(client).login(ROLE_EMAILS[Role.ADMIN])
    response = _ask(client, person_id, "Ambulance crew asking about medication on the phone")
    assert response.status_code == 302
    summary = client.get(f"/staff/people/{person_id}/summary")
    assert summary.status_code == 200 and "Jonas Meier" in summary.get_data(as_text=True)
    tags = audit_tags(app, actor_id=staff[Role.ADMIN])
    assert "clinical:break_glass:granted" in tags and "clinical:break_glass:read" in tags

    with app.app_context():
        (grant,) = _grants()
        assert grant.expires_at - grant.granted_at == timedelta(minutes=60)
        (delivery,) = db.session.scalars(select(Delivery)).all()
        assert delivery.recipient_user_id == staff[Role.CLINICIAN]
        assert send_delivery(delivery.id) == "sent"
        (message,) = smtp.messages
        assert message["To"] == ROLE_EMAILS[Role.CLINICIAN]
        body = text_of(message) + message["Subject"]
        assert "Emergency access" in body and "/staff/break-glass" in body
        assert not re.search(r"Jonas|Meier|jonas@|Ambulance|Admin", body)
        # An hour later the grant has run out: the record is closed again.
        grant.granted_at -= timedelta(minutes=61)
        grant.expires_at -= timedelta(minutes=61)
        db.session.commit()
    assert client.get(f"/staff/people/{person_id}/summary").status_code == 403


def _grant_directly(user_id: int, person_id: int, reason: str) -> None:
    """A five-minute grant stored as it is, past the service's checks (the role one too)."""
    now = utcnow()
    db.session.add(
        BreakGlassGrant(
            user_id=user_id,
            person_id=person_id,
            reason=reason,
            granted_at=now,
            expires_at=now + timedelta(minutes=5),
        )
    )
    db.session.flush()


def test_may_read_opens_only_the_clinical_group_of_the_granted_person(app: Flask) -> None:
    with app.test_request_context():
        from tests.factories import UserFactory

        admin = UserFactory(roles={Role.ADMIN})
        granted, other = PersonFactory(), PersonFactory()
        assert not may_read(admin, granted, FieldGroup.CLINICAL)
        _grant_directly(admin.id, granted.id, "an emergency")
        assert may_read(admin, granted, FieldGroup.CLINICAL)
        assert not may_read(admin, other, FieldGroup.CLINICAL)
        admissions = UserFactory(roles={Role.ADMISSIONS})
        _grant_directly(admissions.id, granted.id, "not allowed to break glass")
        assert not may_read(admissions, granted, FieldGroup.CLINICAL)


def test_clinical_lead_setting_picks_who_is_alerted(
    app: Flask, client: FlaskClient, staff: dict, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_user

    lead = make_user(app, "lead@example.org", {Role.CLINICIAN})
    monkeypatch.setitem(app.config, "CLINICAL_LEAD_EMAIL", "Lead@example.org")
    person_id = _person(app)
    AuthActions(client).login(ROLE_EMAILS[Role.ADMIN])
    assert _ask(client, person_id, "Police welfare check needs medication list").status_code == 302
    with app.app_context():
        assert [d.recipient_user_id for d in db.session.scalars(select(Delivery))] == [lead]


def test_clinicians_review_every_use_and_admins_may_not(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    person_id = _person(app)
    auth = AuthActions(client)
    auth.login(ROLE_EMAILS[Role.ADMIN])
    _ask(client, person_id, "Family doctor on the phone, patient collapsed")
    assert client.get("/staff/break-glass").status_code == 403
    auth.logout()
    auth.login(ROLE_EMAILS[Role.CLINICIAN])
    page = client.get("/staff/break-glass")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Family doctor on the phone" in text
    with app.app_context():
        (grant,) = _grants()
    response = client.post(
        f"/staff/break-glass/{grant.id}/review",
        data={"csrf_token": csrf_from(page), "note": "justified"},
        follow_redirects=True,
    )
    assert "Marked reviewed." in response.get_data(as_text=True)
    again = client.post(
        f"/staff/break-glass/{grant.id}/review",
        data={"csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    assert "already reviewed" in again.get_data(as_text=True)
    with app.app_context():
        reviewed = db.session.get(BreakGlassGrant, grant.id)
        assert reviewed.reviewed_by_id == staff[Role.CLINICIAN]
        assert reviewed.review_note == "justified"
        assert db.session.get(User, staff[Role.CLINICIAN]) is not None
    assert "clinical:break_glass:reviewed" in audit_tags(app)


def test_the_audit_log_shows_break_glass_prominently(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    person_id = _person(app)
    AuthActions(client).login(ROLE_EMAILS[Role.ADMIN])
    _ask(client, person_id, "Overdose reported by ambulance, need history")
    page = client.get("/staff/admin/audit/").get_data(as_text=True)
    assert 'class="audit-prominent"' in page
