"""Key rotation covers the two-factor secrets: after `flask keys rotate` and retiring the old key,
enrolled staff still sign in with their authenticator app.

Also the migration that moved the secret into an encrypted column keeps every enrolled secret.
"""

from __future__ import annotations

import time

import flask_migrate
import pyotp
import pytest
from cryptography.fernet import Fernet, InvalidToken
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from intake.auth.permissions import Role
from intake.core.types import UTCDateTime, utcnow
from intake.extensions import db
from tests.auth.test_two_factor import _enrol, _submit_code
from tests.conftest import ROLE_EMAILS, AuthActions, temporary_database

CLINICIAN = ROLE_EMAILS[Role.CLINICIAN]


def _raw_secret(app: Flask, user_id: int) -> str:
    """The stored value, read with plain SQL (no decryption)."""
    with app.app_context():
        value = db.session.execute(
            text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user_id}
        ).scalar_one()
    assert isinstance(value, str)
    return value


def test_two_factor_sign_in_survives_rotation_and_retiring_the_old_key(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    auth = AuthActions(client)
    auth.login(CLINICIAN)
    secret = _enrol(client)
    auth.logout()

    old_keys = list(app.config["ENCRYPTION_KEYS"])
    new_key = app.test_cli_runner().invoke(args=["keys", "generate"]).output.strip()
    app.config["ENCRYPTION_KEYS"] = [new_key, *old_keys]
    try:
        result = app.test_cli_runner().invoke(args=["keys", "rotate"])
        assert result.exit_code == 0, result.output
        assert "users: 1 values re-encrypted" in result.output

        app.config["ENCRYPTION_KEYS"] = [new_key]  # the old key is retired
        first = auth.login(CLINICIAN)
        assert first.status_code == 302
        assert first.headers["Location"].startswith("/staff/login/code")
        # The enrolment code's time step is used; the next step's code is what the app shows next.
        totp = pyotp.TOTP(secret)
        signed_in = _submit_code(client, totp.at(time.time() + totp.interval))
        assert signed_in.status_code == 302  # type: ignore[attr-defined]
        assert client.get("/staff/").status_code == 200

        stored = _raw_secret(app, staff[Role.CLINICIAN])
        assert secret not in stored
        assert Fernet(new_key.encode()).decrypt(stored.encode()).decode() == secret
        for old_key in old_keys:
            with pytest.raises(InvalidToken):
                Fernet(old_key.encode()).decrypt(stored.encode())
    finally:
        app.config["ENCRYPTION_KEYS"] = old_keys


def test_migration_0008_keeps_enrolled_secrets_both_ways(
    app: Flask, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Secrets written by hand before 0008 read back through the encrypted column afterwards, and
    the downgrade gives the old column its tokens back. The users table is altered in place: its
    roles and sessions (which cascade on delete) are still there."""
    from intake import create_app
    from intake.auth.models import User

    with temporary_database(tmp_path_factory, "totp-migration") as url:
        other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None})
        other.config["ENCRYPTION_KEYS"] = app.config["ENCRYPTION_KEYS"]
        key = Fernet(app.config["ENCRYPTION_KEYS"][0].encode())
        secret = pyotp.random_base32()
        token = key.encrypt(secret.encode()).decode()
        with other.app_context():
            flask_migrate.upgrade(revision="0007")
            with db.engine.begin() as connection:
                insert_users = text(
                    "INSERT INTO users (id, email, display_name, active, created_at,"
                    " failed_logins, session_version, totp_secret_encrypted) VALUES"
                    " (1, 'a@example.org', 'A', :yes, :now, 0, 1, :token),"
                    " (2, 'b@example.org', 'B', :yes, :now, 0, 1, NULL)"
                ).bindparams(bindparam("now", type_=UTCDateTime()))
                connection.execute(insert_users, {"yes": True, "now": utcnow(), "token": token})
                connection.execute(
                    text("INSERT INTO user_roles (user_id, role) VALUES (1, 'clinician')")
                )

            flask_migrate.upgrade(revision="0008")
            # A session of its own: the test's db.session is bound to the shared test database.
            with Session(db.engine) as session:
                enrolled = session.get(User, 1)
                assert enrolled is not None and enrolled.totp_secret == secret
                assert {role.value for role in enrolled.roles} == {"clinician"}
                not_enrolled = session.get(User, 2)
                assert not_enrolled is not None and not_enrolled.totp_secret is None

            flask_migrate.downgrade(revision="0007")
            with db.engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT id, totp_secret_encrypted FROM users ORDER BY id")
                ).all()
                roles = connection.execute(text("SELECT user_id, role FROM user_roles")).all()
            assert [tuple(row) for row in rows] == [(1, token), (2, None)]
            assert [tuple(row) for row in roles] == [(1, "clinician")]
            db.engine.dispose()
