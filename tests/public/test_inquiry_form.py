"""The public inquiry form as a person uses it: in their language, with clear errors, and a
next page that fits what they told us."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intake.core.types import utcnow
from intake.crm.models import Person
from intake.extensions import db
from intake.messaging.outbox import OutboxMessage
from intake.public.consent import CONSENT_VERSION
from intake.public.models import Inquiry, InquiryQuarantine
from intake.triage.models import TriageResult
from intake.triage.services import QueueFilter, queue
from tests.conftest import FORM_TOKEN, audit_tags, csrf_from, submit_inquiry_form


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_form_page_in_each_language_is_not_cached(client: FlaskClient) -> None:
    expected = {
        "en": "You can reach us in confidence",
        "es": 'lang="es"',
        "de": 'lang="de"',
        "fr": 'lang="fr"',
        "it": 'lang="it"',
    }
    for lang, marker in expected.items():
        response = client.get(f"/{lang}/")
        assert response.status_code == 200
        assert marker in response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "no-store"


def test_language_comes_from_the_browser_when_the_url_has_none(client: FlaskClient) -> None:
    response = client.get("/", headers={"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"})
    assert '<html lang="it">' in response.get_data(as_text=True)


def test_unknown_language_prefix_is_404(client: FlaskClient) -> None:
    assert client.get("/xx/").status_code == 404


def test_i_need_help_and_a_phone_number_is_enough(app: Flask, client: FlaskClient) -> None:
    response = submit_inquiry_form(client, "en", message="I need help", phone="+44 7700 900999")
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/thanks"
    page = client.get("/en/thanks")
    body = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "We have your message" in body
    assert "Your reference" in body
    assert "We will reach you by phone call." in body
    assert "We will not leave a message that names us." in body
    with app.app_context():
        inquiry = db.session.scalars(select(Inquiry)).one()
        assert inquiry.reference in body
        assert inquiry.message == "I need help"
        assert inquiry.person.phone == "+447700900999"
        assert inquiry.consent_version == CONSENT_VERSION
        assert "admissions team" in inquiry.consent_text
        assert inquiry.source == "web-form"
        result = db.session.scalars(select(TriageResult)).one()
        assert result.priority == "P2"
        kinds = db.session.scalars(select(OutboxMessage.kind)).all()
        assert kinds == []  # no email, no alert for a routine inquiry
    assert "public:inquiry:received" in audit_tags(app)


def test_danger_puts_the_emergency_number_before_anything_else(
    app: Flask, client: FlaskClient
) -> None:
    submit_inquiry_form(
        client,
        "es",
        message="Mi madre se ha tomado todas las pastillas de Orfidal y no responde",
        phone="+34 611 222 333",
        country="ES",
        for_whom="someone_else",
    )
    body = client.get("/es/thanks").get_data(as_text=True)
    # Crisis lines under the names and words a caller in Spain knows.
    assert "Línea 024 de atención a la conducta suicida" in body
    assert "gratuito, multilingüe" in body
    main = body[body.index("<main") :]
    first_heading = main[main.index("<h1") : main.index("</h1>")]
    assert "112" in first_heading
    # The emergency number and the crisis line come before any other content.
    assert main.index('href="tel:112"') < main.index('href="tel:024"') < main.index("<h2")
    with app.app_context():
        assert db.session.scalars(select(TriageResult.priority)).one() == "P0"
        kinds = sorted(db.session.scalars(select(OutboxMessage.kind)).all())
        assert kinds == ["staff_alert"]


def test_urgent_benzo_inquiry_warns_against_stopping_suddenly(
    app: Flask, client: FlaskClient
) -> None:
    submit_inquiry_form(
        client,
        "en",
        message="I'm done with ativan. Throwing them all away tomorrow and stopping.",
        email="someone@example.net",
        country="CA",
    )
    body = client.get("/en/thanks").get_data(as_text=True)
    assert "do not stop benzodiazepines suddenly" in body
    assert "988" in body
    with app.app_context():
        assert db.session.scalars(select(TriageResult.priority)).one() == "P1"
        kinds = sorted(db.session.scalars(select(OutboxMessage.kind)).all())
        assert kinds == ["acknowledgement", "staff_alert"]


def test_errors_are_named_and_what_was_typed_is_kept(app: Flask, client: FlaskClient) -> None:
    response = submit_inquiry_form(
        client,
        "en",
        message="<script>alert('x')</script> please help",
        email="not-an-email",
        phone="12",
        consent="",
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "This does not look like an email address" in body
    assert "We could not read this phone number" in body
    assert "Please tick the consent box" in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; please help" in body
    assert "<script>alert('x')</script>" not in body
    assert 'value="not-an-email"' in body
    assert _count(app, Inquiry) == 0


def test_no_way_to_reach_them_is_explained(app: Flask, client: FlaskClient) -> None:
    response = submit_inquiry_form(client, "en", message="help")
    assert response.status_code == 400
    assert "Give an email address or a phone number" in response.get_data(as_text=True)
    assert _count(app, Inquiry) == 0


def test_errors_are_in_the_page_language(client: FlaskClient) -> None:
    response = submit_inquiry_form(client, "es", message="", email="x@example.net")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'class="error-summary"' in body
    assert "Please write a few words" not in body


def test_double_submission_stores_one_inquiry(app: Flask, client: FlaskClient) -> None:
    page = client.get("/en/")
    token = FORM_TOKEN.search(page.get_data(as_text=True))
    assert token
    data = {
        "csrf_token": csrf_from(page),
        "form_token": token.group(1),
        "message": "Please call me",
        "phone": "+1 212 555 0177",
        "consent": "y",
    }
    first = client.post("/en/", data=data)
    second = client.post("/en/", data=data)
    assert first.status_code == second.status_code == 302
    assert _count(app, Inquiry) == 1


P0_WORDS = "I am going to kill myself tonight, I have the rope ready"


def _held(app: Flask) -> list[tuple[str, str, str, bool]]:
    """(reference, status, reasons, suspected_automated) of every quarantined inquiry."""
    with app.app_context():
        rows = db.session.execute(
            select(
                Inquiry.reference,
                InquiryQuarantine.status,
                InquiryQuarantine.reasons,
                Inquiry.suspected_automated,
            )
            .join(InquiryQuarantine, InquiryQuarantine.inquiry_id == Inquiry.id)
            .order_by(Inquiry.id)
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _queue_references(app: Flask) -> list[str]:
    with app.app_context():
        return [inquiry.reference for _case, inquiry in queue(QueueFilter(), utcnow())]


def _outbox_kinds(app: Flask) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(OutboxMessage.kind)).all())


def test_a_p0_sent_at_once_is_stored_alerted_and_answered_emergency_first(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typed in one breath, faster than the bot threshold: nothing may be lost."""
    monkeypatch.setitem(app.config, "FORM_MIN_FILL_SECONDS", 3)
    response = submit_inquiry_form(client, "en", message=P0_WORDS, phone="+44 7700 900123")
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/thanks"
    body = client.get("/en/thanks").get_data(as_text=True)
    main = body[body.index("<main") :]
    first_heading = main[main.index("<h1") : main.index("</h1>")]
    assert "999" in first_heading  # the emergency number before anything else
    assert "Samaritans" in main
    with app.app_context():
        inquiry = db.session.scalars(select(Inquiry)).one()
        assert inquiry.message == P0_WORDS
        assert inquiry.person.phone == "+447700900123"
        assert db.session.scalars(select(TriageResult.priority)).one() == "P0"
    assert f'<strong class="reference">{inquiry.reference}</strong>' in main
    assert _held(app) == [(inquiry.reference, "held", "too_fast", True)]
    # Held out of the queue, but the on-call clinician is alerted all the same.
    assert _queue_references(app) == []
    assert _outbox_kinds(app) == ["staff_alert"]
    tags = audit_tags(app)
    assert "public:inquiry:received" in tags
    assert "public:inquiry:quarantined" in tags


