"""Failed sign-ins are counted per account and client address together, so a stranger cannot
lock the on-call clinician out from elsewhere; waits grow with each failure; behind a proxy the
real client address counts (TRUSTED_PROXIES)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from intake.audit.models import AuditEvent
from intake.auth.models import SignInThrottle
from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.extensions import db, limiter
from tests.conftest import PASSWORD, ROLE_EMAILS, csrf_from

CLINICIAN = ROLE_EMAILS[Role.CLINICIAN]
STRANGER = "198.51.100.66"
CLINICIAN_HOME = "203.0.113.10"
LOCKED_TEXT = "locked"


def _login_from(
    client: FlaskClient,
    address: str,
    email: str,
    password: str,
    headers: dict[str, str] | None = None,
) -> TestResponse:
    environ = {"REMOTE_ADDR": address}
    page = client.get("/staff/login", environ_base=environ, headers=headers)
    return client.post(
        "/staff/login",
        data={"csrf_token": csrf_from(page), "email": email, "password": password},
        environ_base=environ,
        headers=headers,
    )


def _lock_details(app: Flask) -> list[dict[str, Any]]:
    with app.app_context():
        return [
            detail
            for detail in db.session.scalars(
                select(AuditEvent.detail)
                .where(AuditEvent.tag == "auth:login:locked")
                .order_by(AuditEvent.id)
            ).all()
            if detail
        ]


def test_a_stranger_failing_elsewhere_does_not_lock_the_clinician_out(
    app: Flask, staff: dict[Role, int]
) -> None:
    stranger, clinician = app.test_client(), app.test_client()
    limit = app.config["LOGIN_MAX_FAILURES"]
    statuses = [
        _login_from(stranger, STRANGER, CLINICIAN, f"guess {n}").status_code
        for n in range(limit + 2)
    ]
    assert statuses[: limit - 1] == [401] * (limit - 1)
    assert statuses[limit - 1 :] == [403] * 3
    # The stranger's address is locked even with the right password...
    blocked = _login_from(stranger, STRANGER, CLINICIAN, PASSWORD)
    assert blocked.status_code == 403
    assert LOCKED_TEXT in blocked.get_data(as_text=True)
    # ...while the clinician, at their own address, signs in at once.
    response = _login_from(clinician, CLINICIAN_HOME, CLINICIAN, PASSWORD)
    assert response.status_code == 302
    assert clinician.get("/staff/").status_code == 200


def _stranger_throttle(app: Flask) -> SignInThrottle:
    with app.app_context():
        row = db.session.scalars(
            select(SignInThrottle).where(SignInThrottle.address == STRANGER)
        ).one()
        db.session.expunge(row)
        return row


def _let_the_wait_pass(app: Flask) -> None:
    """Move the stranger's lock into the past, as if they had waited it out."""
    with app.app_context():
        row = db.session.scalars(
            select(SignInThrottle).where(SignInThrottle.address == STRANGER)
        ).one()
        assert row.locked_until is not None
        row.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    limiter.reset()  # minutes have passed: the per-minute rate limit has emptied too


