"""Test fixtures.

One database per run, built by the real migrations (``flask db upgrade``), then each test runs
inside a transaction that is rolled back, with the application's own commits turned into
savepoints. ``TEST_DATABASE_URL`` picks PostgreSQL (a server URL; a fresh database is created and
dropped); without it the run uses a SQLite file. ``TEST_REDIS_URL`` points the rate limiter and
the Celery broker at Redis; without it they use memory and the embedded SQLite broker.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="harbor-test-instance-"))
# Tests never write the real per-user cache of compiled lexicons (~/.cache/harbor-intake/):
# a private temporary folder, whatever the environment says (tests that check the cache set
# their own).
os.environ["HARBOR_TRIAGE_CACHE"] = tempfile.mkdtemp(prefix="harbor-test-triage-cache-")

import flask_migrate
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from intake import create_app
from intake.auth.permissions import Role
from intake.extensions import db, limiter
from intake.triage.rules.engine import compiled_lexicon
from tests.factories import PASSWORD, UserFactory


def _create_postgres_database(server_url: str) -> tuple[str, str]:
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"harbor_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False), name


def _drop_postgres_database(server_url: str, name: str) -> None:
    url = make_url(server_url).set(drivername="postgresql+psycopg", database="postgres")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def temporary_database(tmp_path_factory: pytest.TempPathFactory, label: str) -> Iterator[str]:
    """A new empty database for this run: PostgreSQL when TEST_DATABASE_URL is set, else SQLite."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path_factory.mktemp(label) / 'intake-test.sqlite'}"
        return
    url, name = _create_postgres_database(server_url)
    try:
        yield url
    finally:
        _drop_postgres_database(server_url, name)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with temporary_database(tmp_path_factory, "db") as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str | None:
    return os.environ.get("TEST_REDIS_URL") or None


def base_overrides(database_url: str, redis_url: str | None, tmp_dir: str) -> dict[str, Any]:
    broker = redis_url or f"sqla+sqlite:///{tmp_dir}/broker.sqlite"
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "REDIS_URL": redis_url,
        "CELERY": {"broker_url": broker},
        "SERVER_NAME": None,
        # Tests post the form at once; the bot-speed test sets its own minimum.
        "FORM_MIN_FILL_SECONDS": 0,
    }


@pytest.fixture(scope="session")
def app(
    database_url: str, redis_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    tmp_dir = str(tmp_path_factory.mktemp("instance"))
    application = create_app("testing", base_overrides(database_url, redis_url, tmp_dir))
    with application.app_context():
        flask_migrate.upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest) -> Iterator[None]:
    """Roll back everything a test did, unless it works with committed data (``live``)."""
    if "app" not in request.fixturenames or request.node.get_closest_marker("live"):
        yield
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original_session = db.session
        # A plain SQLAlchemy session: Flask-SQLAlchemy's own one picks the engine itself and
        # would ignore the bound connection.
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        limiter.reset()
    try:
        yield
    finally:
        with application.app_context():
            db.session.remove()
            db.session = original_session
            outer.rollback()
            connection.close()


@dataclass
class LiveServer:
    """The application served over HTTP on 127.0.0.1, with its own committed database."""

    url: str
    app: Flask


@pytest.fixture(scope="session")
def live_server(
    redis_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with temporary_database(tmp_path_factory, "live-db") as url:
        tmp_dir = str(tmp_path_factory.mktemp("live-instance"))
        overrides = base_overrides(url, redis_url, tmp_dir)
        # Browser tests sign in many times from one address.
        overrides["RATELIMIT_ENABLED"] = False
        application = create_app("testing", overrides)
        with application.app_context():
            flask_migrate.upgrade()
        # A server compiles the triage lexicons before its first visitor (wsgi.py does so in
        # the background); a browser test must not wait for it inside a click.
        compiled_lexicon()
        server = make_server("127.0.0.1", 0, application, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield LiveServer(f"http://127.0.0.1:{server.server_port}", application)
        finally:
            server.shutdown()
            thread.join(timeout=10)
            with application.app_context():
                db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@contextmanager
def app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]+)"')


def csrf_from(response: TestResponse) -> str:
    tag = CSRF_INPUT.search(response.get_data(as_text=True))
    assert tag, "the page has no CSRF token"
    value = VALUE.search(tag.group(0))
    assert value, "the CSRF input has no value"
    return value.group(1)


FORM_TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')


def submit_inquiry_form(
    client: FlaskClient, lang: str = "en", follow: bool = False, **fields: Any
) -> TestResponse:
    """Open the inquiry page and send it, as a browser would (CSRF and one-time token)."""
    page = client.get(f"/{lang}/")
    token = FORM_TOKEN.search(page.get_data(as_text=True))
    assert token, "the inquiry page has no form token"
    data = {"csrf_token": csrf_from(page), "form_token": token.group(1), "consent": "y", **fields}
    return client.post(f"/{lang}/", data=data, follow_redirects=follow)


def make_user(
    app: Flask,
    email: str,
    roles: set[Role],
    *,
    active: bool = True,
    name: str | None = None,
) -> int:
    """Create a user with the shared test password; return its id."""
    with app.app_context():
        user = UserFactory(
            email=email,
            display_name=name or email.split("@")[0].title(),
            active=active,
            roles=roles,
        )
        db.session.commit()
        return int(user.id)


class AuthActions:
    """Signs a test client in and out through the real forms (CSRF included)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(
        self, email: str, password: str = PASSWORD, next_url: str | None = None
    ) -> TestResponse:
        page = self.client.get("/staff/login")
        path = "/staff/login" + (f"?next={next_url}" if next_url else "")
        return self.client.post(
            path, data={"csrf_token": csrf_from(page), "email": email, "password": password}
        )

    def change_password(
        self, new: str, current: str = PASSWORD, confirm: str | None = None
    ) -> TestResponse:
        """Post the account page's password form, as the signed-in person would."""
        page = self.client.get("/staff/account/password")
        return self.client.post(
            "/staff/account/password",
            data={
                "csrf_token": csrf_from(page),
                "current_password": current,
                "new_password": new,
                "confirm_password": new if confirm is None else confirm,
            },
        )

    def logout(self) -> TestResponse:
        page = self.client.get("/staff/")
        return self.client.post("/staff/logout", data={"csrf_token": csrf_from(page)})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


ROLE_EMAILS = {
    Role.ADMIN: "admin@example.org",
    Role.ADMISSIONS: "admissions@example.org",
    Role.CLINICIAN: "clinician@example.org",
}


@pytest.fixture
def staff(app: Flask) -> dict[Role, int]:
    """One user per role, with the shared test password."""
    return {role: make_user(app, email, {role}) for role, email in ROLE_EMAILS.items()}


def audit_tags(app: Flask, **filters: Any) -> list[str]:
    from sqlalchemy import select

    from intake.audit.models import AuditEvent

    with app.app_context():
        query = select(AuditEvent.tag).order_by(AuditEvent.id)
        for key, value in filters.items():
            query = query.where(getattr(AuditEvent, key) == value)
        return list(db.session.scalars(query).all())


def staff_client_without_database(tmp_path: Path) -> FlaskClient:
    """A client of an app whose database cannot be opened, carrying a signed-in staff session,
    so a staff page fails on the server (the 500 page is rendered with no database)."""
    broken = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-dir/none.sqlite",
            "PROPAGATE_EXCEPTIONS": False,
            "CELERY": {"broker_url": "memory://"},
        },
    )
    client = broken.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:1"
        session["signed_in_at"] = session["last_seen"] = time.time()
    return client
