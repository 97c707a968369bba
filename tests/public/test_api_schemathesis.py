"""Schemathesis against the API's own OpenAPI document, in-process through the WSGI app.

Schemathesis reads ``/api/v1/openapi.json`` and sends what the document allows and what it does
not (nulls, wrong types, missing fields, odd headers). Whatever it sends, the answer is never a
server error, and what the document says is refused is refused. The run is bounded by
``SCHEMATHESIS_EXAMPLES`` examples per phase and touches 127.0.0.1 only (no network at all).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, event, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection
from sqlalchemy import func, select

from intake.extensions import db
from intake.public.api_keys import create_api_key
from intake.public.models import Inquiry

HIGH_LIMIT = "100000 per minute"


@pytest.fixture
def bearer(app: Flask) -> dict[str, str]:
    with app.app_context():
        _, plaintext = create_api_key("schemathesis")
        db.session.commit()
    return {"Authorization": f"Bearer {plaintext}"}


def _inquiries(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Inquiry)) or 0)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_never_answers_with_a_server_error(
    app: Flask, bearer: dict[str, str], monkeypatch: pytest.MonkeyPatch, mode: GenerationMode
) -> None:
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", HIGH_LIMIT)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema["/inquiries"]["POST"]

    @settings(
        max_examples=int(os.environ.get("SCHEMATHESIS_EXAMPLES", "60")),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case: Any) -> None:
        before = _inquiries(app)
        response = case.call(headers=bearer)
        event(f"{mode.value} {response.status_code}")
        case.validate_response(response, checks=[not_a_server_error, negative_data_rejection])
        # 401: negative cases also break the Authorization header on purpose.
        assert response.status_code in {200, 201, 400, 401, 413, 422}, response.text[:300]
        # Something is stored exactly when the API says it stored something new.
        assert _inquiries(app) - before == (1 if response.status_code == 201 else 0)
        if response.status_code == 201:
            assert isinstance(case.body, dict) and case.body.get("consent") is True

    send()
