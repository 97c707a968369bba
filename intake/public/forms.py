"""The inquiry page's form: CSRF, the honeypot and the one-time token.

The answers themselves are read by :func:`payload_from_form` into the API shape and checked by
the one shared validation, so the form and the API cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, StringField

from intake.vocabulary import RISK_ITEMS, SCREEN_ITEMS, SCREEN_THOUGHTS_NOW, SCREEN_TRIED_WHEN


class InquiryPageForm(FlaskForm):
    # Named like a field a bot would fill; hidden from people with CSS and aria-hidden.
    website = StringField()
    form_token = HiddenField()


TEXT_FIELDS = ("message", "name", "email", "phone", "best_time")
CHOICE_FIELDS = ("country", "preferred_channel", "for_whom")


def payload_from_form(form: MultiDict[str, str], language: str) -> dict[str, Any]:
    """Turn the posted form into the inquiry shape of ``docs/api.md``."""
    payload: dict[str, Any] = {"language": language}
    for name in TEXT_FIELDS + CHOICE_FIELDS:
        # Browsers send a textarea's line breaks as CRLF but count (and show) them as one
        # character; reading them back as one keeps the server's limit the one the person saw.
        value = form.get(name, "").replace("\r\n", "\n")
        if value.strip():
            payload[name] = value
    payload["safe_to_leave_message"] = form.get("safe_to_leave_message") == "y"
    substances = form.getlist("substances")
    if substances:
        payload["substances"] = substances
    screen = {
        key: form[f"screen_{key}"]
        for key in (*SCREEN_ITEMS, SCREEN_TRIED_WHEN, SCREEN_THOUGHTS_NOW)
        if form.get(f"screen_{key}")
    }
    if screen:
        payload["screen"] = screen
    risk = {key: True for key in RISK_ITEMS if form.get(f"risk_{key}") == "y"}
    if risk:
        payload["risk"] = risk
    payload["consent"] = form.get("consent") == "y"
    return payload
