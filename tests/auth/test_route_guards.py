"""Every endpoint is either on the explicit public list or guarded, and each role meets 403
(not a 500, not a redirect loop) where it lacks a permission."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from intake.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags

PUBLIC_ENDPOINTS = {
    "static",
    "public.index",
    "public.crisis_help",
    "public.quick_exit",
    "public.thanks",
    "public.privacy",
    "api.openapi",
    # Open to the clinic's websites, guarded by an API key (tests/public/test_api.py).
    "api.create_inquiry",
    "core.healthz",
    "auth.login",
    "auth.second_factor",
    "auth.accept_invite",
    # The unsubscribe link in inquirers' emails (an opaque random token in the path).
    "messaging.unsubscribe_page",
    # Aftercare: the check-in link and its options (an opaque random token in the path), and
    # the SMS gateway's inbound webhook (HMAC signature checked).
    "aftercare_public.answer",
    "aftercare_public.options",
    "aftercare_public.sms_inbound",
}


def _guard_of(app: Flask, endpoint: str) -> frozenset[Permission] | None:
    view = app.view_functions[endpoint]
    return getattr(view, "required_permissions", None)


def test_every_endpoint_is_public_by_list_or_guarded(app: Flask) -> None:
    unguarded = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        if _guard_of(app, rule.endpoint) is None:
            unguarded.append(f"{rule.endpoint} {rule.rule}")
    assert unguarded == []


def test_public_list_holds_only_endpoints_marked_public(app: Flask) -> None:
    for endpoint in PUBLIC_ENDPOINTS - {"static"}:
        assert getattr(app.view_functions[endpoint], "is_public", False), endpoint
        assert _guard_of(app, endpoint) is None, endpoint


def _guarded_get_rules(app: Flask) -> list[tuple[str, str, frozenset[Permission]]]:
    rules = []
    for rule in app.url_map.iter_rules():
        guard = _guard_of(app, rule.endpoint)
        if guard is None or rule.arguments or "GET" not in (rule.methods or set()):
            continue
        rules.append((rule.endpoint, rule.rule, guard))
    return rules


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask, client: FlaskClient) -> None:
    for endpoint, path, _guard in _guarded_get_rules(app):
        response = client.get(path)
        assert response.status_code == 302, endpoint
        assert response.headers["Location"].startswith("/staff/login?next="), endpoint


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_403_exactly_where_it_lacks_permission(
    app: Flask, client: FlaskClient, staff: dict[Role, int], role: Role
) -> None:
    assert AuthActions(client).login(ROLE_EMAILS[role]).status_code == 302
    granted = ROLE_PERMISSIONS[role]
    denied_seen = 0
    for endpoint, path, guard in _guarded_get_rules(app):
        response = client.get(path)
        if guard <= granted:
            assert response.status_code == 200, (endpoint, response.status_code)
        else:
            denied_seen += 1
            assert response.status_code == 403, (endpoint, response.status_code)
            assert "116 123" in response.get_data(as_text=True) or "988" in response.get_data(
                as_text=True
            )
    if role is not Role.ADMIN:
        assert denied_seen > 0
        assert "auth:permission:denied" in audit_tags(app, actor_id=staff[role])


def test_admissions_cannot_post_to_admin_actions(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    AuthActions(client).login(ROLE_EMAILS[Role.ADMISSIONS])
    page = client.get("/staff/")
    from tests.conftest import csrf_from

    response = client.post(
        f"/staff/admin/users/{staff[Role.CLINICIAN]}/deactivate",
        data={"csrf_token": csrf_from(page)},
    )
    assert response.status_code == 403


def test_a_refusal_stores_its_audit_row_and_nothing_the_request_had_pending(app: Flask) -> None:
    from sqlalchemy import select
    from werkzeug.exceptions import Forbidden

    from intake.audit.models import AuditEvent
    from intake.audit.tags import AuditTag
    from intake.auth.models import User
    from intake.auth.permissions import deny
    from intake.extensions import db

    with app.test_request_context("/staff/admin/users"):
        # Work a request had begun before a check refused it.
        db.session.add(User(email="half-made@example.org", display_name="Half Made"))
        with pytest.raises(Forbidden):
            deny(Permission.USERS_MANAGE)
        db.session.remove()
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "half-made@example.org")) is None
        denied = db.session.scalars(
            select(AuditEvent).where(AuditEvent.tag == AuditTag.ACCESS_DENIED.value)
        ).all()
        assert [event.detail for event in denied] == [{"permission": "admin:users:manage"}]
