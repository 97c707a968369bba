"""Administrators manage staff; staff change their own password."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from intake.auth.models import User
from intake.auth.permissions import Role
from intake.extensions import db
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags, csrf_from

ADMIN = ROLE_EMAILS[Role.ADMIN]
NEW_PASSWORD = "a brand new long passphrase"


def test_password_change_reauthenticates_and_ends_other_sessions(
    app: Flask, staff: dict[Role, int]
) -> None:
    laptop, phone = app.test_client(), app.test_client()
    AuthActions(laptop).login(ADMIN)
    AuthActions(phone).login(ADMIN)
    refused = AuthActions(laptop).change_password(NEW_PASSWORD, current="not it")
    assert refused.status_code == 400
    assert "The current password is not right." in refused.get_data(as_text=True)
    changed = AuthActions(laptop).change_password(NEW_PASSWORD)
    assert changed.status_code == 302
    assert laptop.get("/staff/").status_code == 200
    other = phone.get("/staff/", follow_redirects=True)
    assert other.request.path == "/staff/login"
    assert "password was changed" in other.get_data(as_text=True)
    assert "auth:password:changed" in audit_tags(app, actor_id=staff[Role.ADMIN])
    assert AuthActions(app.test_client()).login(ADMIN, NEW_PASSWORD).status_code == 302


def test_short_new_password_is_explained(client: FlaskClient, staff: dict[Role, int]) -> None:
    AuthActions(client).login(ADMIN)
    response = AuthActions(client).change_password("short")
    assert response.status_code == 400
    assert "Use at least 12 characters." in response.get_data(as_text=True)


def test_invite_accept_and_sign_in(app: Flask, client: FlaskClient, staff: dict[Role, int]) -> None:
    AuthActions(client).login(ADMIN)
    page = client.get("/staff/admin/users/invite")
    response = client.post(
        "/staff/admin/users/invite",
        data={
            "csrf_token": csrf_from(page),
            "email": "New.Nurse@Example.org",
            "display_name": "New Nurse",
            "roles": ["clinician", "admissions"],
        },
    )
    assert response.status_code == 200
    link = re.search(r"http://[^<\s]+/staff/invite/[\w-]+", response.get_data(as_text=True))
    assert link
    assert "admin:user:invited" in audit_tags(app)
    path = link.group(0).split("localhost", 1)[-1]

    newcomer = app.test_client()
    form = newcomer.get(path)
    assert form.status_code == 200
    assert "Welcome, New Nurse" in form.get_data(as_text=True)
    accepted = newcomer.post(
        path,
        data={
            "csrf_token": csrf_from(form),
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert accepted.headers["Location"] == "/staff/login"
    assert newcomer.get(path).status_code == 404  # one use only
    assert AuthActions(newcomer).login("new.nurse@example.org", NEW_PASSWORD).status_code == 302
    with app.app_context():
        user = db.session.query(User).filter_by(email="new.nurse@example.org").one()
        assert user.roles == {Role.CLINICIAN, Role.ADMISSIONS}


def test_duplicate_invite_is_a_form_error(client: FlaskClient, staff: dict[Role, int]) -> None:
    AuthActions(client).login(ADMIN)
    page = client.get("/staff/admin/users/invite")
    response = client.post(
        "/staff/admin/users/invite",
        data={
            "csrf_token": csrf_from(page),
            "email": ROLE_EMAILS[Role.CLINICIAN],
            "display_name": "Again",
            "roles": ["clinician"],
        },
    )
    assert response.status_code == 400
    assert "already an account" in response.get_data(as_text=True)


def test_unknown_invite_token_is_404(client: FlaskClient) -> None:
    assert client.get("/staff/invite/not-a-real-token").status_code == 404


def test_role_change_and_deactivation_are_audited(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    AuthActions(client).login(ADMIN)
    target = staff[Role.ADMISSIONS]
    page = client.get(f"/staff/admin/users/{target}")
    assert page.status_code == 200
    token = csrf_from(page)
    changed = client.post(
        f"/staff/admin/users/{target}/roles",
        data={"csrf_token": token, "roles": ["admissions", "clinician"]},
    )
    assert changed.status_code == 302
    deactivated = client.post(f"/staff/admin/users/{target}/deactivate", data={"csrf_token": token})
    assert deactivated.status_code == 302
    tags = audit_tags(app, target_id=str(target))
    assert "admin:user:viewed" in tags
    assert "admin:user:roles_changed" in tags
    assert "admin:user:deactivated" in tags
    with app.app_context():
        user = db.session.get(User, target)
        assert user is not None
        assert user.roles == {Role.ADMISSIONS, Role.CLINICIAN}
        assert not user.active
    reactivated = client.post(f"/staff/admin/users/{target}/reactivate", data={"csrf_token": token})
    assert reactivated.status_code == 302
    assert "admin:user:reactivated" in audit_tags(app, target_id=str(target))


def test_admin_cannot_lock_themselves_out(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    AuthActions(client).login(ADMIN)
    me = staff[Role.ADMIN]
    token = csrf_from(client.get(f"/staff/admin/users/{me}"))
    client.post(
        f"/staff/admin/users/{me}/roles", data={"csrf_token": token, "roles": ["clinician"]}
    )
    client.post(f"/staff/admin/users/{me}/deactivate", data={"csrf_token": token})
    with app.app_context():
        user = db.session.get(User, me)
        assert user is not None
        assert user.active and Role.ADMIN in user.roles


def test_roles_form_without_a_role_is_an_error(client: FlaskClient, staff: dict[Role, int]) -> None:
    AuthActions(client).login(ADMIN)
    target = staff[Role.CLINICIAN]
    token = csrf_from(client.get(f"/staff/admin/users/{target}"))
    response = client.post(f"/staff/admin/users/{target}/roles", data={"csrf_token": token})
    assert response.status_code == 400
    assert "Choose at least one role." in response.get_data(as_text=True)


def test_audit_page_filters_by_tag_and_records_its_own_viewing(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    AuthActions(client).login("nobody@example.org", "wrong")
    AuthActions(client).login(ADMIN)
    page = client.get("/staff/admin/audit/?tag=auth:login:failed")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1 events" in body
    assert "auth:login:failed" in body
    everything = client.get("/staff/admin/audit/").get_data(as_text=True)
    assert "auth:login:succeeded" in everything
    assert "admin:audit:viewed" in audit_tags(app, actor_id=staff[Role.ADMIN])
    bad = client.get("/staff/admin/audit/?since=not-a-date&actor=x&page=-3")
    assert bad.status_code == 200
