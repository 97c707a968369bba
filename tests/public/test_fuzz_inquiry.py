"""Property tests: whatever arrives at the inquiry API or the inquiry form, the answer is a clear
4xx or a stored inquiry, never a server error, and nothing is stored unless it was accepted.

Each Hypothesis example is one real request through the test client. The test's transaction is
rolled back afterwards, so the row counts compared here are the ones inside the test.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from intake.extensions import db
from intake.public.api_keys import create_api_key
from intake.public.models import Inquiry
from intake.public.validation import FIELDS
from intake.vocabulary import (
    RISK_ITEMS,
    SCREEN_ANSWERS,
    SCREEN_ITEMS,
    SUBSTANCES,
    TRIED_WHEN,
    ContactChannel,
    ForWhom,
    Language,
)
from tests.conftest import csrf_from

API = "/api/v1/inquiries"
FORM = "/en/"
HIGH_LIMIT = "10000 per minute"
FORM_TOKEN = re.compile(r'name="form_token"[^>]*value="([^"]+)"')

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def inquiry_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Inquiry)) or 0)


@pytest.fixture
def fuzz_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The app with limits out of the way; monkeypatch restores the settings afterwards."""
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", HIGH_LIMIT)
    monkeypatch.setitem(app.config, "PUBLIC_FORM_RATE_LIMIT", HIGH_LIMIT)
    monkeypatch.setitem(app.config, "FORM_MIN_FILL_SECONDS", 0)
    yield app


@pytest.fixture
def bearer(app: Flask) -> dict[str, str]:
    with app.app_context():
        _, plaintext = create_api_key("fuzz-site")
        db.session.commit()
    return {"Authorization": f"Bearer {plaintext}"}


# Strategies ----------------------------------------------------------------------------------

# Any code point, control characters, right-to-left marks and lone surrogates included.
any_text = st.text(max_size=40)
awkward_text = st.one_of(
    any_text,
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\x07bell",
            "\u202eevil",
            "\ud800",
            "مساعدة",
            "עזרה",
            "🆘💊",
            "<script>alert(1)</script>",
            "I need help",
            "+34 612 345 678",
            "sam@example.org",
            "a@b",
            "null",
            "true",
        ]
    ),
    st.integers(min_value=4990, max_value=5010).map(lambda n: "x" * n),
    st.integers(min_value=1, max_value=30_000).map(lambda n: "y" * n),
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    awkward_text,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(FIELDS), any_text), children, max_size=5),
    ),
    max_leaves=20,
)

# Inquiries built around the real field names. Valid values first: any of them, combined in
# any way, must be accepted.
clean_characters = st.characters(blacklist_categories=("Cc", "Cs"))


def clean_text(max_size: int) -> st.SearchStrategy[str]:
    """Text a person could type: any script, emoji, marks; no control characters."""
    return st.text(clean_characters, min_size=1, max_size=max_size).filter(str.strip)


VALID_EMAILS = ["sam@example.org", "ANA.Garcia@Example.ES", "jo+intake@example.co.uk"]
VALID_PHONES = ["+34 612 345 678", "+44 7700 900123", "+1 202 555 0143", "+41 44 500 51 11"]
valid_optional: dict[str, st.SearchStrategy[Any]] = {
    "name": clean_text(60),
    "preferred_channel": st.sampled_from(ContactChannel.codes()),
    "safe_to_leave_message": st.booleans(),
    "best_time": clean_text(100),
    "country": st.sampled_from(["ES", "GB", "US", "CH", "CA", "FR", "DE", "IT", "JP", "gb"]),
    "language": st.sampled_from(Language.codes()),
    "for_whom": st.sampled_from(ForWhom.codes()),
    "substances": st.lists(st.sampled_from(SUBSTANCES), max_size=12),
    "screen": st.fixed_dictionaries(
        {},
        optional={
            **{item: st.sampled_from(SCREEN_ANSWERS) for item in SCREEN_ITEMS},
            "tried_when": st.sampled_from(TRIED_WHEN),
            "thoughts_now": st.sampled_from(SCREEN_ANSWERS),
        },
    ),
    "risk": st.fixed_dictionaries({}, optional={item: st.booleans() for item in RISK_ITEMS}),
}
valid_contact = st.one_of(
    st.fixed_dictionaries({"email": st.sampled_from(VALID_EMAILS)}),
    st.fixed_dictionaries({"phone": st.sampled_from(VALID_PHONES)}),
    st.fixed_dictionaries(
        {"email": st.sampled_from(VALID_EMAILS), "phone": st.sampled_from(VALID_PHONES)}
    ),
)
valid_message = st.one_of(
    clean_text(400),
    st.sampled_from(
        [
            "I need help",
            "I've got a month of pills lined up and I'm going to end it tonight",
            "My brother had a seizure this morning after stopping his diazepam",
            "Necesito ayuda, no puedo dejar el alprazolam",
            "<script>alert(1)</script>",
        ]
    ),
)


