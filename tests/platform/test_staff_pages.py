"""Staff pages read as a clinic's: the case's country numbers, clinic time labelled, words for
codes, the checklist after the person is reached, only the actions a role may take, the staff
layout on staff errors; and no page shows a person's record without its audit row."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.audit.models import AuditEvent
from intake.auth.permissions import Role
from intake.extensions import db
from intake.public.models import Inquiry
from intake.public.validation import validate_inquiry
from intake.triage.models import ContactAttempt, TriageCase
from intake.usecases.accept_inquiry import accept_inquiry
from tests.conftest import (
    ROLE_EMAILS,
    AuthActions,
    csrf_from,
    make_user,
    staff_client_without_database,
)

ADMISSIONS = ROLE_EMAILS[Role.ADMISSIONS]
CLINICIAN = ROLE_EMAILS[Role.CLINICIAN]
P0_MESSAGE = "I took all my pills to end it, I am dizzy"


def _inquiry(app: Flask, **fields: object) -> int:
    payload = {"consent": True, "email": "person@example.net", **fields}
    with app.app_context():
        data, errors = validate_inquiry(payload)
        assert data is not None, errors
        return accept_inquiry(data, source="test").inquiry.id


def _person_views(app: Flask, inquiry_id: int) -> list[AuditEvent]:
    with app.app_context():
        person_id = db.session.get(Inquiry, inquiry_id).person_id  # type: ignore[union-attr]
        return list(
            db.session.scalars(
                select(AuditEvent).where(
                    AuditEvent.tag == "crm:person:viewed",
                    AuditEvent.target_id == str(person_id),
                )
            ).all()
        )


def _signed_in(app: Flask, email: str, language: str | None = None) -> FlaskClient:
    client = app.test_client()
    if language:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    AuthActions(client).login(email)
    return client


def _section(body: str, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]*id="{element_id}"[^>]*>(.*?)</\1>', body, re.S)
    assert match, f"no #{element_id} on the page"
    return match.group(2)


# A person's record is never shown without its audit row ---------------------------------------
def test_contact_attempt_with_an_unknown_outcome_shows_the_error_and_is_audited(
    app: Flask, staff: dict[Role, int]
) -> None:
    inquiry_id = _inquiry(app, message="Please call me", name="Marta Quiet")
    page = f"/staff/triage/{inquiry_id}"
    client = _signed_in(app, ADMISSIONS)
    token = csrf_from(client.get(page))
    views_before = len(_person_views(app, inquiry_id))

    response = client.post(
        f"{page}/attempts", data={"csrf_token": token, "channel": "phone", "outcome": "pigeon"}
    )

    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Marta Quiet" in body  # the inquiry page again, with the person's record ...
    assert "Not a valid choice" in _section(body, "attempt-form")  # ... and the form's error
    views = _person_views(app, inquiry_id)
    assert len(views) == views_before + 1
    assert views[-1].actor_id == staff[Role.ADMISSIONS]
    assert views[-1].detail["page"] == "triage.contact_attempt"
    with app.app_context():
        assert db.session.scalars(select(ContactAttempt)).all() == []


def test_priority_change_with_an_unknown_priority_shows_the_error_and_is_audited(
    app: Flask, staff: dict[Role, int]
) -> None:
    inquiry_id = _inquiry(app, message="Please call me", name="Marta Quiet")
    page = f"/staff/triage/{inquiry_id}"
    client = _signed_in(app, CLINICIAN)
    token = csrf_from(client.get(page))
    views_before = len(_person_views(app, inquiry_id))

    response = client.post(f"{page}/priority", data={"csrf_token": token, "priority": "P9"})

    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Marta Quiet" in body
    assert "Not a valid choice" in body
    views = _person_views(app, inquiry_id)
    assert len(views) == views_before + 1
    assert views[-1].detail["page"] == "triage.change_priority"
    with app.app_context():
        assert db.session.scalars(select(TriageCase.priority)).one() == "P2"


# The case's country ---------------------------------------------------------------------------
def test_a_spanish_case_shows_spains_numbers_in_the_checklist_and_footer(
    app: Flask, staff: dict[Role, int]
) -> None:
    urgent = _inquiry(app, message=P0_MESSAGE, country="ES", language="es")
    routine = _inquiry(app, message="Necesito ayuda", language="es")  # no country: its language
    client = _signed_in(app, ADMISSIONS)
    for inquiry_id in (urgent, routine):
        body = client.get(f"/staff/triage/{inquiry_id}").get_data(as_text=True)
        footer = body[body.index('<footer class="site-footer">') :]
        assert 'href="tel:112"' in footer
        assert 'href="tel:024"' in footer
        assert "tel:999" not in body and "Samaritans" not in footer
    checklist = _section(client.get(f"/staff/triage/{urgent}").get_data(as_text=True), "checklist")
    assert "112 (Spain)" in checklist
    # Pages about nobody in particular keep the staff member's own default.
    assert 'href="tel:999"' in client.get("/staff/triage/").get_data(as_text=True)


# One clinic time zone, labelled ---------------------------------------------------------------
def test_clinic_time_is_the_clinics_zone_with_its_label(app: Flask) -> None:
    from intake.core.templating import clinic_time

    with app.test_request_context():
        assert clinic_time(datetime(2026, 1, 15, 13, 5, tzinfo=UTC)) == "2026-01-15 14:05 CET"
        assert clinic_time(datetime(2026, 7, 15, 12, 5, tzinfo=UTC)) == "2026-07-15 14:05 CEST"
        assert clinic_time(datetime(2026, 7, 15, 12, 5, tzinfo=UTC), "time") == "14:05 CEST"
        assert clinic_time(None) == ""


LABELLED_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? CES?T")


def test_staff_pages_show_clinic_times_never_utc(app: Flask, staff: dict[Role, int]) -> None:
    from intake.triage.alerting import open_alert_for as open_alert

    inquiry_id = _inquiry(app, message=P0_MESSAGE)
    with app.app_context():
        alert = open_alert(inquiry_id)
        assert alert is not None
        db.session.commit()
        alert_id = alert.id
    desk = _signed_in(app, ADMISSIONS)
    page = f"/staff/triage/{inquiry_id}"
    open_alert_pages = [desk.get("/staff/alerts/"), desk.get(f"/staff/alerts/{alert_id}")]
    desk.post(
        f"{page}/attempts",
        data={"csrf_token": csrf_from(desk.get(page)), "channel": "phone", "outcome": "no_answer"},
    )
    admin = _signed_in(app, ROLE_EMAILS[Role.ADMIN])
    pages = [
        *open_alert_pages,
        desk.get(page),
        admin.get("/staff/admin/audit/"),
        admin.get(f"/staff/admin/users/{staff[Role.ADMISSIONS]}"),
    ]
    for response in pages:
        path = response.request.path
        body = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert LABELLED_TIME.search(body), path
        assert not re.search(r"\d\d:\d\d(:\d\d)? UTC", body), path
        assert not re.search(r"\d\d:\d\d:\d\d(\.\d+)?\+00:00", body), path
    attempts = _section(desk.get(page).get_data(as_text=True), "attempts")
    assert LABELLED_TIME.search(attempts)


# Words for codes ------------------------------------------------------------------------------
def test_codes_are_shown_as_words_in_the_staff_language(app: Flask, staff: dict[Role, int]) -> None:
    inquiry_id = _inquiry(
        app, message="Please call me", preferred_channel="whatsapp", for_whom="someone_else"
    )
    page = f"/staff/triage/{inquiry_id}"
    client = _signed_in(app, ADMISSIONS)
    client.post(
        f"{page}/attempts",
        data={"csrf_token": csrf_from(client.get(page)), "channel": "sms", "outcome": "no_answer"},
    )
    body = client.get(page).get_data(as_text=True)
    attempts = _section(body, "attempts")
    assert "No answer" in attempts and "Text message" in attempts
    assert "no_answer" not in attempts and "sms" not in attempts
    assert _section(body, "case-status") == "Claimed"
    assert "Someone they care about" in body and "someone_else" not in body.split("<form")[0]
    assert "P2 routine" in body

    queue = client.get("/staff/triage/?status=all").get_data(as_text=True)
    row = _section(queue, "queue-rows")
    assert "Claimed" in row and ">claimed<" not in row
    case = client.get("/staff/triage/queue.json?status=all").json["cases"][0]  # type: ignore[index]
    assert (case["priority_label"], case["status_label"]) == ("P2 routine", "Claimed")

    german = _signed_in(app, CLINICIAN, language="de")
    deutsch = german.get(page).get_data(as_text=True)
    assert "Keine Antwort" in _section(deutsch, "attempts")
    assert _section(deutsch, "case-status") == "Übernommen"


# The checklist once the person is reached -----------------------------------------------------
def test_the_respond_now_checklist_gives_way_once_the_person_is_reached(
    app: Flask, staff: dict[Role, int]
) -> None:
    inquiry_id = _inquiry(app, message=P0_MESSAGE, country="FR", language="fr")
    page = f"/staff/triage/{inquiry_id}"
    client = _signed_in(app, ADMISSIONS)
    before = client.get(page).get_data(as_text=True)
    assert "Respond now" in before and "Call now" in before

    client.post(
        f"{page}/attempts",
        data={"csrf_token": csrf_from(client.get(page)), "channel": "phone", "outcome": "reached"},
    )

    after = client.get(page).get_data(as_text=True)
    heading = _section(after, "checklist-heading")
    assert "Respond now" not in after and "Call now" not in after
    assert re.fullmatch(r"Reached at \d{4}-\d\d-\d\d \d\d:\d\d CES?T", heading)
    remaining = _section(after, "checklist")
    assert "112 (France)" in remaining and "Stay with the person" in remaining
    assert "Phone call" in _section(after, "reached-by")


# Only what the role may do --------------------------------------------------------------------
def _priority_options(body: str) -> list[str]:
    return re.findall(r'<option[^>]*value="(P\d)"', _section(body, "priority"))


def test_admissions_are_offered_only_a_higher_priority(app: Flask, staff: dict[Role, int]) -> None:
    routine = _inquiry(app, message="Please call me")
    emergency = _inquiry(app, message=P0_MESSAGE)
    desk = _signed_in(app, ADMISSIONS)
    clinician = _signed_in(app, CLINICIAN)

    desk_page = desk.get(f"/staff/triage/{routine}").get_data(as_text=True)
    assert _priority_options(desk_page) == ["P0", "P1"]
    assert "Raise priority" in desk_page
    assert _priority_options(clinician.get(f"/staff/triage/{routine}").get_data(as_text=True)) == [
        "P0",
        "P1",
        "P2",
        "P3",
    ]
    top = desk.get(f"/staff/triage/{emergency}").get_data(as_text=True)
    assert 'id="priority-form"' not in top
    assert "Only a clinician can lower it." in _section(top, "priority-hint")
    assert 'id="priority-form"' in clinician.get(f"/staff/triage/{emergency}").get_data(
        as_text=True
    )


# Staff errors in the staff layout -------------------------------------------------------------
def _staff_layout(body: str) -> bool:
    return "staff-header" in body and "quick-exit" not in body


def test_staff_error_pages_keep_the_staff_layout_and_the_crisis_lines(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    make_user(app, "roleless@example.org", set())
    nobody = _signed_in(app, "roleless@example.org")
    forbidden = nobody.get("/staff/triage/")
    desk = _signed_in(app, ADMISSIONS)
    missing = desk.get("/staff/triage/999999")
    expired = desk.post(f"/staff/triage/{_inquiry(app, message='Hi')}/claim", data={})
    for response, status in ((forbidden, 403), (missing, 404), (expired, 400)):
        body = response.get_data(as_text=True)
        assert response.status_code == status
        assert _staff_layout(body), status
        assert "Triage queue" in body or status == 403  # the staff menu, for those who have it
        assert 'href="tel:' in body and "Emergency" in body
    # The public side keeps its own layout, with the quick exit.
    public = client.get("/no-such-page").get_data(as_text=True)
    assert "quick-exit" in public and "staff-header" not in public


def test_staff_500_page_keeps_the_staff_layout_with_the_database_down(tmp_path: Path) -> None:
    client = staff_client_without_database(tmp_path)
    response = client.get("/staff/")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert _staff_layout(body)
    assert "Samaritans" in body and 'href="tel:' in body


# The queue row says why -----------------------------------------------------------------------
def test_queue_rows_carry_the_top_flags_reason_not_the_persons_words(
    app: Flask, staff: dict[Role, int]
) -> None:
    _inquiry(app, message="I think about suicide every day and I want to die")
    client = _signed_in(app, ADMISSIONS)
    reason = "Mentions thoughts of suicide or of killing themselves."
    row = _section(client.get("/staff/triage/").get_data(as_text=True), "queue-rows")
    assert reason in row
    case = client.get("/staff/triage/queue.json").json["cases"][0]  # type: ignore[index]
    assert case["top_flag"] == reason
    for text in (row, str(case)):
        assert "every day" not in text and "think about suicide" not in text


# Translations that were English, Spanish or ambiguous on other languages' pages ---------------
def test_the_french_page_gives_the_samu_note_in_french(client: FlaskClient) -> None:
    french = client.get("/fr/help?country=FR").get_data(as_text=True)
    assert "15 SAMU, urgences médicales" in french
    assert "medical emergencies" not in french
    swiss_german = client.get("/de/help?country=CH").get_data(as_text=True)
    assert "144 Rettungsdienst; auch die 112 funktioniert" in swiss_german
    assert "also works" not in swiss_german
    assert "15 SAMU medical emergencies" in client.get("/en/help?country=FR").get_data(as_text=True)


def test_the_three_german_lines_have_names_that_tell_them_apart(client: FlaskClient) -> None:
    for language in ("de", "en"):
        body = client.get(f"/{language}/help?country=DE").get_data(as_text=True)
        names = re.findall(r'<span class="helpline-name">([^<]+)</span>', body)[:3]
        assert len(set(names)) == 3, names
        assert all(name.startswith("TelefonSeelsorge") for name in names)
    german = client.get("/de/help?country=DE").get_data(as_text=True)
    assert "TelefonSeelsorge (evangelisch)" in german
    assert "TelefonSeelsorge (katholisch)" in german


def test_contact_hours_are_written_in_the_readers_language(app: Flask) -> None:
    from intake.helplines import CLINIC_CONTACT, help_for
    from intake.messaging.compose import render_message

    assert CLINIC_CONTACT.hours_in("de") == "Mo.-So. 07:00-22:00 (Mitteleuropäische Zeit)"
    assert CLINIC_CONTACT.hours_in("fr").startswith("lun.-dim. 07:00-22:00")
    assert CLINIC_CONTACT.hours_in("en") == "Mon-Sun 07:00-22:00 (Central European Time)"
    with app.app_context():
        german = render_message(
            "acknowledgement",
            "de",
            {
                "reference": "K7QX-M2PD-9H",
                "country_help": help_for("DE", "de"),
                "clinic": CLINIC_CONTACT.in_language("de"),
                "unsubscribe_url": "https://example.org/u/x",
                "language": "de",
            },
        )
    assert "Mo.-So. 07:00-22:00" in german.text and "Mo.-So. 07:00-22:00" in german.html
    assert "Mon-Sun" not in german.text and "CET" not in german.text


def test_the_example_phone_number_is_the_page_languages_country(app: Flask) -> None:
    import phonenumbers

    from intake.core.templating import example_phone

    with app.test_request_context():
        expected = {"en": "GB", "es": "ES", "de": "DE", "fr": "FR", "it": "IT"}
        for language, region in expected.items():
            number = phonenumbers.parse(example_phone(language))
            assert phonenumbers.region_code_for_number(number) == region, language
            assert phonenumbers.is_valid_number(number)
        assert example_phone("es", country="CH").startswith("+41 ")


# The API contract lives in the repository -----------------------------------------------------
def test_the_readme_points_to_the_api_contract_in_the_repository() -> None:
    from intake.public.validation import FIELDS

    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "shared/API.md" not in readme
    assert "(docs/api.md)" in readme
    contract = (root / "docs" / "api.md").read_text(encoding="utf-8")
    for field in FIELDS:
        assert f"`{field}`" in contract, field
    for status in ("201", "400", "401", "405", "413", "422", "429"):
        assert f"`{status}" in contract, status
    assert "Retry-After" in contract and "Idempotency-Key" in contract
    assert "/api/v1/inquiries" in contract and "/api/v1/openapi.json" in contract


def test_every_messaging_code_has_words() -> None:
    """The messaging templates can show every alert and delivery code as words."""
    from intake.core.labels import VOCABULARIES
    from intake.messaging.models import AlertStatus, Channel, DeliveryStatus, MessageKind

    for vocabulary, codes in (
        ("alert_status", AlertStatus),
        ("delivery_status", DeliveryStatus),
        ("message_kind", MessageKind),
        ("delivery_channel", Channel),
    ):
        assert set(VOCABULARIES[vocabulary]) == {code.value for code in codes}, vocabulary


def test_every_inquiry_and_triage_code_has_words() -> None:
    from intake import vocabulary
    from intake.core.labels import VOCABULARIES

    expected = {
        "priority": set(vocabulary.Priority),
        "case_status": set(vocabulary.CaseStatus),
        "channel": set(vocabulary.ContactChannel),
        "outcome": set(vocabulary.ContactOutcome),
        "for_whom": set(vocabulary.ForWhom),
        "source": set(vocabulary.InquirySource),
        "substance": set(vocabulary.SUBSTANCES),
        "risk": set(vocabulary.RISK_ITEMS),
        "screen_question": {*vocabulary.SCREEN_ITEMS, "tried_when", "thoughts_now"},
        "screen_answer": {*vocabulary.SCREEN_ANSWERS, *vocabulary.TRIED_WHEN},
    }
    for name, codes in expected.items():
        assert set(VOCABULARIES[name]) == codes, name
