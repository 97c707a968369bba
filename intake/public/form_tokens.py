"""One-time form tokens: they make a resubmitted page store one inquiry, and tell how long the
form was open (bots fill forms in well under a second)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

MAX_AGE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class FormToken:
    nonce: str
    age_seconds: float


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="inquiry-form-token")


def issue_form_token() -> str:
    return _serializer().dumps({"n": secrets.token_urlsafe(18), "t": time.time()})


def read_form_token(token: str | None) -> FormToken | None:
    """The token's nonce and age, or None when it is missing, forged or over a day old."""
    if not token or len(token) > 300:
        return None
    try:
        payload = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("n"), str):
        return None
    return FormToken(nonce=payload["n"], age_seconds=time.time() - float(payload.get("t", 0)))
