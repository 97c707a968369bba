"""Error pages show the crisis helplines, even when the database is down; /healthz tells the
truth about the database and the broker."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from intake import create_app
from intake.auth.permissions import Role
from tests.conftest import ROLE_EMAILS, AuthActions, staff_client_without_database

HELPLINE_MARKERS = ("Samaritans", "116 123", "Emergency")


def _shows_helplines(body: str) -> bool:
    return all(marker in body for marker in HELPLINE_MARKERS)


def test_404_page_shows_helplines(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert _shows_helplines(response.get_data(as_text=True))


def test_error_page_uses_the_country_asked_for(client: FlaskClient) -> None:
    body = client.get("/no-such-page?country=US").get_data(as_text=True)
    assert "988" in body
    assert "911" in body


def test_403_405_and_413_pages_show_helplines(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    assert _shows_helplines(client.get("/staff/logout").get_data(as_text=True))
    big = client.post("/staff/login", data={"email": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)})
    assert big.status_code == 413
    assert _shows_helplines(big.get_data(as_text=True))
    AuthActions(client).login(ROLE_EMAILS[Role.ADMISSIONS])
    denied = client.get("/staff/admin/users")
    assert denied.status_code == 403
    assert _shows_helplines(denied.get_data(as_text=True))


def test_500_page_renders_with_the_database_down(tmp_path: Path) -> None:
    client = staff_client_without_database(tmp_path)
    response = client.get("/staff/")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong on our side" in body
    assert _shows_helplines(body)
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json is not None
    assert health.json["database"]["ok"] is False
    assert "missing-dir" not in health.get_data(as_text=True)


def test_healthz_reports_database_and_broker(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json is not None
    assert response.json["status"] == "ok"
    assert response.json["database"]["ok"] is True
    assert response.json["broker"]["ok"] is True


def test_healthz_reports_an_unreachable_broker(database_url: str) -> None:
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CELERY": {"broker_url": "redis://127.0.0.1:1/0"},
        },
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json is not None
    assert response.json["broker"] == {
        "ok": False,
        "transport": "redis",
        "error": response.json["broker"]["error"],
    }


@pytest.mark.parametrize("path", ["/", "/help", "/leave"])
def test_public_pages_need_no_login(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 200


def test_security_headers_are_set(client: FlaskClient) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
