"""One click from alert to person: alert emails and pages link to the inquiry, the alert list
says what each alert is about, a claimed P0 nobody reached is paged again, and emails carry the
address `make run` serves with Date and Message-ID headers. A real SMTP server receives the mail.
"""

from __future__ import annotations

import os
import re
import subprocess
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select, update

from config import load_config
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging import relay
from intake.messaging.alerts import sweep_alerts
from intake.messaging.deliveries import send_delivery
from intake.messaging.models import Alert, Delivery
from intake.public.models import Inquiry
from intake.triage import services as triage
from intake.triage.models import TriageCase
from tests.conftest import AuthActions, csrf_from
from tests.reliability import fixtures
from tests.reliability.support import Inbox, html_of, make_inquiry, text_of

published = fixtures.published
rota = fixtures.rota
smtp = fixtures.smtp

REPO = Path(__file__).resolve().parents[2]
PRIVATE = ("Maria", "person@example.net", "my private words")


def _alert_for(inquiry_id: int) -> Alert:
    alert = db.session.scalar(select(Alert).where(Alert.inquiry_id == inquiry_id))
    assert alert is not None
    return alert


def _with_alert(published: list[tuple[str, int]], priority: str = "P0", **kwargs: object) -> int:
    """An inquiry whose alert's first wave went out (as the worker would do); its id."""
    inquiry = make_inquiry(priority, email=None, **kwargs)  # type: ignore[arg-type]
    db.session.commit()
    for task, record_id in list(published):
        if task == relay.PROCESS_OUTBOX:
            relay.process_outbox(record_id)
    return inquiry.id


def _deliveries(alert_id: int, kind: str) -> list[Delivery]:
    return list(
        db.session.scalars(
            select(Delivery)
            .where(
                Delivery.subject_kind == "alert",
                Delivery.subject_id == alert_id,
                Delivery.kind == kind,
            )
            .order_by(Delivery.id)
        ).all()
    )


