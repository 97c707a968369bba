"""Two tests that each prove the other's data is gone: they pass in either order only if
every test is rolled back."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from intake.auth.models import User
from intake.auth.permissions import Role
from intake.extensions import db
from tests.conftest import make_user

EMAIL = "isolation-probe@example.org"


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(User.email == EMAIL)) or 0


def test_isolation_first(app: Flask) -> None:
    assert _count(app) == 0
    make_user(app, EMAIL, {Role.ADMISSIONS})
    assert _count(app) == 1


def test_isolation_second(app: Flask) -> None:
    assert _count(app) == 0
    make_user(app, EMAIL, {Role.ADMISSIONS})
    assert _count(app) == 1
