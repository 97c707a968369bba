"""Sessions end on the server: a cookie copied before sign-out, a password change or a
deactivation opens nothing afterwards; and no staff page is kept in a browser cache."""

from __future__ import annotations

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.audit.models import AuditEvent
from intake.auth.models import StaffSession
from intake.auth.permissions import Role
from intake.extensions import db
from tests.conftest import ROLE_EMAILS, AuthActions, csrf_from
from tests.factories import accepted_inquiry

ADMIN = ROLE_EMAILS[Role.ADMIN]
ADMISSIONS = ROLE_EMAILS[Role.ADMISSIONS]
COOKIE = "harbor_session"


def _inquiry(app: Flask) -> int:
    with app.app_context():
        return accepted_inquiry(
            email="rosa.replay@example.net",
            name="Rosa Replay",
            message="I would like to talk about my drinking",
        )


def _saved_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def _rejections(app: Flask, user_id: int) -> list[dict[str, object]]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.detail)
                .where(AuditEvent.tag == "auth:session:rejected", AuditEvent.actor_id == user_id)
                .order_by(AuditEvent.id)
            ).all()
        )


def test_a_cookie_saved_before_logout_opens_nothing_afterwards(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    inquiry_id = _inquiry(app)
    auth = AuthActions(client)
    auth.login(ADMISSIONS)
    record_page = client.get(f"/staff/triage/{inquiry_id}")
    assert record_page.status_code == 200
    assert "Rosa Replay" in record_page.get_data(as_text=True)
    saved = _saved_cookie(client)

    assert auth.logout().status_code == 302

    # Someone who copied the cookie (a shared computer, a proxy log) plays it back.
    client.set_cookie(COOKIE, saved)
    replay = client.get(f"/staff/triage/{inquiry_id}")
    assert replay.status_code == 302
    assert replay.headers["Location"].startswith("/staff/login")
    landing = client.get(replay.headers["Location"])
    body = landing.get_data(as_text=True)
    assert "Rosa Replay" not in body
    assert "This session has ended. Please sign in again." in body
    assert {"reason": "ended", "session": "ended_logout"} in _rejections(
        app, staff[Role.ADMISSIONS]
    )


def test_signing_out_in_one_browser_leaves_the_other_signed_in(
    app: Flask, staff: dict[Role, int]
) -> None:
    laptop, phone = app.test_client(), app.test_client()
    AuthActions(laptop).login(ADMIN)
    AuthActions(phone).login(ADMIN)
    AuthActions(laptop).logout()
    assert phone.get("/staff/").status_code == 200
    assert laptop.get("/staff/").status_code == 302


def test_password_change_ends_every_other_session_on_the_server(
    app: Flask, staff: dict[Role, int]
) -> None:
    laptop, phone = app.test_client(), app.test_client()
    AuthActions(laptop).login(ADMIN)
    AuthActions(phone).login(ADMIN)
    changed = AuthActions(laptop).change_password("a brand new passphrase")
    assert changed.status_code == 302
    assert laptop.get("/staff/").status_code == 200  # this browser goes on
    assert phone.get("/staff/").status_code == 302
    with app.app_context():
        rows = db.session.scalars(
            select(StaffSession).where(StaffSession.user_id == staff[Role.ADMIN])
        ).all()
    live = [row for row in rows if row.ended_at is None]
    ended = [row.end_reason for row in rows if row.ended_at is not None]
    assert len(live) == 1
    assert ended == ["password_changed", "password_changed"]


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(
    app: Flask, staff: dict[Role, int]
) -> None:
    admin, leaver = app.test_client(), app.test_client()
    AuthActions(admin).login(ADMIN)
    AuthActions(leaver).login(ADMISSIONS)
    assert leaver.get("/staff/").status_code == 200
    saved = _saved_cookie(leaver)
    user_id = staff[Role.ADMISSIONS]
    page = admin.get(f"/staff/admin/users/{user_id}")
    token = csrf_from(page)
    admin.post(f"/staff/admin/users/{user_id}/deactivate", data={"csrf_token": token})
    assert leaver.get("/staff/").status_code == 302
    admin.post(f"/staff/admin/users/{user_id}/reactivate", data={"csrf_token": token})
    leaver.set_cookie(COOKIE, saved)
    replay = leaver.get("/staff/")
    assert replay.status_code == 302
    assert replay.headers["Location"].startswith("/staff/login")
    with app.app_context():
        ended = db.session.scalars(
            select(StaffSession.end_reason).where(StaffSession.user_id == user_id)
        ).all()
    assert ended == ["deactivated"]


def test_a_session_row_holds_only_a_hash_of_the_cookie_token(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    AuthActions(client).login(ADMIN)
    with client.session_transaction() as session:
        token = session["sid"]
    with app.app_context():
        stored = db.session.scalars(select(StaffSession.token_hash)).all()
    assert len(stored) == 1
    assert token not in stored[0]


# Cache-Control ----------------------------------------------------------------------------


def _argument_free_staff_pages(app: Flask) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/staff")
        and "GET" in (rule.methods or set())
        and not rule.arguments
    )


def test_every_staff_page_says_no_store(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    inquiry_id = _inquiry(app)
    assert client.get("/staff/login").headers["Cache-Control"] == "no-store"
    AuthActions(client).login(ADMIN)
    pages = [
        *_argument_free_staff_pages(app),
        f"/staff/triage/{inquiry_id}",
        f"/staff/admin/users/{staff[Role.ADMIN]}",
        "/staff/triage/999999",  # the 404 page in the staff area
    ]
    assert len(pages) > 10
    for path in pages:
        response = client.get(path)
        assert response.headers.get("Cache-Control") == "no-store", (path, response.status_code)


def test_the_two_factor_page_with_its_secret_is_not_cached(
    client: FlaskClient, staff: dict[Role, int]
) -> None:
    AuthActions(client).login(ADMIN)
    page = client.get("/staff/account/two-factor")
    assert '<code class="secret">' in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"


def test_recovery_codes_page_is_not_cached(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    AuthActions(client).login(ADMIN)
    page = client.get("/staff/account/two-factor")
    secret = page.get_data(as_text=True).split('<code class="secret">')[1].split("<")[0]
    shown = client.post(
        "/staff/account/two-factor",
        data={"csrf_token": csrf_from(page), "code": pyotp.TOTP(secret).now()},
    )
    assert "recovery-code" in shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "no-store"
