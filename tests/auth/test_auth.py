"""Signing in and out, as a staff member would meet it, including every way it can go wrong."""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient

from intake.auth.models import User
from intake.auth.permissions import Role
from intake.extensions import db
from tests.conftest import PASSWORD, ROLE_EMAILS, AuthActions, audit_tags, csrf_from, make_user

ADMIN = ROLE_EMAILS[Role.ADMIN]


def test_sign_in_reaches_staff_home_and_is_audited(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    response = AuthActions(client).login(ADMIN)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    home = client.get("/staff/")
    assert home.status_code == 200
    assert "Hello, Admin" in home.get_data(as_text=True)
    assert "auth:login:succeeded" in audit_tags(app, actor_id=staff[Role.ADMIN])


def test_session_cookie_is_http_only_and_lax(client: FlaskClient, staff: dict[Role, int]) -> None:
    response = AuthActions(client).login(ADMIN)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_wrong_password_and_unknown_user_get_the_same_message(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    auth = AuthActions(client)
    wrong = auth.login(ADMIN, "not the password")
    unknown = auth.login("nobody@example.org", "not the password")
    message = "That email and password do not match an active account."
    assert wrong.status_code == unknown.status_code == 401
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    tags = audit_tags(app, tag="auth:login:failed")
    assert len(tags) == 2
    # The typed email of an unknown user is not written anywhere in the trail.
    from sqlalchemy import select

    from intake.audit.models import AuditEvent

    with app.app_context():
        details = db.session.scalars(select(AuditEvent.detail)).all()
    assert all("nobody@example.org" not in str(detail) for detail in details)


def test_account_locks_after_repeated_failures(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    auth = AuthActions(client)
    limit = app.config["LOGIN_MAX_FAILURES"]
    statuses = [auth.login(ADMIN, f"wrong {attempt}").status_code for attempt in range(limit)]
    assert statuses[:-1] == [401] * (limit - 1)
    assert statuses[-1] == 403
    # Even the right password is refused while the lock lasts.
    locked = auth.login(ADMIN)
    assert locked.status_code == 403
    assert "locked" in locked.get_data(as_text=True)
    assert "auth:login:locked" in audit_tags(app, actor_id=staff[Role.ADMIN])


def test_login_is_rate_limited_per_address(app: Flask, client: FlaskClient) -> None:
    auth = AuthActions(client)
    statuses = [auth.login(f"nobody{n}@example.org", "x").status_code for n in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    page = auth.login("nobody@example.org", "x")
    assert page.status_code == 429
    assert "Too many attempts" in page.get_data(as_text=True)
    assert "auth:login:rate_limited" in audit_tags(app)


def test_missing_csrf_token_is_refused_clearly(app: Flask, client: FlaskClient) -> None:
    response = client.post("/staff/login", data={"email": ADMIN, "password": PASSWORD})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "did not come from this site" in body
    assert "auth:request:csrf_rejected" in audit_tags(app)


def test_logout_is_post_only_and_ends_the_session(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    auth = AuthActions(client)
    auth.login(ADMIN)
    assert client.get("/staff/logout").status_code == 405
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 302
    assert "auth:session:logout" in audit_tags(app, actor_id=staff[Role.ADMIN])


def test_sign_in_follows_a_local_next_only(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    auth = AuthActions(client)
    local = auth.login(ADMIN, next_url="/staff/admin/users")
    assert local.headers["Location"] == "/staff/admin/users"
    auth.logout()
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = auth.login(ADMIN, next_url=evil)
        assert response.status_code == 302
        assert response.headers["Location"] == "/staff/", evil
        auth.logout()
    assert audit_tags(app, tag="auth:request:unsafe_redirect")


def test_session_starts_fresh_at_sign_in(client: FlaskClient, staff: dict[Role, int]) -> None:
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    AuthActions(client).login(ADMIN)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_tampered_cookie_is_refused_with_a_message(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    AuthActions(client).login(ADMIN)
    cookie = client.get_cookie("harbor_session")
    assert cookie is not None
    client.set_cookie("harbor_session", cookie.value[:-3] + "abc")
    response = client.get("/staff/", follow_redirects=True)
    assert response.request.path == "/staff/login"
    assert "could not be verified" in response.get_data(as_text=True)
    assert "auth:session:rejected" in audit_tags(app)


def test_idle_session_expires_with_a_message(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    AuthActions(client).login(ADMIN)
    with client.session_transaction() as session:
        session["last_seen"] = time.time() - 31 * 60
    response = client.get("/staff/", follow_redirects=True)
    assert response.request.path == "/staff/login"
    assert "Your session expired" in response.get_data(as_text=True)
    assert "auth:session:expired" in audit_tags(app, actor_id=staff[Role.ADMIN])


def test_session_expires_after_the_absolute_limit_even_when_busy(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    AuthActions(client).login(ADMIN)
    with client.session_transaction() as session:
        session["signed_in_at"] = time.time() - 12 * 3600 - 1
    response = client.get("/staff/", follow_redirects=True)
    assert response.request.path == "/staff/login"
    assert "Your session expired" in response.get_data(as_text=True)


def test_deactivated_user_with_a_live_session_is_signed_out(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    user_id = make_user(app, "leaving@example.org", {Role.ADMISSIONS})
    AuthActions(client).login("leaving@example.org")
    assert client.get("/staff/").status_code == 200
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        user.active = False
        db.session.commit()
    response = client.get("/staff/", follow_redirects=True)
    assert response.request.path == "/staff/login"
    assert "deactivated" in response.get_data(as_text=True)
    assert "auth:session:rejected" in audit_tags(app, actor_id=user_id)
    again = AuthActions(client).login("leaving@example.org")
    assert again.status_code == 403


def test_login_page_form_errors_are_named(client: FlaskClient) -> None:
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login", data={"csrf_token": csrf_from(page), "email": "", "password": ""}
    )
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)