def test_each_failure_after_the_limit_doubles_the_wait(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    limit = app.config["LOGIN_MAX_FAILURES"]
    first = app.config["LOGIN_LOCKOUT_FIRST_SECONDS"]
    for n in range(limit):
        _login_from(client, STRANGER, CLINICIAN, f"guess {n}")
    waits = []
    for n in range(4):
        row = _stranger_throttle(app)
        assert row.locked_until is not None and row.last_failure_at is not None
        waits.append(round((row.locked_until - row.last_failure_at).total_seconds()))
        assert _lock_details(app)[-1]["seconds"] == waits[-1]
        # While the wait lasts even the right password is refused from there.
        assert _login_from(client, STRANGER, CLINICIAN, PASSWORD).status_code == 403
        _let_the_wait_pass(app)
        assert _login_from(client, STRANGER, CLINICIAN, f"late guess {n}").status_code == 403
    assert waits == [first, first * 2, first * 4, first * 8]
    # However long it goes on, the wait stops growing at LOGIN_LOCKOUT_MINUTES.
    for n in range(6):
        _let_the_wait_pass(app)
        _login_from(client, STRANGER, CLINICIAN, f"more {n}")
    assert _lock_details(app)[-1]["seconds"] == 60 * app.config["LOGIN_LOCKOUT_MINUTES"]


def test_the_right_password_clears_the_count_for_that_address(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    limit = app.config["LOGIN_MAX_FAILURES"]
    for n in range(limit - 1):
        assert _login_from(client, CLINICIAN_HOME, CLINICIAN, f"typo {n}").status_code == 401
    assert _login_from(client, CLINICIAN_HOME, CLINICIAN, PASSWORD).status_code == 302
    client.post("/staff/logout", data={"csrf_token": csrf_from(client.get("/staff/"))})
    for n in range(limit - 1):
        assert _login_from(client, CLINICIAN_HOME, CLINICIAN, f"typo {n}").status_code == 401


@pytest.fixture
def small_account_cap(app: Flask) -> Iterator[int]:
    before = app.config["LOGIN_ACCOUNT_MAX_FAILURES"]
    app.config["LOGIN_ACCOUNT_MAX_FAILURES"] = 8
    yield 8
    app.config["LOGIN_ACCOUNT_MAX_FAILURES"] = before


def test_a_flood_from_many_addresses_pauses_new_addresses_but_not_the_clinicians_own(
    app: Flask, staff: dict[Role, int], small_account_cap: int
) -> None:
    clinician = app.test_client()
    assert _login_from(clinician, CLINICIAN_HOME, CLINICIAN, PASSWORD).status_code == 302
    clinician.post("/staff/logout", data={"csrf_token": csrf_from(clinician.get("/staff/"))})

    botnet = app.test_client()
    for n in range(small_account_cap):
        _login_from(botnet, f"192.0.2.{n + 1}", CLINICIAN, "guess")
    assert {"scope": "account", "minutes": 5} in _lock_details(app)
    # A new address is paused for the short cool-down, even with the right password...
    assert _login_from(botnet, "192.0.2.200", CLINICIAN, PASSWORD).status_code == 403
    # ...the address the clinician signed in from before is not.
    assert _login_from(clinician, CLINICIAN_HOME, CLINICIAN, PASSWORD).status_code == 302
    assert clinician.get("/staff/").status_code == 200


def test_ipv6_addresses_of_one_subscriber_count_together(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    limit = app.config["LOGIN_MAX_FAILURES"]
    statuses = [
        _login_from(client, f"2001:db8:1:2::{n + 1:x}", CLINICIAN, "guess").status_code
        for n in range(limit)
    ]
    assert statuses[-1] == 403
    other_network = _login_from(client, "2001:db8:9:9::1", CLINICIAN, PASSWORD)
    assert other_network.status_code == 302


# TRUSTED_PROXIES --------------------------------------------------------------------------


@pytest.fixture
def behind_one_proxy(app: Flask) -> Iterator[None]:
    app.config["TRUSTED_PROXIES"] = 1
    yield
    app.config["TRUSTED_PROXIES"] = 0


def _ip_addresses(app: Flask, tag: str) -> list[str | None]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.ip_address).where(AuditEvent.tag == tag).order_by(AuditEvent.id)
            ).all()
        )


def test_behind_a_trusted_proxy_each_visitor_has_their_own_bucket_and_address(
    app: Flask, client: FlaskClient, staff: dict[Role, int], behind_one_proxy: None
) -> None:
    proxy = "10.0.0.2"
    # Eleven strangers behind the same proxy each fail once: nobody reaches the rate limit.
    for n in range(11):
        forwarded = {"X-Forwarded-For": f"198.51.100.{n + 1}"}
        response = _login_from(client, proxy, "nobody@example.org", "x", headers=forwarded)
        assert response.status_code == 401
    # The clinician behind the same proxy is neither rate limited nor locked.
    ok = _login_from(
        client, proxy, CLINICIAN, PASSWORD, headers={"X-Forwarded-For": CLINICIAN_HOME}
    )
    assert ok.status_code == 302
    assert _ip_addresses(app, "auth:login:failed")[0] == "198.51.100.1"
    assert _ip_addresses(app, "auth:login:succeeded") == [CLINICIAN_HOME]


def test_without_trusted_proxies_a_forged_header_changes_nothing(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    statuses = [
        _login_from(
            client, STRANGER, "nobody@example.org", "x", {"X-Forwarded-For": f"192.0.2.{n}"}
        ).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    assert set(_ip_addresses(app, "auth:login:failed")) == {STRANGER}
