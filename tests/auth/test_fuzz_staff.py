"""Property test: no staff page or staff form answers junk with a server error.

The URL map is walked for every route under ``/staff`` (a route added later is fuzzed too), and
each role signs in and sends generated requests to them: ids beyond any column and in other
scripts' digits, NUL bytes, long text, impossible dates and times inside a clock change, in the
path, the query string and the fields of every staff form (the field names come from the forms
themselves), mixed with real ids and valid choices so that some requests get past validation.
Whatever the request, the answer must be below 500.

Bounded: ``FUZZ_EXAMPLES`` examples per role (60 by default), through the test client.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.routing import Rule
from wtforms.fields.core import UnboundField

from intake.auth.models import User
from intake.auth.permissions import Role
from intake.extensions import db
from intake.messaging import relay
from intake.messaging.models import Alert, Delivery, OnCallShift
from intake.messaging.outbox import OutboxMessage
from intake.public.api_keys import create_api_key
from intake.public.validation import validate_inquiry
from intake.usecases.accept_inquiry import accept_inquiry
from tests.conftest import ROLE_EMAILS, AuthActions, csrf_from
from tests.reliability.fixtures import published, rota  # noqa: F401  (fixtures, by name)

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HIGH_LIMIT = "100000 per minute"
# Signing out would leave the rest of the run anonymous; the route guards test covers it.
SKIPPED_ENDPOINTS = {"auth.logout"}
QUERY_NAMES = [
    "assignee",
    "page",
    "actor",
    "since",
    "until",
    "priority",
    "status",
    "country",
    "language",
    "breached",
    "tag",
    "target_type",
    "target_id",
    "next",
    "lang",
]
PLACEHOLDER = re.compile(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>")

# Junk -----------------------------------------------------------------------------------------
UNICODE_DIGITS = ["\u00b2", "\u0661\u0662", "\uff11", "\u09e7", "\u2460"]
HUGE_NUMBERS = ["0", "-1", "2147483648", "9223372036854775808", "99999999999999999999", "1e9"]
BAD_DATES = [
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2026-13-01",
    "2027-03-28T02:30",  # inside the hour Europe/Zurich skips
    "2026-03-29 02:15",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2026-01-01T25:00",
    "10000-01-01",
    "\u0662\u0660\u0662\u0666-\u0660\u0661-\u0660\u0661",
]
GOOD_DATES = ["2031-01-15T08:00", "2031-01-15T20:00", "2026-06-01", "2027-03-28T01:30"]
# Rare kinds share one branch: a NUL byte or a body over the size cap stops a request at the door.
rare_junk = st.one_of(
    st.text(min_size=1, max_size=10).map(lambda text: f"{text}\x00{text}"),
    st.text(min_size=1, max_size=3).map(lambda text: text * 1500),  # long text
)
junk = st.one_of(
    st.sampled_from(UNICODE_DIGITS + HUGE_NUMBERS + BAD_DATES),
    st.text(max_size=40),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    rare_junk,
)


def _form_fields() -> dict[str, list[str]]:
    """Every field name of every form in the app, with its fixed choices when it has any."""
    fields: dict[str, list[str]] = {"csrf_token": []}
    pending = list(FlaskForm.__subclasses__())
    while pending:
        form_class = pending.pop()
        pending.extend(form_class.__subclasses__())
        for name in dir(form_class):
            unbound = getattr(form_class, name, None)
            if not isinstance(unbound, UnboundField):
                continue
            choices = unbound.kwargs.get("choices")
            if not isinstance(choices, list | tuple):  # none, or made per request
                choices = []
            values = [str(c[0] if isinstance(c, tuple) else c) for c in choices]
            fields.setdefault(name, []).extend(values)
    return fields


@dataclass
class Target:
    """What the requests may aim at: real ids from the database, and the routes to fuzz."""

    ids: list[str]
    rules: list[Rule]
    fields: dict[str, list[str]]


@pytest.fixture
def target(app: Flask, rota: dict[str, int], published: list[Any]) -> Target:  # noqa: F811
    """Real rows of each kind (inquiry, alert, deliveries, shift, users, API key) to aim at."""
    with app.app_context():
        data, errors = validate_inquiry(
            {
                "consent": True,
                "email": "fuzz@example.net",
                "message": "I took all my pills to end it, I am dizzy",
            }
        )
        assert data is not None, errors
        inquiry_id = accept_inquiry(data, source="test").inquiry.id
        db.session.commit()
        for outbox_id in db.session.scalars(select(OutboxMessage.id)).all():
            relay.process_outbox(outbox_id)
        key, _plaintext = create_api_key("fuzz-site")
        db.session.commit()
        ids = {inquiry_id, key.id, *rota.values()}
        for model in (Alert, Delivery, OnCallShift, User):
            ids.update(db.session.scalars(select(model.id)).all())  # type: ignore[attr-defined]
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/staff") and rule.endpoint not in SKIPPED_ENDPOINTS
    ]
    assert len(rules) >= 30
    return Target(ids=sorted(str(n) for n in ids), rules=rules, fields=_form_fields())


@st.composite
def staff_requests(draw: st.DrawFn, target: Target, token: str) -> dict[str, Any]:
    """One request: a staff route, its path filled in, a query string and a form."""
    rule = draw(st.sampled_from(target.rules))
    methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    method = draw(st.sampled_from(methods))

    def fill(match: re.Match[str]) -> str:
        if match.group(1) == "int":
            value = draw(st.one_of(st.sampled_from(target.ids), junk))
        elif match.group(1) == "any":
            value = draw(st.sampled_from(["en", "de"]))
        else:
            value = draw(junk)
        return quote(value[:300], safe="") or "0"

    path = PLACEHOLDER.sub(fill, rule.rule)
    good = st.sampled_from(target.ids + GOOD_DATES + ["P0", "P3", "y", "1", "admin"])
    query = draw(
        st.dictionaries(
            st.one_of(st.sampled_from(QUERY_NAMES), st.text(max_size=5)),
            st.one_of(junk, good),
            max_size=4,
        )
    )
    form: dict[str, Any] = {}
    if method == "POST":
        names = draw(st.lists(st.sampled_from(sorted(target.fields)), max_size=6, unique=True))
        for name in names:
            choices = target.fields[name]
            options = [junk, good] + ([st.sampled_from(choices)] if choices else [])
            form[name] = draw(st.one_of(*options))
        if draw(st.booleans()) or draw(st.booleans()):
            form["csrf_token"] = token  # mostly valid, so the request reaches the view
    return {"path": path, "method": method, "query_string": query, "data": form}


@pytest.fixture
def fuzz_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """Limits and lockouts out of the way, so every example reaches the page it aims at."""
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", HIGH_LIMIT)
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 10**6)
    yield app


def _signed_in(client: FlaskClient, email: str) -> bool:
    if client.get("/staff/").status_code == 200:
        return True
    return AuthActions(client).login(email).status_code == 302


@pytest.mark.parametrize("role", list(Role))
def test_no_staff_request_gets_a_server_error(
    fuzz_app: Flask, client: FlaskClient, staff: dict[Role, int], target: Target, role: Role
) -> None:
    email = ROLE_EMAILS[role]
    assert AuthActions(client).login(email).status_code == 302
    token = csrf_from(client.get("/staff/account/password"))  # one token serves the session

    @FUZZ
    @given(request=staff_requests(target, token))
    def check(request: dict[str, Any]) -> None:
        # An example may end the session (a role removed, an account deactivated): sign in again.
        _signed_in(client, email)
        response = client.open(**request)
        assert response.status_code < 500, request

    check()
