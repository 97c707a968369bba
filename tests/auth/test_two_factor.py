"""Two-factor sign-in: enrolment by QR code, codes at sign-in, no replay, and REQUIRE_2FA."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.auth.models import RecoveryCode
from intake.auth.permissions import Role
from intake.extensions import db
from tests.conftest import PASSWORD, ROLE_EMAILS, AuthActions, audit_tags, csrf_from

CLINICIAN = ROLE_EMAILS[Role.CLINICIAN]


RECOVERY_CODE = re.compile(r'<code class="recovery-code">([a-z0-9-]+)</code>')


def _enrol_with_codes(client: FlaskClient) -> tuple[str, list[str]]:
    page = client.get("/staff/account/two-factor")
    body = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in body
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', body)
    assert secret
    response = client.post(
        "/staff/account/two-factor",
        data={"csrf_token": csrf_from(page), "code": pyotp.TOTP(secret.group(1)).now()},
    )
    assert response.status_code == 200
    shown = response.get_data(as_text=True)
    assert "this is the only time they are shown" in shown
    return secret.group(1), RECOVERY_CODE.findall(shown)


def _enrol(client: FlaskClient) -> str:
    return _enrol_with_codes(client)[0]


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


# Recovery codes ---------------------------------------------------------------------------


def test_enrolment_shows_ten_codes_once_and_stores_only_hashes(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    AuthActions(client).login(CLINICIAN)
    _, codes = _enrol_with_codes(client)
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    # Shown once: the account page only says how many are left.
    account = client.get("/staff/account/password").get_data(as_text=True)
    assert "10 unused codes left" in account
    assert not any(code in account for code in codes)
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    flat = {code.replace("-", "") for code in codes}
    assert not any(code in value for value in stored for code in flat)
    assert "auth:2fa:recovery_codes_issued" in audit_tags(app, target_id=str(staff[Role.CLINICIAN]))


def test_a_recovery_code_signs_in_once_instead_of_the_authenticator(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    auth = AuthActions(client)
    auth.login(CLINICIAN)
    _, codes = _enrol_with_codes(client)
    auth.logout()

    auth.login(CLINICIAN)
    # Typed as people type them: capitals and a space instead of the dash.
    typed = codes[3].upper().replace("-", " ")
    ok = _submit_code(client, typed)
    assert ok.status_code == 302  # type: ignore[attr-defined]
    home = client.get("/staff/", follow_redirects=True).get_data(as_text=True)
    assert "You signed in with a recovery code; 9 are left." in home
    assert "auth:2fa:recovery_code_used" in audit_tags(app, actor_id=staff[Role.CLINICIAN])
    auth.logout()

    auth.login(CLINICIAN)
    again = _submit_code(client, codes[3])
    assert again.status_code == 401  # type: ignore[attr-defined]
    assert "That code is not valid" in again.get_data(as_text=True)  # type: ignore[attr-defined]
    assert client.get("/staff/").status_code == 302
    assert audit_tags(app, tag="auth:2fa:recovery_code_used") == ["auth:2fa:recovery_code_used"]


def test_new_recovery_codes_from_the_account_page_cancel_the_old_ones(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    auth = AuthActions(client)
    auth.login(CLINICIAN)
    _, old_codes = _enrol_with_codes(client)
    account = client.get("/staff/account/password").get_data(as_text=True)
    assert 'href="/staff/account/recovery-codes"' in account

    page = client.get("/staff/account/recovery-codes")
    assert "10 unused codes left" in page.get_data(as_text=True)
    wrong = client.post(
        "/staff/account/recovery-codes",
        data={"csrf_token": csrf_from(page), "current_password": "not my password"},
    )
    assert wrong.status_code == 400
    assert "The current password is not right." in wrong.get_data(as_text=True)
    made = client.post(
        "/staff/account/recovery-codes",
        data={"csrf_token": csrf_from(page), "current_password": PASSWORD},
    )
    assert made.status_code == 200
    new_codes = RECOVERY_CODE.findall(made.get_data(as_text=True))
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    auth.logout()

    auth.login(CLINICIAN)
    assert _submit_code(client, old_codes[0]).status_code == 401  # type: ignore[attr-defined]
    assert _submit_code(client, new_codes[0]).status_code == 302  # type: ignore[attr-defined]


def test_recovery_codes_page_without_two_factor_points_to_enrolment(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    AuthActions(client).login(CLINICIAN)
    page = client.get("/staff/account/recovery-codes")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Turn on two-factor sign-in first" in body
    assert 'href="/staff/account/two-factor"' in body
    # A post without two-factor makes no codes.
    client.post(
        "/staff/account/recovery-codes",
        data={"csrf_token": csrf_from(page), "current_password": PASSWORD},
    )
    assert "auth:2fa:recovery_codes_issued" not in audit_tags(app)


def test_a_foreign_next_is_ignored_and_audited_once_when_the_code_signs_in(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    from intake.audit.models import AuditEvent

    auth = AuthActions(client)
    auth.login(CLINICIAN)
    secret = _enrol(client)
    auth.logout()

    first = auth.login(CLINICIAN, next_url="https://evil.example/")
    code_page = first.headers["Location"]
    assert code_page.startswith("/staff/login/code?next=")
    # The password step alone signs nobody in, so nothing is audited about ``next`` yet.
    assert audit_tags(app, tag="auth:request:unsafe_redirect") == []

    import time

    totp = pyotp.TOTP(secret)
    page = client.get(code_page)
    response = client.post(
        code_page,
        data={"csrf_token": csrf_from(page), "code": totp.at(time.time() + totp.interval)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    with app.app_context():
        blocked = db.session.scalars(
            select(AuditEvent).where(AuditEvent.tag == "auth:request:unsafe_redirect")
        ).all()
        assert [event.detail for event in blocked] == [{"endpoint": "auth.second_factor"}]
