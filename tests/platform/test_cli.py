"""The command-line tools an administrator uses."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from intake.auth.models import User
from intake.auth.permissions import Role
from intake.extensions import db
from intake.messaging.oncall import shift_at
from intake.public.models import Inquiry
from intake.triage.models import TriageResult
from tests.conftest import AuthActions


def test_create_user_command(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Lead@Example.org",
            "--name",
            "Lead",
            "--role",
            "admin",
            "--role",
            "clinician",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "lead@example.org"))
        assert user is not None
        assert user.roles == {Role.ADMIN, Role.CLINICIAN}
    again = runner.invoke(
        args=["create-user", "--email", "lead@example.org", "--name", "L", "--role", "admin"],
        input="a long enough password\na long enough password\n",
    )
    assert again.exit_code != 0
    assert "already an account" in again.output
    short = runner.invoke(
        args=["create-user", "--email", "x@example.org", "--name", "X", "--role", "admin"],
        input="short\nshort\n",
    )
    assert short.exit_code != 0
    assert "at least 12" in short.output


def test_seed_demo_is_idempotent_and_puts_the_clinician_on_call(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--password", "demo password 123"])
    assert first.exit_code == 0, first.output
    assert "demo inquiries added: 12" in first.output
    second = runner.invoke(args=["seed-demo", "--password", "demo password 123"])
    assert "already there" in second.output
    assert "demo inquiries added: 0" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 3
        priorities = set(db.session.scalars(select(TriageResult.priority)).all())
        assert priorities == {"P0", "P1", "P2", "P3"}
        languages = set(db.session.scalars(select(Inquiry.language)).all())
        assert languages == {"en", "es", "de", "fr", "it"}
        shift = shift_at()
        assert shift is not None
        assert shift.user.email == "clinician@example.org"
    client = app.test_client()
    assert (
        AuthActions(client).login("clinician@example.org", "demo password 123").status_code == 302
    )
