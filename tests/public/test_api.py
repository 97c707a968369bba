"""The inquiry API as a website integrator meets it (``docs/api.md``).

Every test sends real HTTP requests through the test client and then looks at what a website
would see (status, body, headers) and at what the clinic would find in its database afterwards.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from werkzeug.test import TestResponse

from intake.audit.models import AuditEvent
from intake.auth.permissions import Role
from intake.core.templating import clinic_time
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.outbox import OutboxMessage
from intake.public import api_keys
from intake.public.api_keys import create_api_key
from intake.public.models import ApiKey, Inquiry
from intake.public.validation import FIELDS, MESSAGE_MAX
from intake.triage.models import TriageResult
from tests.conftest import ROLE_EMAILS, AuthActions, csrf_from

API = "/api/v1/inquiries"
KEYS_PAGE = "/staff/admin/api-keys/"
REJECTED = "public:api_key:rejected"
REFERENCE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}$")
PLAINTEXT_KEY = re.compile(r"hik_[0-9a-f]{12}_[A-Za-z0-9_-]{20,}")

P0_MESSAGE = "I've got a month of pills lined up and I'm going to end it tonight"
P1_MESSAGE = "I take xanax every day and I want to stop"
P2_MESSAGE = "I would like some information about your programme for alcohol"
SCRIPT = "<script>alert(1)</script>"


# Helpers -------------------------------------------------------------------------------------


def new_key(app: Flask, source: str = "test-site") -> tuple[int, str]:
    """Issue an API key; return its id and the full key a website would be given."""
    with app.app_context():
        key, plaintext = create_api_key(source)
        db.session.commit()
        return key.id, plaintext


@pytest.fixture
def api_key(app: Flask) -> str:
    return new_key(app)[1]


def post_json(
    client: FlaskClient, key: str | None, body: Any, headers: dict[str, str] | None = None
) -> TestResponse:
    all_headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    all_headers.update(headers or {})
    return client.post(
        API, data=json.dumps(body), content_type="application/json", headers=all_headers
    )


def inquiry(**fields: Any) -> dict[str, Any]:
    """A valid inquiry body, with ``fields`` added or replaced (None removes a field)."""
    body: dict[str, Any] = {"message": "I need help", "email": "sam@example.org", "consent": True}
    body.update(fields)
    return {name: value for name, value in body.items() if value is not None}


def count(app: Flask, model: type[Any]) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def rejected_count(app: Flask) -> int:
    with app.app_context():
        query = select(func.count()).select_from(AuditEvent).where(AuditEvent.tag == REJECTED)
        return int(db.session.scalar(query) or 0)


def stored(app: Flask, reference: str) -> dict[str, Any]:
    """What the database holds for the inquiry with ``reference``."""
    with app.app_context():
        row = db.session.scalar(select(Inquiry).where(Inquiry.reference == reference))
        assert row is not None, f"no inquiry stored under {reference}"
        results = db.session.scalars(
            select(TriageResult).where(TriageResult.inquiry_id == row.id)
        ).all()
        outbox = db.session.scalars(
            select(OutboxMessage.kind).where(
                OutboxMessage.target_type == "inquiry", OutboxMessage.target_id == row.id
            )
        ).all()
        return {
            "id": row.id,
            "message": row.message,
            "answers": dict(row.answers),
            "source": row.source,
            "api_key_id": row.api_key_id,
            "language": row.language,
            "country": row.country,
            "priorities": [result.priority for result in results],
            "flag_codes": {flag.code for result in results for flag in result.flags},
            "outbox": sorted(outbox),
        }


@pytest.fixture
def admin_client(app: Flask, staff: dict[Role, int]) -> Iterator[FlaskClient]:
    client = app.test_client()
    assert AuthActions(client).login(ROLE_EMAILS[Role.ADMIN]).status_code == 302
    yield client


# 201: the stored inquiry and the guidance --------------------------------------------------


def test_p0_inquiry_gets_emergency_guidance_for_its_country(
    app: Flask, client: FlaskClient, api_key: str
) -> None:
    response = post_json(client, api_key, inquiry(message=P0_MESSAGE, country="US"))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"reference", "guidance"}
    assert REFERENCE.match(body["reference"]), body["reference"]
    guidance = body["guidance"]
    assert set(guidance) == {"level", "emergency_number", "helplines", "message"}
    assert guidance["level"] == "emergency"
    assert guidance["emergency_number"] == "911"
    assert guidance["helplines"] == [
        {"name": "988 Suicide & Crisis Lifeline", "number": "988", "hours": "24/7"}
    ]
    assert "emergency number" in guidance["message"]
    # Triage flags, their evidence and the person's own words never go back to the website.
    text = response.get_data(as_text=True)
    for private in ("suicidal_plan", "P0", "pills lined up", "end it", "sam@example.org", "flag"):
        assert private not in text, private
    assert stored(app, body["reference"])["priorities"] == ["P0"]


def test_routine_inquiry_from_gb_gets_the_uk_numbers(client: FlaskClient, api_key: str) -> None:
    response = post_json(client, api_key, inquiry(message=P2_MESSAGE, country="gb"))
    assert response.status_code == 201
    guidance = response.get_json()["guidance"]
    assert guidance["level"] == "routine"
    assert guidance["emergency_number"] == "999"
    assert {line["number"] for line in guidance["helplines"]} == {"116 123", "111"}
    assert "Thank you" in guidance["message"]


def test_urgent_benzodiazepine_inquiry_warns_against_stopping_suddenly(
    client: FlaskClient, api_key: str
) -> None:
    body = inquiry(
        message=P1_MESSAGE,
        country="CH",
        substances=["alprazolam"],
        risk={"daily_benzo_use": True, "stopping_abruptly": True},
    )
    response = post_json(client, api_key, body)
    assert response.status_code == 201
    guidance = response.get_json()["guidance"]
    assert guidance["level"] == "urgent"
    assert guidance["emergency_number"] == "144"
    assert "do not stop benzodiazepines suddenly" in guidance["message"]
    assert "abrupt_stop" not in response.get_data(as_text=True)


def test_without_a_country_the_language_picks_the_helplines(
    client: FlaskClient, api_key: str
) -> None:
    response = post_json(client, api_key, inquiry(language="es"))
    assert response.status_code == 201
    guidance = response.get_json()["guidance"]
    assert guidance["emergency_number"] == "112"
    assert "024" in {line["number"] for line in guidance["helplines"]}


@pytest.mark.parametrize(
    ("language", "words"),
    [("es", ("equipo", "gracias", "llama")), ("fr", ("équipe", "merci", "appelez"))],
)
def test_guidance_message_is_in_the_inquiry_language(
    client: FlaskClient, api_key: str, language: str, words: tuple[str, ...]
) -> None:
    english = post_json(client, api_key, inquiry(message=P2_MESSAGE, email="en@example.org"))
    translated = post_json(
        client, api_key, inquiry(message=P2_MESSAGE, email="xx@example.org", language=language)
    )
    assert english.status_code == translated.status_code == 201
    english_text = english.get_json()["guidance"]["message"]
    message = translated.get_json()["guidance"]["message"]
    assert message != english_text, f"the {language} guidance is the English text"
    assert any(word in message.lower() for word in words), message


def test_inquiry_is_stored_with_its_triage_result_and_outbox_rows(
    app: Flask, client: FlaskClient, api_key: str
) -> None:
    before = count(app, Inquiry)
    response = post_json(
        client,
        api_key,
        inquiry(message=P0_MESSAGE, country="US", name="Sam", best_time="after 6pm"),
    )
    assert response.status_code == 201
    assert count(app, Inquiry) == before + 1
    row = stored(app, response.get_json()["reference"])
    assert row["message"] == P0_MESSAGE
    assert row["source"] == "test-site"
    assert row["api_key_id"] is not None
    assert row["country"] == "US"
    assert row["language"] == "en"
    assert row["answers"]["name"] == "Sam"
    assert row["answers"]["best_time"] == "after 6pm"
    assert row["priorities"] == ["P0"]
    assert "suicidal_plan" in row["flag_codes"]
    assert row["outbox"] == ["acknowledgement", "staff_alert"]
    with app.app_context():
        used = db.session.get(ApiKey, row["api_key_id"])
        assert used is not None and used.last_used_at is not None


@pytest.mark.parametrize(
    ("fields", "priority", "outbox"),
    [
        ({"message": P0_MESSAGE, "email": None, "phone": "+1 202 555 0143"}, "P0", ["staff_alert"]),
        (
            {
                "message": P1_MESSAGE,
                "email": None,
                "phone": "612 345 678",
                "country": "ES",
                "risk": {"daily_benzo_use": True, "stopping_abruptly": True},
            },
            "P1",
            ["staff_alert"],
        ),
        ({"message": P2_MESSAGE}, "P2", ["acknowledgement"]),
        ({"message": P2_MESSAGE, "email": None, "phone": "+44 7700 900123"}, "P2", []),
    ],
)
def test_staff_alert_only_for_p0_p1_and_acknowledgement_only_with_an_email(
    app: Flask,
    client: FlaskClient,
    api_key: str,
    fields: dict[str, Any],
    priority: str,
    outbox: list[str],
) -> None:
    response = post_json(client, api_key, inquiry(**fields))
    assert response.status_code == 201, response.get_json()
    row = stored(app, response.get_json()["reference"])
    assert row["priorities"] == [priority]
    assert row["outbox"] == outbox


def test_phone_is_stored_in_e164_using_the_country(
    app: Flask, client: FlaskClient, api_key: str
) -> None:
    response = post_json(client, api_key, inquiry(email=None, phone="612 34 56 78", country="ES"))
    assert response.status_code == 201
    assert stored(app, response.get_json()["reference"])["answers"]["phone"] == "+34612345678"


def test_a_failure_while_accepting_stores_nothing(
    app: Flask, client: FlaskClient, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inquiry, its triage result and its outbox rows commit together or not at all."""

    def broken_outbox(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr("intake.usecases.accept_inquiry.add_outbox_to_batch", broken_outbox)
    before = (count(app, Inquiry), count(app, TriageResult), count(app, OutboxMessage))
    with pytest.raises(RuntimeError, match="outbox unavailable"):
        post_json(client, api_key, inquiry(message=P0_MESSAGE))
    after = (count(app, Inquiry), count(app, TriageResult), count(app, OutboxMessage))
    assert after == before


# Idempotency ---------------------------------------------------------------------------------


def test_same_idempotency_key_stores_one_inquiry(
    app: Flask, client: FlaskClient, api_key: str
) -> None:
    before = count(app, Inquiry)
    headers = {"Idempotency-Key": "website-form-42"}
    first = post_json(client, api_key, inquiry(), headers)
    second = post_json(client, api_key, inquiry(), headers)
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.get_json()["reference"] == first.get_json()["reference"]
    assert second.get_json()["guidance"] == first.get_json()["guidance"]
    assert count(app, Inquiry) == before + 1
    third = post_json(client, api_key, inquiry(), {"Idempotency-Key": "website-form-43"})
    assert third.status_code == 201
    assert third.get_json()["reference"] != first.get_json()["reference"]
    assert count(app, Inquiry) == before + 2


def test_same_idempotency_key_with_another_body_is_refused_and_stores_nothing(
    app: Flask, client: FlaskClient, api_key: str
) -> None:
    """IETF Idempotency-Key draft: a key reused for a different body is a 422, never the first
    inquiry's reference and routine guidance handed to somebody else's message."""
    headers = {"Idempotency-Key": "form-7"}
    first = post_json(client, api_key, inquiry(message=P2_MESSAGE), headers)
    assert first.status_code == 201
    before = (count(app, Inquiry), count(app, TriageResult), count(app, OutboxMessage))
    other = post_json(
        client, api_key, inquiry(message=P0_MESSAGE, phone="+34 612 345 678"), headers
    )
    assert other.status_code == 422
    assert other.mimetype == "application/json"
    body = other.get_json()
    assert "reference" not in body and "guidance" not in body
    (message,) = body["errors"]["Idempotency-Key"]
    assert "already used for an inquiry with a different body" in message
    assert (count(app, Inquiry), count(app, TriageResult), count(app, OutboxMessage)) == before
    # The first body under its key still answers with the first inquiry.
    again = post_json(client, api_key, inquiry(message=P2_MESSAGE), headers)
    assert again.status_code == 200
    assert again.get_json()["reference"] == first.get_json()["reference"]


def test_same_body_in_another_key_order_and_spacing_is_the_same_request(
    app: Flask, client: FlaskClient, api_key: str
) -> None:
    headers = {
        "Authorization": f"Bearer {api_key}",
        "Idempotency-Key": "order-1",
    }
    compact = '{"message":"I need help","email":"sam@example.org","consent":true}'
    spaced = '{ "consent": true,\n  "email": "sam@example.org", "message": "I need help" }'
    first = client.post(API, data=compact, content_type="application/json", headers=headers)
    second = client.post(API, data=spaced, content_type="application/json", headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["reference"] == second.get_json()["reference"]


def test_an_idempotency_key_over_200_characters_is_refused_not_cut(
    app: Flask, client: FlaskClient, api_key: str
) -> None:
    """Cut to 200, two long keys sharing a beginning would be one key (and one a 422)."""
    before = count(app, Inquiry)
    shared = "k" * 200
    response = post_json(client, api_key, inquiry(), {"Idempotency-Key": shared + "-one"})
    assert response.status_code == 400
    assert response.get_json()["errors"] == {
        "Idempotency-Key": ["Use an Idempotency-Key of at most 200 characters."]
    }
    assert count(app, Inquiry) == before
    assert post_json(client, api_key, inquiry(), {"Idempotency-Key": shared}).status_code == 201


def test_idempotency_keys_of_two_websites_do_not_collide(app: Flask, client: FlaskClient) -> None:
    one = new_key(app, "site-one")[1]
    two = new_key(app, "site-two")[1]
    headers = {"Idempotency-Key": "1"}
    first = post_json(client, one, inquiry(), headers)
    second = post_json(client, two, inquiry(), headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json()["reference"] != second.get_json()["reference"]


def test_without_idempotency_key_every_request_is_stored(
    app: Flask, client: FlaskClient, api_key: str
) -> None:
    before = count(app, Inquiry)
    assert post_json(client, api_key, inquiry()).status_code == 201
    assert post_json(client, api_key, inquiry()).status_code == 201
    assert count(app, Inquiry) == before + 2


# 401 -----------------------------------------------------------------------------------------


def assert_rejected(app: Flask, client: FlaskClient, headers: dict[str, str]) -> None:
    inquiries, audits = count(app, Inquiry), rejected_count(app)
    response = client.post(
        API, data=json.dumps(inquiry()), content_type="application/json", headers=headers
    )
    assert response.status_code == 401
    assert response.mimetype == "application/json"
    assert "error" in response.get_json()
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert count(app, Inquiry) == inquiries
    assert rejected_count(app) == audits + 1


def test_401_without_a_key(app: Flask, client: FlaskClient) -> None:
    assert_rejected(app, client, {})


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token hik_0123456789ab_secret",
        "Bearer not-a-key",
        "Bearer hik_only-two-parts",
        "Bearer xyz_0123456789ab_secret",
        "Bearer " + "a" * 300,
    ],
)
def test_401_with_a_malformed_header(app: Flask, client: FlaskClient, header: str) -> None:
    assert_rejected(app, client, {"Authorization": header})


def test_401_with_a_wrong_secret_or_unknown_prefix(
    app: Flask, client: FlaskClient, api_key: str
) -> None:
    _, prefix, secret = api_key.split("_", 2)
    assert_rejected(app, client, {"Authorization": f"Bearer hik_{prefix}_{'A' * len(secret)}"})
    assert_rejected(app, client, {"Authorization": f"Bearer hik_{prefix}_{secret[:-1]}"})
    assert_rejected(app, client, {"Authorization": f"Bearer hik_ffffffffffff_{secret}"})
    # The right key still works, and the scheme's case does not matter.
    assert post_json(client, api_key, inquiry()).status_code == 201
    assert (
        client.post(
            API,
            data=json.dumps(inquiry()),
            content_type="application/json",
            headers={"Authorization": f"bearer {api_key}"},
        ).status_code
        == 201
    )


def test_401_after_an_admin_revokes_the_key_on_the_staff_page(
    app: Flask, client: FlaskClient, admin_client: FlaskClient
) -> None:
    key_id, plaintext = new_key(app)
    assert post_json(client, plaintext, inquiry()).status_code == 201
    page = admin_client.get(KEYS_PAGE)
    assert page.status_code == 200
    revoked = admin_client.post(f"{KEYS_PAGE}{key_id}/revoke", data={"csrf_token": csrf_from(page)})
    assert revoked.status_code == 302
    assert "revoked" in admin_client.get(KEYS_PAGE).get_data(as_text=True)
    assert_rejected(app, client, {"Authorization": f"Bearer {plaintext}"})
    with app.app_context():
        key = db.session.get(ApiKey, key_id)
        assert key is not None and key.revoked_at is not None


def test_revoke_on_the_staff_page_needs_the_csrf_token(
    app: Flask, client: FlaskClient, admin_client: FlaskClient
) -> None:
    key_id, plaintext = new_key(app)
    assert admin_client.post(f"{KEYS_PAGE}{key_id}/revoke", data={}).status_code == 400
    assert post_json(client, plaintext, inquiry()).status_code == 201


def test_401_after_the_key_is_revoked_with_the_cli(app: Flask, client: FlaskClient) -> None:
    _, plaintext = new_key(app)
    prefix = plaintext.split("_")[1]
    assert post_json(client, plaintext, inquiry()).status_code == 201
    result = app.test_cli_runner().invoke(args=["api-keys", "revoke", prefix])
    assert result.exit_code == 0, result.output
    assert prefix in result.output
    assert_rejected(app, client, {"Authorization": f"Bearer {plaintext}"})
    listed = app.test_cli_runner().invoke(args=["api-keys", "list"])
    assert re.search(rf"{prefix}\s+revoked", listed.output), listed.output


def test_a_key_revoked_by_another_process_is_refused_once_the_cache_window_has_passed(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Web processes keep a verified key for API_KEY_CACHE_SECONDS; a revocation they did not
    make themselves (another worker, the command line) holds once that window is over."""
    key_id, plaintext = new_key(app)
    assert post_json(client, plaintext, inquiry()).status_code == 201  # now kept in this process
    with app.app_context():
        # What the other process's revocation leaves in the database, and nothing more.
        db.session.execute(update(ApiKey).where(ApiKey.id == key_id).values(revoked_at=utcnow()))
        db.session.commit()
    window = app.config["API_KEY_CACHE_SECONDS"]
    assert 0 < window <= 5
    monkeypatch.setattr(api_keys, "_clock", lambda: time.monotonic() + window + 0.001)
    assert_rejected(app, client, {"Authorization": f"Bearer {plaintext}"})


def test_the_last_use_of_a_key_is_shown_to_the_minute(
    app: Flask, client: FlaskClient, admin_client: FlaskClient
) -> None:
    key_id, plaintext = new_key(app)
    assert "never" in admin_client.get(KEYS_PAGE).get_data(as_text=True)
    for _ in range(2):
        assert post_json(client, plaintext, inquiry()).status_code == 201
    with app.app_context():
        key = db.session.get(ApiKey, key_id)
        assert key is not None and key.last_used_at is not None
        shown = clinic_time(key.last_used_at)
        assert abs(utcnow() - key.last_used_at) < timedelta(minutes=1)
    assert shown in admin_client.get(KEYS_PAGE).get_data(as_text=True)


def test_cli_revoke_of_an_unknown_prefix_fails(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["api-keys", "revoke", "000000000000"])
    assert result.exit_code != 0
    assert "no key has that prefix" in result.output


# 400 and 422 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ('{"message": "I need help", "consent": true', "application/json"),
        ("message=I+need+help&consent=true", "application/x-www-form-urlencoded"),
        (json.dumps(inquiry()), "text/plain"),
        ("", "application/json"),
        (json.dumps([inquiry()]), "application/json"),
        (json.dumps("I need help"), "application/json"),
        ("42", "application/json"),
        ("null", "application/json"),
    ],
    ids=["broken-json", "form-encoded", "text-plain", "empty", "array", "string", "number", "null"],
)
def test_400_for_a_body_that_is_not_a_json_object(
    app: Flask, client: FlaskClient, api_key: str, data: str, content_type: str
) -> None:
    before = count(app, Inquiry)
    response = client.post(
        API, data=data, content_type=content_type, headers={"Authorization": f"Bearer {api_key}"}
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    errors = response.get_json()["errors"]
    assert errors["_body"] and all(isinstance(message, str) for message in errors["_body"])
    assert count(app, Inquiry) == before


INVALID: list[tuple[str, dict[str, Any], set[str]]] = [
    ("unknown-field", {"favourite_colour": "blue"}, {"favourite_colour"}),
    ("message-number", {"message": 42}, {"message"}),
    ("message-missing", {"message": None}, {"message"}),
    ("message-blank", {"message": "   "}, {"message"}),
    ("message-too-long", {"message": "x" * (MESSAGE_MAX + 1)}, {"message"}),
    ("message-control-char", {"message": "I need\x07 help"}, {"message"}),
    ("name-control-char", {"name": "Sam\x00"}, {"name"}),
    ("safe-string", {"safe_to_leave_message": "yes"}, {"safe_to_leave_message"}),
    ("consent-missing", {"consent": None}, {"consent"}),
    ("consent-false", {"consent": False}, {"consent"}),
    ("consent-string", {"consent": "true"}, {"consent"}),
    ("no-contact", {"email": None}, {"email", "phone"}),
    ("phone-unparseable", {"email": None, "phone": "12"}, {"phone"}),
    ("email-invalid", {"email": "sam@"}, {"email"}),
    ("email-number", {"email": 12345}, {"email"}),
    ("substance-unknown", {"substances": ["xanax"]}, {"substances"}),
    ("substances-not-list", {"substances": "alcohol"}, {"substances"}),
    ("screen-bad-answer", {"screen": {"wish_dead": "maybe"}}, {"screen"}),
    ("screen-unknown-item", {"screen": {"feeling_blue": "yes"}}, {"screen"}),
    ("screen-not-object", {"screen": ["yes"]}, {"screen"}),
    ("risk-not-boolean", {"risk": {"seizure_24h": "yes"}}, {"risk"}),
    ("country-unknown", {"country": "ZZ"}, {"country"}),
    ("country-not-iso", {"country": "EU"}, {"country"}),
    ("country-digits", {"country": "12"}, {"country"}),
    ("country-three-letters", {"country": "USA"}, {"country"}),
    ("language-unknown", {"language": "pt"}, {"language"}),
    ("channel-unknown", {"preferred_channel": "pigeon"}, {"preferred_channel"}),
    ("for-whom-unknown", {"for_whom": "neighbour"}, {"for_whom"}),
]


@pytest.mark.parametrize(
    ("fields", "names"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID]
)
def test_422_names_the_field_and_stores_nothing(
    app: Flask, client: FlaskClient, api_key: str, fields: dict[str, Any], names: set[str]
) -> None:
    before = (count(app, Inquiry), count(app, OutboxMessage))
    response = post_json(client, api_key, inquiry(**fields))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    errors = response.get_json()["errors"]
    assert set(errors) == names
    for messages in errors.values():
        assert messages and all(isinstance(m, str) and m.strip() for m in messages)
    assert (count(app, Inquiry), count(app, OutboxMessage)) == before


@pytest.mark.parametrize("country", [None, "", "  "], ids=["null", "empty", "blank"])
def test_country_null_or_empty_is_refused_like_an_unknown_code(
    app: Flask, client: FlaskClient, api_key: str, country: str | None
) -> None:
    before = count(app, Inquiry)
    body = {**inquiry(), "country": country}
    response = post_json(client, api_key, body)
    assert response.status_code == 422, response.get_data(as_text=True)
    errors = response.get_json()["errors"]
    assert set(errors) == {"country"}
    assert errors["country"] == [
        "Leave country out, or give a two-letter country code, like ES or GB."
    ]
    assert count(app, Inquiry) == before
    # Left out, it is fine: the language picks the helplines.
    assert post_json(client, api_key, inquiry()).status_code == 201


def test_the_openapi_document_refuses_what_validation_refuses(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    country = document["components"]["schemas"]["Inquiry"]["properties"]["country"]
    assert country["type"] == "string"
    assert not country.get("nullable")
    assert "" not in country["enum"] and "AA" not in country["enum"]
    assert {"ES", "GB", "US", "CH", "CA", "FR", "DE", "IT"} <= set(country["enum"])
    responses = document["paths"]["/inquiries"]["post"]["responses"]
    assert "Retry-After" in responses["429"]["headers"]
    assert "Idempotency-Key" in responses["422"]["description"]


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 10_000 + "]" * 10_000,
        '{"message": "I need help", "consent": true, "screen": '
        + "[" * 20_000
        + "]" * 20_000
        + "}",
        '{"a": ' * 5_000 + "1" + "}" * 5_000,
        "[" * 30_000,  # not even closed
    ],
    ids=["arrays", "inside-a-field", "objects", "unclosed"],
)
def test_deeply_nested_json_is_a_clear_400(
    app: Flask, client: FlaskClient, api_key: str, raw: str
) -> None:
    before = count(app, Inquiry)
    response = client.post(
        API,
        data=raw,
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_key}"},
    )
    assert response.status_code == 400
    assert response.get_json()["errors"]["_body"] == [
        "The JSON nests more than 32 levels deep. An inquiry needs two."
    ]
    assert count(app, Inquiry) == before


def test_brackets_inside_text_do_not_count_as_nesting(
    app: Flask, client: FlaskClient, api_key: str
) -> None:
    message = "[[[[{{{{ " * 200 + '\\" [[[ still text'
    response = post_json(client, api_key, inquiry(message=message))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert stored(app, response.get_json()["reference"])["message"] == message


def test_422_lists_every_wrong_field_at_once(client: FlaskClient, api_key: str) -> None:
    body = {"message": 1, "consent": False, "email": "x", "colour": "red", "country": "XYZ"}
    response = post_json(client, api_key, body)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {
        "message",
        "consent",
        "email",
        "colour",
        "country",
    }


def test_422_messages_are_in_the_inquiry_language(client: FlaskClient, api_key: str) -> None:
    english = post_json(client, api_key, inquiry(consent=False))
    spanish = post_json(client, api_key, inquiry(consent=False, language="es"))
    assert english.status_code == spanish.status_code == 422
    assert spanish.get_json()["errors"]["consent"] != english.get_json()["errors"]["consent"]


# Text that must be accepted as it is ------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "أحتاج إلى مساعدة، لا أستطيع التوقف عن تناول الحبوب",
        "אני צריך עזרה, אני לא מצליח להפסיק",
        "I need help 🙏🏽 please 💊",
        "Mixed: help مساعدة עזרה 🆘",
        "Line one\nLine two\r\n\tIndented",
        SCRIPT,
        "Robert'); DROP TABLE inquiries;--",
    ],
    ids=["arabic", "hebrew", "emoji", "mixed", "newlines", "script", "sql"],
)
def test_text_is_stored_exactly_and_not_echoed(
    app: Flask, client: FlaskClient, api_key: str, message: str
) -> None:
    response = post_json(client, api_key, inquiry(message=message, name=message[:120]))
    assert response.status_code == 201, response.get_data(as_text=True)
    row = stored(app, response.get_json()["reference"])
    assert row["message"] == message.strip()
    assert row["answers"]["message"] == message.strip()
    assert row["answers"]["name"] == message[:120].strip()
    # The answer holds only the reference and the guidance: none of the person's words.
    echoed = json.dumps(response.get_json(), ensure_ascii=False)
    assert message.strip() not in echoed
    assert message[:120].strip() not in echoed
    raw = response.get_data(as_text=True)
    assert "<script" not in raw and "alert(1)" not in raw


def test_script_sent_through_the_api_is_escaped_on_the_staff_pages(
    app: Flask, client: FlaskClient, api_key: str, staff: dict[Role, int]
) -> None:
    response = post_json(client, api_key, inquiry(message=SCRIPT, name=SCRIPT))
    assert response.status_code == 201
    inquiry_id = stored(app, response.get_json()["reference"])["id"]
    staff_client = app.test_client()
    assert AuthActions(staff_client).login(ROLE_EMAILS[Role.CLINICIAN]).status_code == 302
    for path in ("/staff/triage/", f"/staff/triage/{inquiry_id}"):
        page = staff_client.get(path)
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        assert SCRIPT not in html, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_script_in_a_form_answer_is_shown_escaped(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form page shows answers back when something is missing; never as live HTML."""
    monkeypatch.setitem(app.config, "FORM_MIN_FILL_SECONDS", 0)
    page = client.get("/en/")
    token = re.search(r'name="form_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert token is not None
    before = count(app, Inquiry)
    response = client.post(
        "/en/",
        data={
            "csrf_token": csrf_from(page),
            "form_token": token.group(1),
            "message": SCRIPT,
            "name": SCRIPT,
            "best_time": SCRIPT,
            "email": "sam@example.org",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert count(app, Inquiry) == before


# 413 and 429 ---------------------------------------------------------------------------------


def test_413_for_a_body_over_the_limit_is_json(
    app: Flask, client: FlaskClient, api_key: str
) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    before = (count(app, Inquiry), count(app, TriageResult))
    response = post_json(client, api_key, inquiry(message="x" * (limit + 1)))
    assert response.status_code == 413
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]
    assert "<html" not in response.get_data(as_text=True).lower()
    assert (count(app, Inquiry), count(app, TriageResult)) == before


def test_429_when_rate_limited(
    app: Flask, client: FlaskClient, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    before = count(app, Inquiry)
    statuses = [post_json(client, api_key, inquiry()).status_code for _ in range(3)]
    assert statuses == [201, 201, 201]
    limited = post_json(client, api_key, inquiry())
    assert limited.status_code == 429
    assert limited.mimetype == "application/json"
    assert "Wait for the Retry-After seconds" in limited.get_json()["error"]
    assert int(limited.headers["Retry-After"]) > 0
    assert count(app, Inquiry) == before + 3


def test_rate_limit_is_per_key(
    app: Flask, client: FlaskClient, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    other = new_key(app, "other-site")[1]
    assert [post_json(client, api_key, inquiry()).status_code for _ in range(3)] == [201, 201, 429]
    assert post_json(client, other, inquiry()).status_code == 201


def test_made_up_keys_do_not_escape_the_rate_limit(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One address trying a new invented key on every request is still limited (otherwise
    it can guess keys and fill the audit trail with rejections at any speed)."""
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    audits = rejected_count(app)
    statuses = [
        post_json(client, f"hik_{attempt:012x}_guess{attempt}", inquiry()).status_code
        for attempt in range(5)
    ]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429], statuses
    assert rejected_count(app) == audits + 3


# OpenAPI -------------------------------------------------------------------------------------


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_openapi_document_describes_the_api(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document = response.get_json()
    try:
        from openapi_spec_validator import validate  # type: ignore[import-not-found]
    except ImportError:
        validate = None
    if validate is not None:
        validate(document)
    assert re.fullmatch(r"3\.0\.\d+", document["openapi"])
    assert document["info"]["title"] and document["info"]["version"]
    post = document["paths"]["/inquiries"]["post"]
    assert {"201", "400", "401", "413", "422", "429"} <= set(post["responses"])
    for status, answer in post["responses"].items():
        assert answer["description"], status
    for ref in _refs(document):
        assert _resolve(document, ref) is not None
    request_schema = post["requestBody"]["content"]["application/json"]["schema"]
    schema = _resolve(document, request_schema["$ref"])
    assert set(FIELDS) <= set(schema["properties"])
    assert set(schema["properties"]) <= set(FIELDS)
    assert {"message", "consent"} <= set(schema["required"])
    assert schema["additionalProperties"] is False
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert response.headers["Cache-Control"] == "no-store"


# Staff pages for API keys ------------------------------------------------------------------


def test_admin_creates_a_key_that_is_shown_once_and_works(
    app: Flask, client: FlaskClient, admin_client: FlaskClient
) -> None:
    page = admin_client.get(KEYS_PAGE)
    assert page.status_code == 200
    created = admin_client.post(
        KEYS_PAGE, data={"csrf_token": csrf_from(page), "source": "partner-clinic.example"}
    )
    assert created.status_code == 200
    html = created.get_data(as_text=True)
    found = PLAINTEXT_KEY.findall(html)
    assert len(set(found)) == 1, found
    plaintext = found[0]
    assert "partner-clinic.example" in html

    response = post_json(client, plaintext, inquiry())
    assert response.status_code == 201
    assert stored(app, response.get_json()["reference"])["source"] == "partner-clinic.example"

    listing = admin_client.get(KEYS_PAGE).get_data(as_text=True)
    _, prefix, secret = plaintext.split("_", 2)
    assert prefix in listing
    assert "partner-clinic.example" in listing
    assert secret not in listing
    assert secret[:8] not in listing
    assert not PLAINTEXT_KEY.search(listing)
    with app.app_context():
        row = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
        assert row is not None
        assert secret not in row.secret_hash
        assert row.created_by_id is not None


def key_audit(app: Flask, key_id: int) -> list[tuple[str, int | None, str | None]]:
    """The audit rows about one API key: tag, who, and the key's prefix."""
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.target_type == "api_key", AuditEvent.target_id == str(key_id))
            .order_by(AuditEvent.id)
        ).all()
        return [(row.tag, row.actor_id, row.detail.get("prefix")) for row in rows]


def test_issuing_and_revoking_a_key_on_the_staff_page_are_audited_once_each(
    app: Flask, admin_client: FlaskClient, staff: dict[Role, int]
) -> None:
    page = admin_client.get(KEYS_PAGE)
    created = admin_client.post(
        KEYS_PAGE, data={"csrf_token": csrf_from(page), "source": "audited.example"}
    )
    assert created.status_code == 200
    prefix = PLAINTEXT_KEY.findall(created.get_data(as_text=True))[0].split("_")[1]
    with app.app_context():
        key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
        assert key is not None
        key_id = key.id
    admin = staff[Role.ADMIN]
    assert key_audit(app, key_id) == [("admin:api_key:created", admin, prefix)]
    for _ in range(2):  # a second revoke changes nothing and is not audited again
        token = csrf_from(admin_client.get(KEYS_PAGE))
        revoked = admin_client.post(f"{KEYS_PAGE}{key_id}/revoke", data={"csrf_token": token})
        assert revoked.status_code == 302
    assert key_audit(app, key_id) == [
        ("admin:api_key:created", admin, prefix),
        ("admin:api_key:revoked", admin, prefix),
    ]


def test_issuing_and_revoking_a_key_with_the_cli_are_audited(app: Flask) -> None:
    created = app.test_cli_runner().invoke(args=["api-keys", "create", "--source", "cli.example"])
    assert created.exit_code == 0, created.output
    plaintext = PLAINTEXT_KEY.findall(created.output)[0]
    prefix = plaintext.split("_")[1]
    revoked = app.test_cli_runner().invoke(args=["api-keys", "revoke", prefix])
    assert revoked.exit_code == 0, revoked.output
    with app.app_context():
        key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
        assert key is not None and key.revoked_at is not None
        key_id = key.id
    assert key_audit(app, key_id) == [
        ("admin:api_key:created", None, prefix),
        ("admin:api_key:revoked", None, prefix),
    ]


def test_admin_key_form_needs_a_source(app: Flask, admin_client: FlaskClient) -> None:
    before = count(app, ApiKey)
    page = admin_client.get(KEYS_PAGE)
    response = admin_client.post(KEYS_PAGE, data={"csrf_token": csrf_from(page), "source": ""})
    assert response.status_code == 400
    assert not PLAINTEXT_KEY.search(response.get_data(as_text=True))
    assert count(app, ApiKey) == before


def test_admissions_user_cannot_manage_keys(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    key_id, plaintext = new_key(app)
    assert AuthActions(client).login(ROLE_EMAILS[Role.ADMISSIONS]).status_code == 302
    before = count(app, ApiKey)
    assert client.get(KEYS_PAGE).status_code == 403
    token = csrf_from(client.get("/staff/"))
    assert client.post(KEYS_PAGE, data={"csrf_token": token, "source": "x"}).status_code == 403
    assert client.post(f"{KEYS_PAGE}{key_id}/revoke", data={"csrf_token": token}).status_code == 403
    assert count(app, ApiKey) == before
    assert post_json(app.test_client(), plaintext, inquiry()).status_code == 201


def test_anonymous_visitor_is_sent_to_login(client: FlaskClient) -> None:
    response = client.get(KEYS_PAGE)
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


# CLI -----------------------------------------------------------------------------------------


def test_cli_creates_a_working_key_and_lists_it_without_the_secret(
    app: Flask, client: FlaskClient
) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["api-keys", "create", "--source", "cli-site"])
    assert result.exit_code == 0, result.output
    match = PLAINTEXT_KEY.search(result.output)
    assert match, result.output
    plaintext = match.group(0)
    response = post_json(client, plaintext, inquiry())
    assert response.status_code == 201
    assert stored(app, response.get_json()["reference"])["source"] == "cli-site"

    listed = runner.invoke(args=["api-keys", "list"])
    assert listed.exit_code == 0, listed.output
    _, prefix, secret = plaintext.split("_", 2)
    assert re.search(rf"{prefix}\s+active\s+cli-site", listed.output), listed.output
    assert secret not in listed.output


def test_cli_create_needs_a_source(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["api-keys", "create"])
    assert result.exit_code != 0
    assert "--source" in result.output


def test_audit_c_answers_reach_the_rules(app: Flask, client: FlaskClient) -> None:
    """The optional AUDIT-C screen is accepted, checked, and raises a routine inquiry's flags."""
    from intake.triage.models import TriageFlag

    headers = {"Authorization": f"Bearer {new_key(app)[1]}"}
    body = {
        "message": "I would like some information",
        "email": "drinks@example.net",
        "consent": True,
        "audit_c": {"q1": 4, "q2": 3, "q3": 2, "sex": "female"},
    }
    assert client.post("/api/v1/inquiries", json=body, headers=headers).status_code == 201
    with app.app_context():
        codes = set(db.session.scalars(select(TriageFlag.code)).all())
    assert "audit_c_positive" in codes
    bad = client.post("/api/v1/inquiries", json={**body, "audit_c": {"q1": 9}}, headers=headers)
    assert bad.status_code == 422
    assert "audit_c" in bad.json["errors"]  # type: ignore[index]


def test_a_returning_person_gets_missing_details_filled_in_and_nothing_overwritten(
    app: Flask, client: FlaskClient, api_key: str
) -> None:
    from intake.crm.models import DuplicateCandidate, Person

    sends = [
        inquiry(email="back@example.org", name="Sam Back"),
        # The same person writing again (same email, same name): linked, the phone filled in.
        inquiry(email="back@example.org", phone="+34 612 34 56 78", name="sam  back"),
        # Someone else on a shared email, or the phone without the email: new people, each a
        # duplicate candidate of Sam for staff to decide, never an automatic link.
        inquiry(email="back@example.org", phone="+34 699 99 99 99", name="Someone Else"),
        inquiry(email=None, phone="+34 612 34 56 78", name="Sam Back"),
    ]
    references = [post_json(client, api_key, body).get_json()["reference"] for body in sends]
    people = [stored_person_id(app, reference) for reference in references]
    assert people[0] == people[1]
    assert len({people[0], people[2], people[3]}) == 3
    with app.app_context():
        sam = db.session.get(Person, people[0])
        assert sam is not None
        assert (sam.email, sam.phone, sam.name) == ("back@example.org", "+34612345678", "Sam Back")
        candidates = db.session.scalars(select(DuplicateCandidate)).all()
        pairs = {frozenset((c.person_low_id, c.person_high_id)) for c in candidates}
        assert frozenset((people[0], people[2])) in pairs
        assert frozenset((people[0], people[3])) in pairs


def stored_person_id(app: Flask, reference: str) -> int:
    with app.app_context():
        person_id = db.session.scalar(
            select(Inquiry.person_id).where(Inquiry.reference == reference)
        )
        assert person_id is not None
        return int(person_id)


def test_the_length_limit_counts_what_was_sent(client: FlaskClient, api_key: str) -> None:
    """The schema's maxLength counts the string as sent, spaces included, and so does the API."""
    response = post_json(client, api_key, inquiry(message="\f" + "x" * MESSAGE_MAX))
    assert response.status_code == 422
    assert "message" in response.get_data(as_text=True)


def test_an_inquiry_whose_id_was_taken_meanwhile_is_stored_with_everything_it_causes(
    app: Flask, client: FlaskClient, api_key: str
) -> None:
    """On PostgreSQL an inquiry's id comes from a block of the sequence its process took
    beforehand. If a row got the next of those ids in the meantime (``flask seed-demo`` writes
    rows with ids of its own and moves the sequence past them), the inquiry is still stored,
    under another id, with its triage result, outbox row and audit row."""
    first = post_json(client, api_key, inquiry())
    assert first.status_code == 201
    inquiries = Inquiry.__table__
    with app.app_context():
        row = dict(
            db.session.execute(
                select(inquiries).where(inquiries.c.reference == first.get_json()["reference"])
            )
            .mappings()
            .one()
        )
        taken = row["id"] + 1
        row.update(id=taken, reference="TAKN-TAKN-22", submission_key=None)
        db.session.execute(inquiries.insert().values(**row))
        db.session.commit()

    second = post_json(client, api_key, inquiry(message="Can someone call me back?"))

    assert second.status_code == 201
    reference = second.get_json()["reference"]
    with app.app_context():
        stored = db.session.scalars(select(Inquiry).where(Inquiry.reference == reference)).one()
        assert stored.id != taken
        assert stored.message == "Can someone call me back?"
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(TriageResult)
                .where(TriageResult.inquiry_id == stored.id)
            )
            == 1
        )
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.target_type == "inquiry", OutboxMessage.target_id == stored.id)
            )
            == 1
        )
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.tag == "public:inquiry:received",
                    AuditEvent.target_id == str(stored.id),
                )
            )
            == 1
        )