def _contact_due(alert_id: int) -> None:
    """As if the contact check time had come (the wait lives in the row, not in a timer)."""
    db.session.execute(
        update(Alert)
        .where(Alert.id == alert_id)
        .values(contact_next_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def _claim(inquiry_id: int, user_id: int) -> None:
    case = triage.case_for(inquiry_id)
    assert case is not None
    triage.claim(case, user_id)
    db.session.commit()


# 1. Links and the alert list -----------------------------------------------------------------
def test_alert_email_links_to_the_inquiry_and_sign_in_lands_on_it(
    app: Flask,
    rota: dict[str, int],
    published: list[tuple[str, int]],
    smtp: Inbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "BASE_URL", "http://127.0.0.1:5101")
    with app.app_context():
        inquiry_id = _with_alert(published)
        alert = _alert_for(inquiry_id)
        (delivery,) = _deliveries(alert.id, "staff_alert")
        assert send_delivery(delivery.id) == "sent"
        reference = db.session.get(Inquiry, inquiry_id).reference  # type: ignore[union-attr]
    (message,) = smtp.to("oncall@example.org")
    link = f"http://127.0.0.1:5101/staff/triage/{inquiry_id}"
    assert f"Open the inquiry (sign in first): {link}" in text_of(message)
    assert f'href="{link}"' in html_of(message)
    # Still nothing about the person: no name, address, words, or even the reference.
    raw = message.as_string()
    for private in (*PRIVATE, reference):
        assert private not in raw

    client = app.test_client()
    path = urlsplit(link).path
    bounced = client.get(path)
    assert bounced.status_code == 302
    login = urlsplit(bounced.headers["Location"])
    assert login.path == "/staff/login"
    assert parse_qs(login.query)["next"] == [path]
    signed_in = AuthActions(client).login("oncall@example.org", next_url=path)
    assert signed_in.status_code == 302
    assert urlsplit(signed_in.headers["Location"]).path == path
    page = client.get(path)
    assert page.status_code == 200
    assert reference in page.get_data(as_text=True)


def test_alert_list_shows_reference_priority_country_and_age(
    app: Flask, rota: dict[str, int], published: list[tuple[str, int]]
) -> None:
    with app.app_context():
        p0 = _with_alert(published, country="ES")
        published.clear()
        p1 = _with_alert(published, "P1", country="FR")
        db.session.execute(
            update(Inquiry)
            .where(Inquiry.id == p0)
            .values(received_at=utcnow() - timedelta(minutes=12, seconds=5))
        )
        db.session.commit()
        references = {
            inquiry.id: inquiry.reference
            for inquiry in db.session.scalars(select(Inquiry).where(Inquiry.id.in_([p0, p1])))
        }
        p0_alert = _alert_for(p0).id
    client = app.test_client()
    AuthActions(client).login("oncall@example.org")
    page = client.get("/staff/alerts/")
    assert page.status_code == 200
    rows = re.findall(r"<tr class=\"priority-(P\d)\">(.*?)</tr>", page.get_data(as_text=True), re.S)
    assert [priority for priority, _row in rows] == ["P0", "P1"]
    p0_row, p1_row = rows[0][1], rows[1][1]
    assert f'<a href="/staff/triage/{p0}">{references[p0]}</a>' in p0_row
    assert "Spain" in p0_row and "12 minutes" in p0_row
    assert f'<a href="/staff/triage/{p1}">{references[p1]}</a>' in p1_row
    assert "France" in p1_row
    # The alert page leads to the inquiry too.
    alert_page = client.get(f"/staff/alerts/{p0_alert}").get_data(as_text=True)
    assert f'id="open-inquiry" href="/staff/triage/{p0}"' in alert_page
    assert "12 minutes ago" in alert_page


# 2. A claimed P0 nobody reached ----------------------------------------------------------------
def test_claimed_p0_without_contact_pages_the_claimer_then_fallback_then_everyone(
    app: Flask, rota: dict[str, int], published: list[tuple[str, int]], smtp: Inbox
) -> None:
    with app.app_context():
        app.config["ESCALATION_MAX_ROUNDS"] = 1
        try:
            inquiry_id = _with_alert(published)
            alert = _alert_for(inquiry_id)
            # Someone other than the person on call takes it, in the staff area.
            _claim(inquiry_id, rota["other"])
            db.session.refresh(alert)
            assert (alert.status, alert.closed_reason) == ("acknowledged", "acknowledged")
            case = triage.case_for(inquiry_id)
            assert case is not None
            # The check comes at the end of the P0 contact target, 15 minutes after arrival.
            assert alert.contact_next_at == case.received_at + timedelta(minutes=15)
            assert sweep_alerts() == {}, "nothing happens before the contact target"

            _contact_due(alert.id)
            assert sweep_alerts() == {"contact-paged": 1}
            (to_claimer,) = _deliveries(alert.id, "contact_overdue")
            assert to_claimer.recipient_user_id == rota["other"]
            assert send_delivery(to_claimer.id) == "sent"
            (message,) = smtp.to("other@example.org")
            assert message["Subject"] == "No contact logged yet: the P0 inquiry you took"
            body = text_of(message)
            assert f"/staff/triage/{inquiry_id}" in body
            assert "If you have reached them, log the contact now" in body
            for private in PRIVATE:
                assert private not in message.as_string()
            db.session.refresh(alert)
            assert alert.contact_next_at is not None
            # The next reminder waits one escalation wait (P0: 5 minutes).
            assert alert.contact_next_at > to_claimer.created_at + timedelta(minutes=4)

            _contact_due(alert.id)
            assert sweep_alerts() == {"contact-paged": 1}
            wave = [d for d in _deliveries(alert.id, "contact_overdue") if d.wave == 1]
            assert [d.recipient_user_id for d in wave] == [rota["fallback"]]

            _contact_due(alert.id)
            assert sweep_alerts() == {"contact-paged": 1}
            wave = [d for d in _deliveries(alert.id, "contact_overdue") if d.wave == 2]
            assert {d.recipient_user_id for d in wave} == {
                rota["oncall"],
                rota["fallback"],
                rota["other"],
            }
            for delivery in wave:
                assert send_delivery(delivery.id) == "sent"
            (to_oncall,) = smtp.to("oncall@example.org")
            assert to_oncall["Subject"] == "Taken, not reached: P0 inquiry"

            _contact_due(alert.id)
            assert sweep_alerts() == {"contact-exhausted": 1}
            db.session.refresh(alert)
            assert (alert.contact_next_at, alert.contact_closed_reason) == (None, "exhausted")
            assert sweep_alerts() == {}
        finally:
            app.config["ESCALATION_MAX_ROUNDS"] = 3


def test_logging_a_reaching_contact_stops_the_re_paging(
    app: Flask, rota: dict[str, int], published: list[tuple[str, int]], smtp: Inbox
) -> None:
    with app.app_context():
        inquiry_id = _with_alert(published)
        alert_id = _alert_for(inquiry_id).id
    client = app.test_client()
    AuthActions(client).login("oncall@example.org")
    detail = client.get(f"/staff/triage/{inquiry_id}")
    claimed = client.post(
        f"/staff/triage/{inquiry_id}/claim", data={"csrf_token": csrf_from(detail)}
    )
    assert claimed.status_code == 302

    def attempt(outcome: str) -> None:
        page = client.get(f"/staff/triage/{inquiry_id}")
        response = client.post(
            f"/staff/triage/{inquiry_id}/attempts",
            data={"csrf_token": csrf_from(page), "channel": "phone", "outcome": outcome},
        )
        assert response.status_code == 302

    attempt("no_answer")  # trying is not reaching: the watch goes on
    with app.app_context():
        _contact_due(alert_id)
        assert sweep_alerts() == {"contact-paged": 1}
        (page_again,) = _deliveries(alert_id, "contact_overdue")
        assert page_again.recipient_user_id == rota["oncall"]
        page_again_id = page_again.id
    attempt("reached")
    with app.app_context():
        # The page that had not gone out yet is not sent now the person is reached.
        assert send_delivery(page_again_id) == "cancelled"
        assert smtp.messages == []
        _contact_due(alert_id)
        assert sweep_alerts() == {"contact-reached": 1}
        alert = db.session.get(Alert, alert_id)
        assert alert is not None
        assert (alert.contact_next_at, alert.contact_closed_reason) == (None, "reached")
        assert sweep_alerts() == {}
        assert len(_deliveries(alert_id, "contact_overdue")) == 1


def test_a_late_claim_gets_one_escalation_wait_and_p1_claims_are_not_watched(
    app: Flask, rota: dict[str, int], published: list[tuple[str, int]]
) -> None:
    with app.app_context():
        p0 = _with_alert(published)
        published.clear()
        p1 = _with_alert(published, "P1")
        # The P0 came in 40 minutes ago and its alert ran out before anyone took it.
        long_ago = utcnow() - timedelta(minutes=40)
        db.session.execute(
            update(TriageCase).where(TriageCase.inquiry_id == p0).values(received_at=long_ago)
        )
        db.session.execute(update(Alert).where(Alert.inquiry_id == p0).values(status="exhausted"))
        db.session.commit()
        _claim(p0, rota["oncall"])
        _claim(p1, rota["oncall"])
        late = _alert_for(p0)
        case = triage.case_for(p0)
        assert case is not None and case.claimed_at is not None
        # Its target passed long ago; the claimer still gets one escalation wait to call.
        assert late.contact_next_at == case.claimed_at + timedelta(minutes=5)
        assert _alert_for(p1).contact_next_at is None
        _contact_due(late.id)
        assert sweep_alerts() == {"contact-paged": 1}
        assert [d.recipient_user_id for d in _deliveries(late.id, "contact_overdue")] == [
            rota["oncall"]
        ]


def test_acknowledged_but_unclaimed_p0_pages_who_acknowledged_it(
    app: Flask, rota: dict[str, int], published: list[tuple[str, int]]
) -> None:
    with app.app_context():
        inquiry_id = _with_alert(published)
        alert_id = _alert_for(inquiry_id).id
    client = app.test_client()
    AuthActions(client).login("fallback@example.org")
    page = client.get(f"/staff/alerts/{alert_id}")
    client.post(f"/staff/alerts/{alert_id}/acknowledge", data={"csrf_token": csrf_from(page)})
    watched = client.get(f"/staff/alerts/{alert_id}").get_data(as_text=True)
    assert "If nobody logs reaching the person, staff are paged again" in watched
    with app.app_context():
        _contact_due(alert_id)
        assert sweep_alerts() == {"contact-paged": 1}
        (delivery,) = _deliveries(alert_id, "contact_overdue")
        assert delivery.recipient_user_id == rota["fallback"]
    paged = client.get(f"/staff/alerts/{alert_id}").get_data(as_text=True)
    assert "paged again (wave 1)" in paged
    assert "No contact yet: paged again (wave 1)" in paged  # the message list names it


# 3. Addresses and headers --------------------------------------------------------------------
def test_base_url_follows_port_unless_set() -> None:
    assert load_config("testing", {"PORT": "5101"}).BASE_URL == "http://127.0.0.1:5101"
    assert load_config("testing", {}).BASE_URL == "http://127.0.0.1:5000"
    explicit = {"PORT": "5101", "BASE_URL": "https://intake.example.org"}
    assert load_config("testing", explicit).BASE_URL == "https://intake.example.org"


def test_make_run_tells_every_process_the_web_address() -> None:
    # honcho hands the worker PORT+100 and beat PORT+200, so the web address must travel as
    # BASE_URL or the worker's emails would point at 5201.
    env = {key: value for key, value in os.environ.items() if key not in ("BASE_URL", "PORT")}
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", "PORT=5101"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (start,) = [line for line in dry_run.splitlines() if "honcho start" in line]
    assert start.startswith('BASE_URL="http://127.0.0.1:5101" ')
    assert start.endswith("-p 5101")


def test_emails_carry_date_and_message_id_and_links_follow_base_url(
    app: Flask,
    rota: dict[str, int],
    published: list[tuple[str, int]],
    smtp: Inbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "BASE_URL", load_config("testing", {"PORT": "5101"}).BASE_URL)
    with app.app_context():
        inquiry_id = _with_alert(published)
        (delivery,) = _deliveries(_alert_for(inquiry_id).id, "staff_alert")
        assert send_delivery(delivery.id) == "sent"
        monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "no-domain")
        published.clear()
        second = _with_alert(published, "P1")
        (other,) = _deliveries(_alert_for(second).id, "staff_alert")
        assert send_delivery(other.id) == "sent"
    first, last = smtp.messages
    assert "http://127.0.0.1:5101/staff/triage/" in text_of(first)
    assert "http://127.0.0.1:5101/staff/alerts/" in text_of(first)
    for message in (first, last):
        assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert re.fullmatch(r"<[^@<>\s]+@harbor-intake\.invalid>", first["Message-ID"].strip())
    # No domain in the sender: the host of BASE_URL.
    assert re.fullmatch(r"<[^@<>\s]+@127\.0\.0\.1>", last["Message-ID"].strip())
    assert first["Message-ID"] != last["Message-ID"]


@pytest.mark.parametrize("language", ["en", "es", "de", "fr", "it"])
@pytest.mark.parametrize("kind", ["staff_alert", "staff_contact_overdue"])
@pytest.mark.parametrize("round_", [0, 2])
def test_staff_emails_link_to_the_inquiry_in_every_language(
    app: Flask, language: str, kind: str, round_: int
) -> None:
    from intake.messaging.compose import render_message

    context = {
        "priority": "P0",
        "country": "Schweiz",
        "link": "https://intake.example.org/staff/alerts/7",
        "inquiry_link": "https://intake.example.org/staff/triage/42",
        "escalated": round_ > 0,
        "round": round_,
        "waiting_minutes": 17,
    }
    with app.app_context():
        rendered = render_message(kind, language, context)
    assert rendered.subject and "P0" in rendered.subject
    for part in (rendered.text, rendered.html):
        assert "https://intake.example.org/staff/triage/42" in part
        assert "https://intake.example.org/staff/alerts/7" in part
        assert "Schweiz" in part
    if kind == "staff_contact_overdue":
        assert "17" in rendered.text
    assert f'<html lang="{language}">' in rendered.html