def test_honeypot_submission_is_stored_and_held_not_dropped(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "FORM_MIN_FILL_SECONDS", 3)
    response = submit_inquiry_form(
        client, "en", message="buy cheap watches", email="bot@example.net", website="x"
    )
    assert response.status_code == 302
    page = client.get("/en/thanks").get_data(as_text=True)
    with app.app_context():
        reference = db.session.scalars(select(Inquiry.reference)).one()
    assert "We have your message" in page
    assert reference in page
    assert _held(app) == [(reference, "held", "too_fast,honeypot", True)]
    assert _queue_references(app) == []
    # A held inquiry gets its acknowledgement email only once staff release it.
    assert _outbox_kinds(app) == []


def test_a_person_who_takes_their_time_goes_straight_to_the_queue(
    app: Flask, client: FlaskClient
) -> None:
    submit_inquiry_form(client, "en", message="I need help", email="calm@example.net")
    with app.app_context():
        reference = db.session.scalars(select(Inquiry.reference)).one()
        assert db.session.scalars(select(Inquiry.suspected_automated)).one() is False
    assert _held(app) == []
    assert _queue_references(app) == [reference]
    assert _outbox_kinds(app) == ["acknowledgement"]


def test_a_forged_token_still_stores_the_words_once(app: Flask, client: FlaskClient) -> None:
    page = client.get("/en/")
    data = {
        "csrf_token": csrf_from(page),
        "form_token": "forged",
        "message": "my words",
        "email": "a@example.net",
        "consent": "y",
    }
    first = client.post("/en/", data=data)
    assert first.status_code == 302
    thanks = client.get("/en/thanks").get_data(as_text=True)
    second = client.post("/en/", data=data)  # the same answers sent again: one inquiry
    assert second.status_code == 302
    with app.app_context():
        inquiry = db.session.scalars(select(Inquiry)).one()
        assert inquiry.message == "my words"
    assert inquiry.reference in thanks
    assert _held(app) == [(inquiry.reference, "held", "token_invalid", True)]


