"""Bad input gets a clear 4xx, never a 500 (issue 8, item 5).

Each case is one hand-made request an attacker or a slip of the keyboard could send: ids beyond
any integer column in staff URLs, NUL bytes in the sign-in form, the queue filters, staff forms
and headers, digits from other scripts, dates no one means, on-call shifts in the hour that
clocks skip, and methods a route does not take (answered with ``Allow``). They run as a
signed-in member of staff who may use every page, so the request reaches the code that used to
fail.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from intake.auth.permissions import Role
from intake.extensions import db
from intake.messaging.models import OnCallShift
from intake.public.api_keys import create_api_key
from tests.conftest import AuthActions, csrf_from, make_user, submit_inquiry_form
from tests.factories import accepted_inquiry

EVERYONE = "everything@example.org"
BEYOND_ANY_ID = [
    "99999999999999999999",  # beyond 64 bits
    "9223372036854775808",  # 2**63: one past a signed 64-bit integer
    "2147483648",  # 2**31: one past PostgreSQL's INTEGER
]
ID_PAGES = [
    "/staff/triage/{id}",
    "/staff/alerts/{id}",
    "/staff/messages/inquiry/{id}",
    "/staff/admin/users/{id}",
]
ID_ACTIONS = [
    "/staff/triage/{id}/claim",
    "/staff/triage/{id}/attempts",
    "/staff/triage/{id}/priority",
    "/staff/alerts/{id}/acknowledge",
    "/staff/on-call/{id}/remove",
    "/staff/deliveries/{id}/requeue",
    "/staff/admin/users/{id}/roles",
    "/staff/admin/users/{id}/deactivate",
    "/staff/admin/users/{id}/reactivate",
    "/staff/admin/users/{id}/reinvite",
    "/staff/admin/api-keys/{id}/revoke",
]
QUEUE_FILTERS = ["priority", "status", "country", "language", "assignee", "breached"]
# Arabic-Indic digits: str.isdigit() and int() accept them, and so did the id routes.
ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x0660 + n) for n in range(10)))


@pytest.fixture
def signed_in(app: Flask, client: FlaskClient) -> FlaskClient:
    """A client signed in as someone holding every role, so no page answers 403."""
    make_user(app, EVERYONE, {Role.ADMIN, Role.ADMISSIONS, Role.CLINICIAN})
    assert AuthActions(client).login(EVERYONE).status_code == 302
    return client


def _token(client: FlaskClient) -> str:
    return csrf_from(client.get("/staff/on-call/"))


def _inquiry(app: Flask) -> int:
    with app.app_context():
        return accepted_inquiry()


# Ids ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("huge", BEYOND_ANY_ID)
@pytest.mark.parametrize("template", ID_PAGES)
def test_an_id_beyond_any_column_is_not_found(
    signed_in: FlaskClient, template: str, huge: str
) -> None:
    response = signed_in.get(template.format(id=huge))
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("huge", BEYOND_ANY_ID)
@pytest.mark.parametrize("template", ID_ACTIONS)
def test_an_action_on_an_id_beyond_any_column_is_not_found(
    signed_in: FlaskClient, template: str, huge: str
) -> None:
    token = _token(signed_in)
    response = signed_in.post(
        template.format(id=huge),
        data={"csrf_token": token, "priority": "P0", "channel": "phone", "outcome": "reached"},
    )
    assert response.status_code == 404


def test_every_id_in_every_route_is_range_checked(app: Flask, signed_in: FlaskClient) -> None:
    """Walks the URL map, so a route added later is covered too."""
    token = _token(signed_in)
    checked = 0
    for rule in app.url_map.iter_rules():
        ints = [
            name
            for name, converter in rule._converters.items()
            if isinstance(converter, IntegerConverter)
        ]
        if not ints or not set(rule.arguments) <= set(ints):
            continue
        path = rule.rule
        for name in ints:
            path = path.replace(f"<int:{name}>", BEYOND_ANY_ID[0])
        method = "GET" if "GET" in (rule.methods or set()) else "POST"
        response = signed_in.open(path, method=method, data={"csrf_token": token})
        assert response.status_code == 404, (rule.rule, response.status_code)
        checked += 1
    assert checked >= len(ID_PAGES) + len(ID_ACTIONS)


def test_an_id_in_another_script_does_not_open_the_record(
    app: Flask, signed_in: FlaskClient
) -> None:
    inquiry_id = _inquiry(app)
    assert signed_in.get(f"/staff/triage/{inquiry_id}").status_code == 200
    other_digits = str(inquiry_id).translate(ARABIC_INDIC)
    assert signed_in.get(f"/staff/triage/{other_digits}").status_code == 404


# NUL bytes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("email", ["\x00", "admin\x00@example.org", EVERYONE + "\x00"])
def test_a_nul_byte_in_the_sign_in_email_is_refused(
    app: Flask, client: FlaskClient, email: str
) -> None:
    make_user(app, EVERYONE, {Role.ADMIN})
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login",
        data={"csrf_token": csrf_from(page), "email": email, "password": "whatever it is"},
    )
    assert response.status_code == 400
    assert "We could not read that request" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", QUEUE_FILTERS)
@pytest.mark.parametrize("path", ["/staff/triage/", "/staff/triage/queue.json"])
def test_a_nul_byte_in_a_queue_filter_is_refused(
    signed_in: FlaskClient, path: str, name: str
) -> None:
    response = signed_in.get(path, query_string={name: "P0\x00"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        {"target_type": "person\x00"},
        {"target_id": "1\x00"},
        {"tag": "\x00"},
        {"since": "2026-01-01\x00"},
        {"x\x00": "1"},
    ],
)
def test_a_nul_byte_in_the_audit_filters_is_refused(
    signed_in: FlaskClient, query: dict[str, str]
) -> None:
    assert signed_in.get("/staff/admin/audit/", query_string=query).status_code == 400


def test_a_nul_byte_in_a_staff_form_is_refused_and_nothing_changes(
    app: Flask, signed_in: FlaskClient
) -> None:
    inquiry_id = _inquiry(app)
    page = signed_in.get(f"/staff/triage/{inquiry_id}")
    response = signed_in.post(
        f"/staff/triage/{inquiry_id}/attempts",
        data={
            "csrf_token": csrf_from(page),
            "channel": "phone",
            "outcome": "no_answer",
            "note": "rang twice\x00",
        },
    )
    assert response.status_code == 400
    assert "Attempt recorded" not in signed_in.get(f"/staff/triage/{inquiry_id}").get_data(
        as_text=True
    )


def test_a_nul_byte_in_the_path_is_refused(client: FlaskClient) -> None:
    assert client.get("/en/unsubscribe/abc%00def").status_code == 400


@pytest.fixture
def api_key(app: Flask) -> str:
    with app.app_context():
        _key, plaintext = create_api_key("bad-input-site")
        db.session.commit()
    return plaintext


@pytest.mark.parametrize("header", ["Authorization", "Idempotency-Key", "Accept-Language"])
def test_a_nul_byte_in_a_header_is_refused(client: FlaskClient, api_key: str, header: str) -> None:
    headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
    headers[header] = headers.get(header, "en") + "\x00"
    response = client.post(
        "/api/v1/inquiries", data='{"consent": true, "email": "q@example.net"}', headers=headers
    )
    assert response.status_code == 400


# Digits from other scripts and numbers out of range -------------------------------------------
@pytest.mark.parametrize(
    "value", ["\u00b2", "\u0661", "\uff11", "99999999999999999999", "-1", "0x10", " "]
)
def test_odd_assignee_filters_are_ignored(signed_in: FlaskClient, value: str) -> None:
    page = signed_in.get("/staff/triage/", query_string={"assignee": value})
    assert page.status_code == 200
    listing = signed_in.get("/staff/triage/queue.json", query_string={"assignee": value})
    assert listing.status_code == 200


@pytest.mark.parametrize("name", ["page", "actor"])
@pytest.mark.parametrize(
    "value", ["\u00b2", "\u0661", "99999999999999999999", "9223372036854775808", "-5"]
)
def test_odd_numbers_on_the_audit_page_are_ignored(
    signed_in: FlaskClient, name: str, value: str
) -> None:
    response = signed_in.get("/staff/admin/audit/", query_string={name: value})
    assert response.status_code == 200
    assert "Audit log" in response.get_data(as_text=True)


def test_a_code_in_other_digits_is_a_wrong_code_not_an_error(signed_in: FlaskClient) -> None:
    page = signed_in.get("/staff/account/two-factor")
    response = signed_in.post(
        "/staff/account/two-factor",
        data={"csrf_token": csrf_from(page), "code": "123456".translate(ARABIC_INDIC)},
    )
    assert response.status_code == 400
    assert "That code is not valid" in response.get_data(as_text=True)


# Dates ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        {"until": "9999-12-31"},
        {"since": "9999-12-31"},
        {"since": "0001-01-01"},
        {"until": "0001-01-01"},
        {"until": "2026-02-30"},
        {"since": "2026-01-01".translate(ARABIC_INDIC)},
        {"until": "12026-01-01"},
    ],
)
def test_dates_out_of_range_are_left_out_with_a_message(
    signed_in: FlaskClient, query: dict[str, str]
) -> None:
    response = signed_in.get("/staff/admin/audit/", query_string=query)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "A date was left out of the filter" in body
    assert "2000-01-01" in body and "2999-12-31" in body


def test_a_sensible_date_range_still_filters(signed_in: FlaskClient) -> None:
    response = signed_in.get(
        "/staff/admin/audit/", query_string={"since": "2999-12-31", "until": "2999-12-31"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A date was left out" not in body
    assert "0 events" in body


# On-call shifts and the clocks ------------------------------------------------------------------
def _shift_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(OnCallShift)) or 0)


def _add_shift(app: Flask, client: FlaskClient, starts: str, ends: str) -> tuple[int, str]:
    with app.app_context():
        from intake.auth.models import User

        user_id = db.session.scalars(select(User.id).where(User.email == EVERYONE)).one()
    response = client.post(
        "/staff/on-call/",
        data={
            "csrf_token": _token(client),
            "user_id": user_id,
            "fallback_user_id": 0,
            "starts_at": starts,
            "ends_at": ends,
        },
    )
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        ("2027-03-28T02:30", "2027-03-28T03:10"),  # starts in the skipped hour, ends just after
        ("2027-03-28T02:30", "2027-03-28T09:00"),
        ("2027-03-28T01:00", "2027-03-28T02:15"),  # ends in the skipped hour
        ("2026-03-29T02:00", "2026-03-29T08:00"),
    ],
)
def test_a_shift_in_the_hour_the_clocks_skip_is_a_form_error(
    app: Flask, signed_in: FlaskClient, starts: str, ends: str
) -> None:
    before = _shift_count(app)
    status, body = _add_shift(app, signed_in, starts, ends)
    assert status == 400
    assert "The clocks go forward at this time" in body
    assert _shift_count(app) == before


def test_a_shift_across_the_change_of_clocks_is_kept_at_its_real_length(
    app: Flask, signed_in: FlaskClient
) -> None:
    status, _body = _add_shift(app, signed_in, "2027-03-28T01:30", "2027-03-28T03:30")
    assert status == 302
    with app.app_context():
        shift = db.session.scalars(select(OnCallShift).order_by(OnCallShift.id.desc())).first()
        assert shift is not None
        assert shift.ends_at - shift.starts_at == timedelta(hours=1)


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        ("0001-01-01T00:30", "0001-01-01T08:00"),
        ("9999-12-31T20:00", "9999-12-31T23:59"),
        ("1999-12-31T20:00", "2030-01-01T08:00"),
    ],
)
def test_a_shift_outside_the_accepted_dates_is_a_form_error(
    app: Flask, signed_in: FlaskClient, starts: str, ends: str
) -> None:
    before = _shift_count(app)
    status, body = _add_shift(app, signed_in, starts, ends)
    assert status == 400
    assert "Choose a date between 2000-01-01 and 2999-12-31" in body
    assert _shift_count(app) == before


# Methods --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/staff/logout", {"POST"}),
        ("PUT", "/staff/triage/", {"GET"}),
        ("DELETE", "/staff/on-call/", {"GET", "POST"}),
        ("GET", "/staff/triage/1/claim", {"POST"}),
        ("DELETE", "/api/v1/inquiries", {"POST"}),
        ("POST", "/api/v1/openapi.json", {"GET"}),
        ("PATCH", "/en/", {"GET", "POST"}),
    ],
)
def test_a_method_not_allowed_says_which_are(
    client: FlaskClient, method: str, path: str, allowed: set[str]
) -> None:
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert allowed <= {item.strip() for item in response.headers.get("Allow", "").split(",")}


def test_a_nul_byte_in_the_inquiry_form_is_answered_on_the_field_keeping_the_words(
    client: FlaskClient,
) -> None:
    """The public form checks control characters itself; the staff-form guard leaves it be."""
    response = submit_inquiry_form(
        client, message="I need help with my drinking\x00", email="q@example.net"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This contains invisible control characters" in body
    assert "I need help with my drinking" in body