def _combine(message: str, contact: dict[str, Any], optional: dict[str, Any]) -> dict[str, Any]:
    return {"message": message, **contact, **optional, "consent": True}


valid_inquiries = st.builds(
    _combine, valid_message, valid_contact, st.fixed_dictionaries({}, optional=valid_optional)
)
# A valid inquiry with one to three fields replaced by anything (None removes the field).
broken_inquiries = st.tuples(
    valid_inquiries,
    st.dictionaries(
        st.one_of(st.sampled_from([*FIELDS, "unexpected"]), any_text),
        json_values,
        min_size=1,
        max_size=3,
    ),
)

form_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
clean_form_text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=60)
valid_form_fields = st.fixed_dictionaries(
    {
        "message": clean_text(300),
        "email": st.sampled_from(VALID_EMAILS),
        "consent": st.just("y"),
    },
    optional={
        "name": clean_form_text,
        "phone": st.sampled_from(["", *VALID_PHONES]),
        "country": st.sampled_from(["", "ES", "GB", "US", "CH", "CA", "FR", "DE", "IT"]),
        "preferred_channel": st.sampled_from(["", *ContactChannel.codes()]),
        "for_whom": st.sampled_from(["", *ForWhom.codes()]),
        "safe_to_leave_message": st.sampled_from(["y", ""]),
        "best_time": clean_form_text,
        **{
            f"screen_{key}": st.sampled_from(["", *SCREEN_ANSWERS])
            for key in (*SCREEN_ITEMS, "thoughts_now")
        },
        "screen_tried_when": st.sampled_from(["", *TRIED_WHEN]),
        **{f"risk_{key}": st.sampled_from(["y", ""]) for key in RISK_ITEMS},
    },
)
form_field_names = [
    "message",
    "name",
    "email",
    "phone",
    "country",
    "preferred_channel",
    "for_whom",
    "safe_to_leave_message",
    "best_time",
    "consent",
    "screen_wish_dead",
    "screen_tried_when",
    "risk_seizure_24h",
    "extra",
]
form_posts = st.tuples(
    valid_form_fields,
    st.lists(st.sampled_from(SUBSTANCES), max_size=4),
    st.dictionaries(
        st.sampled_from(form_field_names),
        st.one_of(form_text, st.just("x" * 5001), st.just("y" * 20_000)),
        max_size=3,
    ),
    st.lists(st.one_of(st.sampled_from([*SUBSTANCES, "xanax", ""]), form_text), max_size=3),
)


# API -----------------------------------------------------------------------------------------


def _post_api(app: Flask, client: FlaskClient, headers: dict[str, str], body: Any) -> TestResponse:
    """POST ``body``; check the status, the error shape and the row count; return the response."""
    data = json.dumps(body)
    before = inquiry_count(app)
    response = client.post(API, data=data, content_type="application/json", headers=headers)
    status = response.status_code
    event(f"status {status}")
    assert status < 500, response.get_data(as_text=True)
    if len(data.encode()) > app.config["MAX_CONTENT_LENGTH"]:
        assert status == 413
    else:
        assert status in {201, 400, 422}, status
    if status in {400, 422}:
        errors = response.get_json()["errors"]
        assert errors and all(isinstance(m, str) for ms in errors.values() for m in ms)
    assert inquiry_count(app) == before + (1 if status == 201 else 0)
    return response


@FUZZ
@given(body=json_values)
def test_api_survives_any_json(
    fuzz_app: Flask, client: FlaskClient, bearer: dict[str, str], body: Any
) -> None:
    status = _post_api(fuzz_app, client, bearer, body).status_code
    if not isinstance(body, dict) and status != 413:
        assert status == 400


@FUZZ
@given(body=valid_inquiries)
def test_api_accepts_every_valid_inquiry(
    fuzz_app: Flask, client: FlaskClient, bearer: dict[str, str], body: dict[str, Any]
) -> None:
    response = _post_api(fuzz_app, client, bearer, body)
    assert response.status_code == 201, response.get_json()
    guidance = response.get_json()["guidance"]
    assert guidance["level"] in {"emergency", "urgent", "routine"}
    assert guidance["emergency_number"]
    with fuzz_app.app_context():
        row = db.session.scalar(
            select(Inquiry).where(Inquiry.reference == response.get_json()["reference"])
        )
        assert row is not None
        assert row.message == unicodedata.normalize("NFC", body["message"].strip())