def test_a_token_reused_for_other_answers_stores_both(app: Flask, client: FlaskClient) -> None:
    """The second message must not be answered with the first one's reference."""
    page = client.get("/en/")
    token = FORM_TOKEN.search(page.get_data(as_text=True))
    assert token
    common = {"csrf_token": csrf_from(page), "form_token": token.group(1), "consent": "y"}
    client.post("/en/", data={**common, "message": "Please call me", "phone": "+1 212 555 0177"})
    first = client.get("/en/thanks").get_data(as_text=True)
    client.post("/en/", data={**common, "message": P0_WORDS, "phone": "+1 212 555 0188"})
    second = client.get("/en/thanks").get_data(as_text=True)
    with app.app_context():
        stored = db.session.execute(
            select(Inquiry.reference, Inquiry.message).order_by(Inquiry.id)
        ).all()
    assert [message for _reference, message in stored] == ["Please call me", P0_WORDS]
    (first_reference, _), (second_reference, _) = stored
    assert first_reference in first and second_reference not in first
    assert second_reference in second and first_reference not in second
    assert "Please call 999 now" in second
    assert _held(app) == [(second_reference, "held", "token_reused", True)]


def test_thanks_never_claims_a_message_that_was_not_stored(client: FlaskClient) -> None:
    with client.session_transaction() as session:
        session["inquiry_reference"] = "-"  # what the old bot path left behind
    response = client.get("/en/thanks")
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/"
    assert "We have your message" not in client.get("/en/").get_data(as_text=True)


def test_the_sixth_post_in_a_minute_keeps_the_words_and_asks_to_wait(
    app: Flask, client: FlaskClient
) -> None:
    statuses = [
        submit_inquiry_form(client, "en", message="help", email=f"p{n}@example.net").status_code
        for n in range(5)
    ]
    assert statuses == [302] * 5
    limited = submit_inquiry_form(
        client, "en", message="Still here, please ring me", email="p5@example.net", country="GB"
    )
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    body = limited.get_data(as_text=True)
    assert "Please wait a minute and send again" in body
    assert "Still here, please ring me</textarea>" in body
    assert 'value="p5@example.net"' in body
    assert "Samaritans" in body and "116 123" in body
    assert 'name="form_token"' in body  # the page can be sent again as it is
    assert _count(app, Inquiry) == 5


