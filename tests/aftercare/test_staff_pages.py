"""What staff see and receive about aftercare: the plan's consent in the clinical consent
ledger (withdrawn by a stop from the message), the plan's status in words, the notice of a
waiting task in the staff member's own language, and the programme page's trend lines."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.aftercare import messages, services
from intake.aftercare.models import AftercarePlan
from intake.auth.models import User
from intake.auth.permissions import Role
from intake.clinical.consent_models import Consent
from intake.clinical.consents import consents_of
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.models import Delivery
from intake.vocabulary import CheckInStatus, ConsentPurpose, ConsentState
from tests.aftercare.conftest import open_plan
from tests.conftest import audit_tags, csrf_from


def _sent(plan: AftercarePlan, slot: int) -> None:
    checkin = plan.checkins[slot]
    checkin.status = CheckInStatus.SENT.value
    checkin.sent_at = utcnow()


def test_the_plans_consent_is_in_the_ledger_and_a_stop_from_the_message_revokes_it(
    app: Flask, client: FlaskClient, auth, staff
) -> None:
    with app.app_context():
        plan = open_plan(staff[Role.CLINICIAN])
        _sent(plan, 0)
        token, link = services.new_link(plan.checkins[0].id)
        db.session.add(link)
        db.session.commit()
        plan_id, person_id = plan.id, plan.person_id
        [consent] = consents_of(person_id)
        assert consent.id == plan.consent_id
        assert consent.purpose == ConsentPurpose.AFTERCARE
        assert consent.information == "Agreed to check-ins after discharge by email."
        assert consent.state() == ConsentState.LIVE
        # In force for the plan's two years, not longer.
        assert 729 <= (consent.expires_at - consent.starts_at).days <= 733
    auth.login("clinician@example.org")
    page = client.get(f"/staff/aftercare/plans/{plan_id}").get_data(as_text=True)
    assert re.search(r'id="plan-consent">\s*Live', page)
    # The person stops from the message, twice: the consent is revoked once.
    options = client.get(f"/en/c/{token}/options")
    for _ in range(2):
        client.post(
            f"/en/c/{token}/options", data={"csrf_token": csrf_from(options), "action": "stop"}
        )
    with app.app_context():
        consent = db.session.get(Consent, db.session.get(AftercarePlan, plan_id).consent_id)
        assert consent.state() == ConsentState.REVOKED
        assert consent.ended_by_id is None  # the person, not a member of staff
        assert consent.end_note == "Stopped from an aftercare check-in message."
    assert (
        audit_tags(app, target_type="person", target_id=str(person_id)).count(
            "clinical:consent:revoked"
        )
        == 1
    )
    page = client.get(f"/staff/aftercare/plans/{plan_id}").get_data(as_text=True)
    assert re.search(r'id="plan-consent">\s*Revoked', page)


def test_staff_stopping_a_plan_revokes_its_consent_in_their_name(
    app: Flask, client: FlaskClient, auth, staff
) -> None:
    with app.app_context():
        plan = open_plan(staff[Role.CLINICIAN])
        db.session.commit()
        plan_id = plan.id
    auth.login("clinician@example.org")
    page = client.get(f"/staff/aftercare/plans/{plan_id}")
    stopped = client.post(
        f"/staff/aftercare/plans/{plan_id}/stop", data={"csrf_token": csrf_from(page)}
    )
    assert stopped.status_code == 302
    with app.app_context():
        consent = db.session.get(Consent, db.session.get(AftercarePlan, plan_id).consent_id)
        assert consent.state() == ConsentState.REVOKED
        assert consent.ended_by_id == staff[Role.CLINICIAN]


def test_the_plan_status_is_shown_in_words_in_the_page_language(
    app: Flask, client: FlaskClient, auth, staff
) -> None:
    with app.app_context():
        plan = open_plan(staff[Role.CLINICIAN])
        db.session.commit()
        plan_id = plan.id
    auth.login("clinician@example.org")
    english = client.get(f"/staff/aftercare/plans/{plan_id}").get_data(as_text=True)
    assert re.search(r'id="plan-status">Active<', english)
    spanish = client.get(f"/staff/aftercare/plans/{plan_id}?lang=es").get_data(as_text=True)
    assert re.search(r'id="plan-status">Activo<', spanish)
    programme = client.get("/staff/aftercare/?lang=de").get_data(as_text=True)
    row = re.search(rf'data-plan="{plan_id}">.*?</tr>', programme, re.S)
    assert row is not None and '<td class="plan-status">Aktiv</td>' in row.group(0)


def test_the_notice_of_a_waiting_task_is_in_the_staff_members_language(
    app: Flask, client: FlaskClient, auth, staff
) -> None:
    auth.login("clinician@example.org")
    account = client.get("/staff/account/password")
    assert 'id="language-form"' in account.get_data(as_text=True)
    bad = client.post(
        "/staff/account/language", data={"csrf_token": csrf_from(account), "language": "xx"}
    )
    assert bad.status_code == 302
    saved = client.post(
        "/staff/account/language", data={"csrf_token": csrf_from(account), "language": "de"}
    )
    assert saved.status_code == 302
    assert "Sprache" in client.get("/staff/account/password?lang=de").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, staff[Role.CLINICIAN]).language == "de"
        lead = db.session.get(User, staff[Role.ADMIN])
        lead.language = "fr"
        plan = open_plan(staff[Role.CLINICIAN])
        services._notify_staff(plan.owner_id, f"aftercare:{plan.id}:call")
        services._notify_staff(lead.id, f"aftercare:{plan.id}:missed:lead")
        db.session.flush()
        notices = {
            notice.recipient_user_id: notice
            for notice in db.session.scalars(
                select(Delivery).where(Delivery.kind == services.AftercareKind.STAFF.value)
            )
        }
        owner = messages.compose_staff(notices[staff[Role.CLINICIAN]])
        assert notices[staff[Role.CLINICIAN]].language == "de"
        assert owner.subject == "Eine Aufgabe wartet auf Sie"
        assert "Öffnen Sie Ihren Tag" in owner.text and '<html lang="de">' in (owner.html or "")
        french = messages.compose_staff(notices[lead.id])
        assert french.subject == "Une tâche vous attend"
        assert '<html lang="fr">' in (french.html or "")
        for composed in (owner, french):
            assert plan.person.name not in composed.text


def test_the_programme_page_draws_each_persons_answers(
    app: Flask, client: FlaskClient, auth, staff
) -> None:
    with app.app_context():
        plan = open_plan(staff[Role.CLINICIAN])
        answers = [
            {"wellbeing": 5, "use": "no", "call": False},
            {"wellbeing": 2, "use": "yes", "call": False},
            None,  # missed: a gap in both lines
            {"wellbeing": 4, "use": "no", "call": False},
        ]
        for slot, given in enumerate(answers):
            _sent(plan, slot)
            checkin = plan.checkins[slot]
            if given is None:
                checkin.status = CheckInStatus.MISSED.value
            else:
                services.record_reply(checkin, given, None, None)
        db.session.commit()
        plan_id = plan.id
    auth.login("clinician@example.org")
    page = client.get("/staff/aftercare/").get_data(as_text=True)
    row = re.search(rf'<tr data-plan="{plan_id}">.*?</tr>', page, re.S)
    assert row is not None
    wellbeing, use = re.findall(r'<svg class="sparkline".*?</svg>', row.group(0), re.S)
    # One point per check-in, 12 px apart; wellbeing 1 at the bottom (y 21), 5 at the top (y 3).
    assert 'aria-label="5, 2, -, 4"' in wellbeing
    assert 'points="4,3.0 16,16.5 40,7.5"' in wellbeing
    assert wellbeing.count("<circle") == 3
    # Use: none is low (y 21), any use high (y 3).
    assert 'aria-label="1, 2, -, 1"' in use
    assert 'points="4,21.0 16,3.0 40,21.0"' in use


def test_revoking_the_consent_in_the_ledger_stops_the_plan_without_a_message(
    app: Flask, client: FlaskClient, auth, staff
) -> None:
    """The person tells the clinic to stop contacting them; staff revoke the consent in the
    ledger: no check-in goes out after that, and no confirmation either."""
    with app.app_context():
        plan = open_plan(staff[Role.CLINICIAN])
        db.session.commit()
        plan_id, person_id, consent_id = plan.id, plan.person_id, plan.consent_id
    auth.login("clinician@example.org")
    ledger = client.get(f"/staff/people/{person_id}/consents")
    ended = client.post(
        f"/staff/consents/{consent_id}/end",
        data={"csrf_token": csrf_from(ledger), "kind": "revoked", "channel": "phone"},
    )
    assert ended.status_code == 302
    page = client.get(f"/staff/aftercare/plans/{plan_id}").get_data(as_text=True)
    assert re.search(r'id="plan-consent">\s*Revoked', page)
    assert re.search(r"Stopped", page)
    with app.app_context():
        plan = db.session.get(AftercarePlan, plan_id)
        assert plan is not None and plan.status == "stopped"
        assert {checkin.status for checkin in plan.checkins} == {CheckInStatus.CANCELLED.value}
        # Nothing queued for the person: no check-in, no "you are unsubscribed" message.
        waiting = db.session.scalars(
            select(Delivery).where(
                Delivery.recipient_person_id == person_id, Delivery.status == "pending"
            )
        ).all()
        assert waiting == []


def test_weekly_counts_follow_the_clinics_weeks(
    app: Flask, client: FlaskClient, auth, staff
) -> None:
    """A check-in sent late on Sunday night in Zurich counts in that week, not the next one,
    and each row reads as the week's Monday."""
    from datetime import UTC, datetime

    import time_machine

    from intake.vocabulary import CheckInOutcome

    with app.app_context():
        plan = open_plan(staff[Role.CLINICIAN])
        # Sunday 29 Nov 2026, 23:30 in Zurich (22:30 UTC); Monday 30 Nov, 00:30 (23:30 UTC Sunday).
        for checkin, sent in zip(
            plan.checkins[:2],
            (
                datetime(2026, 11, 29, 22, 30, tzinfo=UTC),
                datetime(2026, 11, 29, 23, 30, tzinfo=UTC),
            ),
            strict=True,
        ):
            checkin.status = CheckInStatus.SENT.value
            checkin.sent_at = sent
            checkin.outcome = CheckInOutcome.MISSED.value
        db.session.commit()
    with time_machine.travel(datetime(2026, 12, 2, 12, 0, tzinfo=UTC), tick=False):
        auth.login("clinician@example.org")
        page = client.get("/staff/aftercare/").get_data(as_text=True)
    weeks = re.search(r"<table id=\"weeks\">.*?</table>", page, re.S)
    assert weeks is not None
    rows = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td><td>(\d+)</td>", weeks.group(0))
    assert rows[:2] == [("2026-11-30", "1"), ("2026-11-23", "1")]
