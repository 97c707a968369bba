"""What each delivery says, and whether it should still go out.

Messages are rendered at the moment of sending, from ids: the address is read (and decrypted)
only here and never stored on the delivery. Inquirer-facing templates are one file per language
(``templates/email/<kind>.<lang>.txt`` and ``.html``), translated whole rather than string by
string, because tone matters more than reuse in these messages. Each text template sets
``subject`` and ``preview`` at its top; the HTML one receives them.

Staff alerts carry the priority, the country and links (to the inquiry, which needs sign-in, and
to the alert), nothing else: no name, no message, no contact detail, not even the reference.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from babel import Locale
from flask import current_app
from sqlalchemy import exists, select

from intake.core.types import utcnow
from intake.crm.models import Person
from intake.extensions import db
from intake.helplines import CLINIC_CONTACT, help_for
from intake.messaging.channels import PermanentSendError, TemporarySendError
from intake.messaging.models import (
    Alert,
    AlertStatus,
    Delivery,
    MessageKind,
    UnsubscribeToken,
)
from intake.messaging.registry import find_kind
from intake.public.models import Inquiry
from intake.triage.models import TriageCase

TEMPLATE_LANGUAGES = ("en", "es", "de", "fr", "it")
UNSUBSCRIBE_PATH = "/{lang}/unsubscribe/{token}"


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str | None = None
    email_to: str | None = None
    phone_to: str | None = None
    unsubscribe_url: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    # Rows to store with the outcome (the unsubscribe token), written only if the send succeeds.
    new_rows: tuple[object, ...] = ()


@dataclass(frozen=True)
class Rendered:
    subject: str
    preview: str
    text: str
    html: str


def render_message(kind: str, language: str, context: dict[str, Any]) -> Rendered:
    """Render ``email/<kind>.<language>`` (text and HTML); unknown languages fall back to English.

    The Jinja environment is used directly rather than ``render_template``: a worker has no
    request, and the app's context processors read one.
    """
    lang = language if language in TEMPLATE_LANGUAGES else "en"
    env = current_app.jinja_env
    module = env.get_template(f"email/{kind}.{lang}.txt").make_module(context)
    subject = str(getattr(module, "subject", "")).strip()
    preview = str(getattr(module, "preview", "")).strip()
    text = str(module).strip() + "\n"
    html = env.get_template(f"email/{kind}.{lang}.html").render(
        **context, subject=subject, preview=preview, lang=lang
    )
    return Rendered(subject=subject, preview=preview, text=text, html=html)


def base_url() -> str:
    return str(current_app.config["BASE_URL"]).rstrip("/")


def inquiry_url(inquiry_id: int) -> str:
    """The staff page of an inquiry; signing in first brings the reader back to it."""
    return f"{base_url()}/staff/triage/{inquiry_id}"


def alert_url(alert_id: int) -> str:
    return f"{base_url()}/staff/alerts/{alert_id}"


def country_label(code: str | None, language: str) -> str:
    """The country's name in ``language`` (CLDR), or a neutral word when unknown."""
    if not code:
        return "-"
    try:
        return str(Locale.parse(language).territories.get(code.upper(), code.upper()))
    except ValueError:
        return code.upper()


# Unsubscribing -------------------------------------------------------------------------------
def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_unsubscribe_link(person_id: int, language: str) -> tuple[str, UnsubscribeToken]:
    """An opaque, random unsubscribe link for a person, and the row to store (only its hash).

    The caller stores the row with the send's outcome, so a failed send leaves no token behind.
    """
    token = secrets.token_urlsafe(24)
    row = UnsubscribeToken(token_hash=hash_token(token), person_id=person_id, language=language)
    lang = language if language in TEMPLATE_LANGUAGES else "en"
    return base_url() + UNSUBSCRIBE_PATH.format(lang=lang, token=token), row


