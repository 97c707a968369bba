"""Two-factor sign-in: enrolment by QR code, codes at sign-in, no replay, and REQUIRE_2FA."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from intake.auth.permissions import Role
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags, csrf_from

CLINICIAN = ROLE_EMAILS[Role.CLINICIAN]


def _enrol(client: FlaskClient) -> str:
    page = client.get("/staff/account/two-factor")
    body = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in body
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', body)
    assert secret
    response = client.post(
        "/staff/account/two-factor",
        data={"csrf_token": csrf_from(page), "code": pyotp.TOTP(secret.group(1)).now()},
    )
    assert response.status_code == 302
    return secret.group(1)


def _submit_code(client: FlaskClient, code: str) -> object:
    page = client.get("/staff/login/code")
    return client.post("/staff/login/code", data={"csrf_token": csrf_from(page), "code": code})


def test_enrolment_then_sign_in_needs_the_code(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    auth = AuthActions(client)
    auth.login(CLINICIAN)
    secret = _enrol(client)
    assert "auth:2fa:enrolled" in audit_tags(app, actor_id=staff[Role.CLINICIAN])
    auth.logout()

    first = auth.login(CLINICIAN)
    assert first.headers["Location"].startswith("/staff/login/code")
    assert client.get("/staff/").status_code == 302  # not signed in yet

    wrong = _submit_code(client, "000000")
    assert wrong.status_code == 401  # type: ignore[attr-defined]
    assert "auth:2fa:failed" in audit_tags(app, actor_id=staff[Role.CLINICIAN])

    # The code used at enrolment cannot be replayed; the next time step's code works.
    totp = pyotp.TOTP(secret)
    import time

    next_code = totp.at(time.time() + totp.interval)
    ok = _submit_code(client, next_code)
    assert ok.status_code == 302  # type: ignore[attr-defined]
    assert client.get("/staff/").status_code == 200
    auth.logout()
    auth.login(CLINICIAN)
    replay = _submit_code(client, next_code)
    assert replay.status_code == 401  # type: ignore[attr-defined]


def test_code_page_without_a_password_step_sends_back_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/staff/login/code")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login"


@pytest.fixture
def require_2fa(app: Flask) -> Iterator[None]:
    app.config["REQUIRE_2FA"] = True
    yield
    app.config["REQUIRE_2FA"] = False


def test_required_two_factor_sends_unenrolled_staff_to_enrolment(
    app: Flask, client: FlaskClient, staff: dict[Role, int], require_2fa: None
) -> None:
    AuthActions(client).login(ROLE_EMAILS[Role.ADMISSIONS])
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/account/two-factor"
    assert client.get("/staff/admin/users").headers["Location"] == "/staff/account/two-factor"
    _enrol(client)
    assert client.get("/staff/").status_code == 200