def test_message_box_explains_its_limit_instead_of_cutting(client: FlaskClient) -> None:
    body = client.get("/en/").get_data(as_text=True)
    textarea = body[body.index('<textarea id="message"') :]
    textarea = textarea[: textarea.index(">")]
    assert "maxlength" not in textarea  # the browser cut pasted text without a word
    assert 'data-max-length="5000"' in textarea
    assert "Up to 5,000 characters." in body
    assert 'src="/static/js/message-counter.js"' in body


def test_a_message_at_the_limit_is_accepted_with_browser_line_breaks(
    app: Flask, client: FlaskClient
) -> None:
    """Browsers send each line break as two characters but count it as one."""
    message = "\r\n".join(["x" * 99] * 50) + "!"  # 5000 characters as the person sees them
    assert len(message.replace("\r\n", "\n")) == 5000
    response = submit_inquiry_form(client, "en", message=message, email="long@example.net")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    with app.app_context():
        assert db.session.scalars(select(Inquiry.message)).one() == message.replace("\r\n", "\n")


def test_a_message_over_the_limit_is_refused_with_the_text_kept(
    app: Flask, client: FlaskClient
) -> None:
    message = "a" * 4990 + " pasted end"
    response = submit_inquiry_form(client, "en", message=message, email="long@example.net")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Please keep this under 5000 characters (it has 5001)." in body
    assert message + "</textarea>" in body
    assert _count(app, Inquiry) == 0


def test_public_form_is_rate_limited_with_helplines_on_the_429_page(
    app: Flask, client: FlaskClient
) -> None:
    statuses = [
        submit_inquiry_form(client, "en", message="help", email=f"p{n}@example.net").status_code
        for n in range(6)
    ]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    limited = submit_inquiry_form(client, "en", message="help", email="p9@example.net")
    assert "Samaritans" in limited.get_data(as_text=True)


def test_thanks_without_a_submission_goes_back_to_the_form(client: FlaskClient) -> None:
    response = client.get("/de/thanks")
    assert response.status_code == 302
    assert response.headers["Location"] == "/de/"


def test_same_email_twice_is_one_person_with_two_inquiries(app: Flask) -> None:
    for message in ("first message", "second message"):
        submit_inquiry_form(app.test_client(), "en", message=message, email="Same@Example.net")
    assert _count(app, Person) == 1
    assert _count(app, Inquiry) == 2


def test_nothing_personal_in_the_redirect_or_the_reference(app: Flask, client: FlaskClient) -> None:
    response = submit_inquiry_form(
        client, "en", message="I need help", email="private.person@example.net", name="Maria"
    )
    location = response.headers["Location"]
    assert "private" not in location and "Maria" not in location
    with app.app_context():
        reference = db.session.scalars(select(Inquiry.reference)).one()
    assert len(reference) == 12
    assert "MARIA" not in reference


def test_privacy_notice_says_what_why_how_long_and_erasure(client: FlaskClient) -> None:
    body = client.get("/en/privacy").get_data(as_text=True)
    for words in ("What we keep", "Why", "For how long", "delete", "Consent version"):
        assert words in body


def test_an_expired_form_keeps_the_words_and_asks_to_send_again(
    app: Flask, client: FlaskClient
) -> None:
    """A post whose CSRF token no longer holds (an old tab, a lost session) stores nothing,
    since it cannot be told from a forged one, but gives the person their words back."""
    page = client.get("/en/")
    token = FORM_TOKEN.search(page.get_data(as_text=True))
    assert token
    words = "I wrote this an hour ago and I still need someone to call me"
    response = client.post(
        "/en/",
        data={
            "csrf_token": "expired-or-forged",
            "form_token": token.group(1),
            "consent": "y",
            "message": words,
            "phone": "+44 7700 900123",
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert words in body
    assert "+44 7700 900123" in body
    assert "Please check and send again." in body
    assert 'name="csrf_token"' in body  # a fresh token, so the next send goes through
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Inquiry)) == 0
    assert audit_tags(app)[-1] == "auth:request:csrf_rejected"