def opted_out(person_id: int) -> bool:
    """Whether the person has used any of their unsubscribe links."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    UnsubscribeToken.person_id == person_id, UnsubscribeToken.used_at.is_not(None)
                )
            )
        )
    )


# Stop conditions -----------------------------------------------------------------------------
def _case(inquiry_id: int | None) -> TriageCase | None:
    if inquiry_id is None:
        return None
    return db.session.scalar(select(TriageCase).where(TriageCase.inquiry_id == inquiry_id))


def case_claimed(case: TriageCase | None) -> bool:
    """Someone has taken the inquiry (claimed it, reached the person, or closed it)."""
    return case is not None and (
        case.claimed_at is not None
        or case.reached_at is not None
        or case.closed_at is not None
        or case.status != "new"
    )


def alert_stop_reason(delivery: Delivery) -> str | None:
    """A staff alert stops once it is acknowledged or the inquiry is claimed."""
    alert = db.session.get(Alert, delivery.alert_id) if delivery.alert_id else None
    if alert is not None and alert.status == AlertStatus.ACKNOWLEDGED.value:
        return "stopped: acknowledged"
    if case_claimed(_case(delivery.inquiry_id)):
        return "stopped: inquiry claimed"
    return None


def contact_overdue_stop_reason(delivery: Delivery) -> str | None:
    """A "nobody reached the person yet" page stops once someone did, or the case closed."""
    case = _case(delivery.inquiry_id)
    if case is None or case.reached_at is not None or case.status == "contacted":
        return "stopped: contact made"
    if case.closed_at is not None or case.status == "closed":
        return "stopped: inquiry closed"
    alert = db.session.get(Alert, delivery.alert_id) if delivery.alert_id else None
    if alert is not None and alert.contact_closed_reason is not None:
        return "stopped: contact watch ended"
    return None


def follow_up_stop_reason(delivery: Delivery) -> str | None:
    """A follow-up is not sent once the team reached the person or closed the inquiry."""
    case = _case(delivery.inquiry_id)
    if case is None:
        return None
    if case.closed_at is not None or case.status == "closed":
        return "stopped: inquiry closed"
    if case.reached_at is not None or case.status == "contacted":
        return "stopped: contact made"
    return None


def stop_reason(delivery: Delivery) -> str | None:
    """Why a delivery should no longer go out, or None to send it.

    A person who opted out gets nothing, whatever the kind; then the kind's own rule (from the
    registry) decides.
    """
    if delivery.recipient_person_id is not None and opted_out(delivery.recipient_person_id):
        return "stopped: opted out"
    spec = find_kind(delivery.kind)
    if spec is None or spec.stop_reason is None:
        return None
    return spec.stop_reason(delivery)


# Composing -----------------------------------------------------------------------------------
def compose_alert(delivery: Delivery) -> Composed:
    alert = db.session.get(Alert, delivery.alert_id) if delivery.alert_id else None
    inquiry = db.session.get(Inquiry, delivery.inquiry_id) if delivery.inquiry_id else None
    if alert is None or inquiry is None:
        raise PermanentSendError("alert or inquiry missing")
    language = current_app.config.get("ALERT_LANGUAGE", "en")
    round_ = delivery.alert_round or 0
    link = alert_url(alert.id)
    overdue = delivery.kind == MessageKind.CONTACT_OVERDUE.value
    case = _case(inquiry.id)
    context = {
        "priority": case.priority if overdue and case else alert.priority,
        "country": country_label(inquiry.country, language),
        "link": link,
        "inquiry_link": inquiry_url(inquiry.id),
        "escalated": round_ > 0,
        "round": round_,
        # Whole minutes since the inquiry arrived: how long the person has been waiting.
        "waiting_minutes": int((utcnow() - inquiry.received_at).total_seconds() // 60),
    }
    rendered = render_message(
        "staff_contact_overdue" if overdue else "staff_alert", language, context
    )
    email_to = delivery.recipient_user.email if delivery.recipient_user else None
    # The webhook body: priority, country and the links, nothing about the person.
    payload = {
        "event": "inquiry.contact_overdue" if overdue else "inquiry.alert",
        "priority": context["priority"],
        "country": inquiry.country,
        "link": link,
        "inquiry_link": context["inquiry_link"],
        "round": round_,
        "escalated": round_ > 0,
        "text": rendered.subject,
    }
    return Composed(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        email_to=email_to,
        payload=payload,
    )


def compose_inquirer(delivery: Delivery) -> Composed:
    inquiry = db.session.get(Inquiry, delivery.inquiry_id) if delivery.inquiry_id else None
    person = (
        db.session.get(Person, delivery.recipient_person_id)
        if delivery.recipient_person_id
        else None
    )
    if inquiry is None or person is None:
        raise PermanentSendError("inquiry or person missing")
    language = delivery.language
    unsubscribe_url, token_row = new_unsubscribe_link(person.id, language)
    context = {
        "reference": inquiry.reference,
        "country_help": help_for(inquiry.country, language),
        "language": language,
        "clinic": CLINIC_CONTACT.in_language(language),
        "unsubscribe_url": unsubscribe_url,
        "sent_on": utcnow().date().isoformat(),
    }
    rendered = render_message(delivery.kind, language, context)
    return Composed(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        email_to=person.email,
        phone_to=person.phone,
        unsubscribe_url=unsubscribe_url,
        new_rows=(token_row,),
    )


def compose(delivery: Delivery) -> Composed:
    """Render ``delivery`` in its language and find its recipient's address, as its kind (from
    the registry) says.

    A kind this process does not know is a temporary failure: a newer worker may know it, and
    the retries are bounded, after which the delivery is failed and shown to admins.
    """
    spec = find_kind(delivery.kind)
    if spec is None or spec.compose is None:
        raise TemporarySendError(f"unknown kind {delivery.kind}")
    return spec.compose(delivery)
