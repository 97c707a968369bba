"""Phone calls and walk-ins taken down by staff: the same validation and the same use case as the
public form (scored, in the queue, an episode with its owner, the P0/P1 alert, audited with the
worker who took it), the urgent guidance at once for a P0, no acknowledgement unless the worker
ticks it, and the referrer counted on its page."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intake.audit.models import AuditEvent
from intake.auth.permissions import Role
from intake.crm import referrals
from intake.crm.models import EpisodeReferral, ReferralSource, Referrer
from intake.extensions import db
from intake.messaging.outbox import OutboxMessage
from intake.public.models import Inquiry
from intake.triage.models import TriageResult
from tests.conftest import ROLE_EMAILS, AuthActions, csrf_from

PAGE = "/staff/crm/inquiries/new"
FORM_KEY = re.compile(r'name="form_key" type="hidden" value="([^"]+)"')


def _login(client: FlaskClient, role: Role = Role.ADMISSIONS) -> None:
    assert AuthActions(client).login(ROLE_EMAILS[role]).status_code == 302


def _text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def _form(client: FlaskClient) -> dict[str, str]:
    page = client.get(PAGE)
    assert page.status_code == 200
    key = FORM_KEY.search(page.get_data(as_text=True))
    assert key is not None
    return {"csrf_token": csrf_from(page), "form_key": key.group(1)}


def _take(client: FlaskClient, form: dict[str, str] | None = None, **answers: Any) -> Any:
    fields = {"source": "phone", "language": "en", "consent": "y", **answers}
    return client.post(PAGE, data={**(form or _form(client)), **fields})


def _inquiries(app: Flask) -> list[Inquiry]:
    with app.app_context():
        return list(db.session.scalars(select(Inquiry).order_by(Inquiry.id)))


def _outbox_kinds(app: Flask) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(OutboxMessage.kind)).all())


def test_a_worker_records_a_phone_call_and_it_shows_in_the_queue_with_source_and_priority(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _login(client)
    home = _text(client.get("/staff/"))
    assert "Record a phone call / walk-in" in home
    queue = _text(client.get("/staff/triage/"))
    assert "Record a phone call / walk-in" in queue

    taken = _take(
        client,
        message="Caller says her drinking is out of control and she wants a place in a programme.",
        phone="+41 79 123 45 67",
        name="Sara Keller",
        country="CH",
        substances="alcohol",
        for_whom="self",
    )
    assert taken.status_code == 302
    result = _text(client.get(taken.headers["Location"]))
    (inquiry,) = _inquiries(app)
    with app.app_context():
        priority = db.session.scalars(select(TriageResult.priority)).one()
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.tag == "public:inquiry:received")
        ).one()
        source = db.session.scalars(select(ReferralSource)).one()
    assert inquiry.reference in result and "Inquiry recorded" in result
    assert "Phone call" in result and f"badge-{priority}" in result

    queue = _text(client.get("/staff/triage/"))
    row = queue.split(f'data-id="{inquiry.id}"')[1].split("</tr>")[0]
    assert '<td class="source">a phone call</td>' in row
    assert f"badge-{priority}" in row
    # The worker who took it is who the audit names; the source's channel is a phone call.
    assert event.actor_id == staff[Role.ADMISSIONS]
    assert event.detail["taken_by"] == staff[Role.ADMISSIONS]
    assert event.detail["source"] == "phone"
    assert source.channel == "phone"
    # Nobody is emailed: they gave no address.
    assert "acknowledgement" not in _outbox_kinds(app)
    detail = _text(client.get(f"/staff/triage/{inquiry.id}"))
    assert "a phone call" in detail


def test_a_p0_call_shows_the_emergency_number_and_crisis_lines_at_once_and_alerts(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _login(client)
    taken = _take(
        client,
        message="Her son took a lot of pills and she cannot wake him up.",
        phone="+34 600 111 222",
        country="ES",
        for_whom="someone_else",
        risk_breathing_difficulty="y",
    )
    assert taken.status_code == 302
    page = _text(client.get(taken.headers["Location"]))
    main = page.split("<main", 1)[1]
    assert 'id="urgent-guidance"' in main
    # The emergency number and the crisis line come before anything else on the page.
    assert main.index('href="tel:112"') < main.index('href="tel:024"') < main.index("Reference")
    assert "P0" in main
    (inquiry,) = _inquiries(app)
    queue = _text(client.get("/staff/triage/"))
    row = queue.split(f'data-id="{inquiry.id}"')[1].split("</tr>")[0]
    assert "badge-P0" in row and '<td class="source">a phone call</td>' in row
    assert _outbox_kinds(app) == ["staff_alert"]


def test_the_acknowledgement_goes_only_when_the_worker_ticks_it_and_there_is_an_email(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _login(client)
    assert _take(client, message="Wants information", email="a@example.net").status_code == 302
    assert _outbox_kinds(app) == []
    ticked = _take(
        client, message="Wants a brochure", email="b@example.net", send_acknowledgement="y"
    )
    assert ticked.status_code == 302
    assert _outbox_kinds(app) == ["acknowledgement"]
    # Ticked without an email: said, and nothing stored.
    refused = _take(client, message="Wants a call", phone="+447700900123", send_acknowledgement="y")
    assert refused.status_code == 400
    assert "The acknowledgement goes by email" in _text(refused)
    assert len(_inquiries(app)) == 2


def test_a_walk_in_with_a_referrer_counts_on_the_referrer_page(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    with app.app_context():
        gp = Referrer(kind="organisation", organisation="Centro de Salud Norte")
        retired = Referrer(kind="organisation", organisation="Old Clinic", active=False)
        db.session.add_all([gp, retired])
        db.session.commit()
        gp_id, retired_id = gp.id, retired.id
    _login(client)
    form_page = _text(client.get(PAGE))
    assert "Centro de Salud Norte" in form_page and "Old Clinic" not in form_page
    taken = _take(
        client,
        source="walk-in",
        message="Came in with a letter from his doctor; wants to stop using cocaine.",
        phone="+34 600 222 333",
        referrer_id=str(gp_id),
    )
    assert taken.status_code == 302
    assert "Walk-in" in _text(client.get(taken.headers["Location"]))
    listing = _text(client.get("/staff/crm/referrers"))
    row = listing.split(f'data-referrer="{gp_id}"')[1].split("</tr>")[0]
    assert '<td class="sent-count">1</td>' in row
    (inquiry,) = _inquiries(app)
    assert inquiry.reference in _text(client.get(f"/staff/crm/referrers/{gp_id}"))
    with app.app_context():
        chosen = db.session.scalars(select(EpisodeReferral)).one()
        assert (chosen.channel, chosen.set_by_id) == ("walk_in", staff[Role.ADMISSIONS])
    # A deactivated referrer cannot be chosen.
    refused = _take(client, message="Another", phone="+34 600 222 444", referrer_id=retired_id)
    assert refused.status_code == 400 and "Choose a referrer from the list." in _text(refused)
    assert len(_inquiries(app)) == 1


def test_bad_input_gets_the_public_forms_messages_and_stores_nothing(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _login(client)
    refused = client.post(PAGE, data={**_form(client), "message": "", "phone": "12"})
    assert refused.status_code == 400
    page = _text(refused)
    assert "Please write a few words" in page
    assert "We could not read this phone number" in page
    assert "Please tick the consent box" in page
    assert "Say whether they phoned or walked in." in page
    long = _take(client, message="x" * 5001, phone="+447700900123")
    assert long.status_code == 400 and "Please keep this under 5000 characters" in _text(long)
    assert _inquiries(app) == []


def test_sending_the_same_form_twice_records_one_call(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _login(client)
    form = _form(client)
    answers = {"message": "Needs help with opioids", "phone": "+447700900555"}
    first = _take(client, form, **answers)
    second = _take(client, form, **answers)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert len(_inquiries(app)) == 1
    # The same form sent again with other answers is said, not stored over the first.
    other = _take(client, form, message="Something else", phone="+447700900555")
    assert other.status_code == 409 and "already sent with other answers" in _text(other)
    assert len(_inquiries(app)) == 1


def test_a_role_without_the_permission_is_refused(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _login(client, Role.ADMIN)
    assert "Record a phone call / walk-in" not in _text(client.get("/staff/"))
    assert client.get(PAGE).status_code == 403
    csrf = csrf_from(client.get("/staff/crm/referrers"))
    posted = client.post(
        PAGE,
        data={"csrf_token": csrf, "source": "phone", "message": "x", "phone": "+447700900555"},
    )
    assert posted.status_code == 403
    assert _inquiries(app) == []


def test_a_referrer_deactivated_while_the_form_was_open_is_said_and_nothing_is_stored(
    app: Flask, client: FlaskClient, staff: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        retired = Referrer(kind="organisation", organisation="Old Clinic", active=False)
        db.session.add(retired)
        db.session.commit()
        retired_id = retired.id
    _login(client)
    form = _form(client)
    # The form was shown while it was still active.
    monkeypatch.setattr(
        referrals, "active_referrers", lambda: [db.session.get(Referrer, retired_id)]
    )
    refused = _take(
        client, form, message="Came in", phone="+34 600 222 555", referrer_id=retired_id
    )
    assert refused.status_code == 422
    assert "Choose a referrer from the list." in _text(refused)
    assert _inquiries(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EpisodeReferral)) == 0
