"""Personal data is encrypted at rest: the raw database holds no plaintext, lookups go through
blind indexes, and keys can be rotated without losing anything."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text

from intake.crm.services import find_person
from intake.extensions import db
from intake.public.models import Inquiry
from intake.triage.models import TriageFlag
from tests.conftest import submit_inquiry_form

SECRETS = {
    "message": "Zanzibar-lorazepam I want to die quietly",
    "name": "Philomena Quartermaine",
    "email": "philomena.q@example.net",
    "phone": "+41 79 555 12 34",
    "best_time": "Ring after Tuesday-vespers",
}
PLAINTEXTS = [
    "Zanzibar",
    "Philomena",
    "Quartermaine",
    "philomena.q",
    "+41795551234",
    "555 12 34",
    "Tuesday-vespers",
    "want to die",
]


def _all_raw_text(app: Flask) -> str:
    """Every value of every column of every table, read with plain SQL (no decryption)."""
    chunks = []
    with app.app_context():
        # The test's own connection: on SQLite another one would wait for its write lock.
        for table in inspect(db.session.connection()).get_table_names():
            for row in db.session.execute(text(f'SELECT * FROM "{table}"')):
                chunks.extend(str(value) for value in row)
    return "\n".join(chunks)


def test_raw_database_holds_no_plaintext(app: Flask, client: FlaskClient) -> None:
    response = submit_inquiry_form(client, "en", country="CH", **SECRETS)
    assert response.status_code == 302
    raw = _all_raw_text(app)
    assert "gAAAAA" in raw  # Fernet tokens are there
    for plaintext in PLAINTEXTS:
        assert plaintext not in raw, plaintext
    with app.app_context():
        inquiry = db.session.scalars(select(Inquiry)).one()
        assert inquiry.message == SECRETS["message"]
        assert inquiry.person.name == SECRETS["name"]
        assert inquiry.answers["best_time"] == SECRETS["best_time"]
        evidence = db.session.scalars(select(TriageFlag.evidence)).all()
        assert any(item and "die" in item for item in evidence)


def test_blind_index_finds_a_person_by_email_or_phone(app: Flask, client: FlaskClient) -> None:
    submit_inquiry_form(
        client, "en", message="help", email="Finder@Example.net", phone="+34611222333"
    )
    with app.app_context():
        by_email = find_person("finder@example.net", None)
        by_phone = find_person(None, "+34611222333")
        assert by_email is not None and by_email is by_phone
        assert find_person("other@example.net", None) is None


def test_keys_rotate_re_encrypts_everything_under_the_new_key(
    app: Flask, client: FlaskClient
) -> None:
    submit_inquiry_form(client, "en", country="CH", **SECRETS)
    old_keys = list(app.config["ENCRYPTION_KEYS"])
    before = _all_raw_text(app)
    new_key = Fernet.generate_key().decode()
    app.config["ENCRYPTION_KEYS"] = [new_key, *old_keys]
    try:
        result = app.test_cli_runner().invoke(args=["keys", "rotate"])
        assert result.exit_code == 0, result.output
        assert "inquiries:" in result.output
        # With only the new key, everything still reads back.
        app.config["ENCRYPTION_KEYS"] = [new_key]
        with app.app_context():
            inquiry = db.session.scalars(select(Inquiry)).one()
            assert inquiry.message == SECRETS["message"]
            assert inquiry.person.email == SECRETS["email"]
        after = _all_raw_text(app)
        assert after != before
        for plaintext in PLAINTEXTS:
            assert plaintext not in after
    finally:
        app.config["ENCRYPTION_KEYS"] = old_keys


def test_keys_generate_prints_a_usable_key(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["keys", "generate"]).output.strip()
    second = runner.invoke(args=["keys", "generate"]).output.strip()
    assert first != second, "each call must print a new random key"
    token = Fernet(first.encode()).encrypt(b"a secret")
    assert Fernet(first.encode()).decrypt(token) == b"a secret"
    with pytest.raises(InvalidToken):
        Fernet(second.encode()).decrypt(token)