@FUZZ
@given(case=broken_inquiries)
def test_api_errors_name_the_fields_that_were_broken(
    fuzz_app: Flask,
    client: FlaskClient,
    bearer: dict[str, str],
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    valid, changes = case
    body = {**valid, **changes}
    body = {name: value for name, value in body.items() if value is not None}
    response = _post_api(fuzz_app, client, bearer, body)
    if response.status_code == 422:
        errors = response.get_json()["errors"]
        allowed = set(changes)
        if {"email", "phone"} & allowed:
            allowed |= {"email", "phone"}
        if "country" in allowed:
            allowed.add("phone")  # the country is the phone number's region hint
        assert set(errors) <= allowed, (errors, changes)


@FUZZ
@given(
    raw=st.one_of(
        st.binary(max_size=300),
        st.binary(max_size=100).map(lambda b: b'{"message": "I need help", "x": ' + b + b"}"),
    )
)
def test_api_survives_arbitrary_bytes(
    fuzz_app: Flask, client: FlaskClient, bearer: dict[str, str], raw: bytes
) -> None:
    before = inquiry_count(fuzz_app)
    response = client.post(API, data=raw, content_type="application/json", headers=bearer)
    event(f"status {response.status_code}")
    assert response.status_code in {201, 400, 422}
    assert inquiry_count(fuzz_app) == before + (1 if response.status_code == 201 else 0)


# Form ----------------------------------------------------------------------------------------


@FUZZ
@given(post=form_posts)
def test_form_survives_any_answers(
    fuzz_app: Flask,
    client: FlaskClient,
    post: tuple[dict[str, str], list[str], dict[str, str], list[str]],
) -> None:
    valid, substances, changes, odd_substances = post
    page = client.get(FORM)
    assert page.status_code == 200
    token = FORM_TOKEN.search(page.get_data(as_text=True))
    assert token is not None
    data: dict[str, Any] = {
        **valid,
        **changes,
        "substances": substances + odd_substances,
        "csrf_token": csrf_from(page),
        "form_token": token.group(1),
    }
    before = inquiry_count(fuzz_app)
    response = client.post(FORM, data=data)
    status = response.status_code
    event(f"status {status}")
    assert status in {302, 400, 413}, status
    if status == 302:
        assert response.headers["Location"].endswith("/en/thanks")
        assert data["consent"] == "y"
        assert inquiry_count(fuzz_app) == before + 1
    else:
        assert inquiry_count(fuzz_app) == before
    if not changes and not odd_substances:
        assert status == 302, "a valid form was refused"


# Idempotency by body and nesting depth -------------------------------------------------------


@FUZZ
@given(first=valid_inquiries, second=valid_inquiries)
def test_api_same_key_repeats_the_same_body_and_refuses_another(
    fuzz_app: Flask,
    client: FlaskClient,
    bearer: dict[str, str],
    first: dict[str, Any],
    second: dict[str, Any],
) -> None:
    # A fresh key per example: the examples share one test transaction.
    headers = {**bearer, "Idempotency-Key": str(uuid.uuid4())}
    stored = _post_api(fuzz_app, client, headers, first)
    assert stored.status_code == 201
    before = inquiry_count(fuzz_app)
    for body in (first, second):
        again = client.post(
            API, data=json.dumps(body), content_type="application/json", headers=headers
        )
        same = json.dumps(body, sort_keys=True) == json.dumps(first, sort_keys=True)
        event("same body" if same else "another body")
        if same:
            assert again.status_code == 200
            assert again.get_json()["reference"] == stored.get_json()["reference"]
        else:
            assert again.status_code == 422
            assert set(again.get_json()["errors"]) == {"Idempotency-Key"}
        assert inquiry_count(fuzz_app) == before


nested_json = st.integers(min_value=1, max_value=20_000).flatmap(
    lambda depth: st.tuples(st.just(depth), st.sampled_from(["[", '{"a":']))
)


@FUZZ
@given(
    nesting=nested_json,
    field=st.sampled_from([None, "screen", "risk", "message", "substances", "audit_c"]),
)
def test_api_refuses_deep_nesting_with_a_400_anywhere(
    fuzz_app: Flask,
    client: FlaskClient,
    bearer: dict[str, str],
    nesting: tuple[int, str],
    field: str | None,
) -> None:
    depth, opener = nesting
    closer = "]" if opener == "[" else "}"
    nested = opener * depth + "1" + closer * depth
    raw = (
        nested
        if field is None
        else (
            '{"message": "I need help", "email": "sam@example.org", "consent": true, '
            f'"{field}": {nested}}}'
        )
    )
    total_depth = depth + (0 if field is None else 1)
    before = inquiry_count(fuzz_app)
    response = client.post(API, data=raw, content_type="application/json", headers=bearer)
    event(f"status {response.status_code}")
    assert response.status_code < 500
    if len(raw.encode()) > fuzz_app.config["MAX_CONTENT_LENGTH"]:
        assert response.status_code == 413
    elif total_depth > 32:
        assert response.status_code == 400
        assert "nests more than 32 levels" in response.get_json()["errors"]["_body"][0]
    else:
        assert response.status_code in {400, 422}
    assert inquiry_count(fuzz_app) == before
