"""What triage's on-call alerts say, who is paged, and when they stop: the alert policy.

A P0/P1 inquiry opens an alert (:func:`open_alert_for`). Messaging's paging machinery
(:mod:`intake.messaging.alerts`) sends its waves; this module answers what only triage knows:

* the alert stops once the inquiry is *taken*: claimed, reached or closed (its case left ``new``);
* a taken P0 stays watched: if no contact that reached the person is logged within the P0
  contact target (``CONTACT_TARGET_P0_MINUTES`` from arrival, and never sooner than one
  escalation wait after the claim), staff are paged again; logging "reached" or closing the
  case ends the watch;
* what a staff alert and a "nobody reached the person yet" page say: the priority, the country
  and links (to the inquiry, which needs sign-in, and to the alert), nothing else: no name, no
  message, no contact detail, not even the reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.alerts import SUBJECT as ALERT_SUBJECT
from intake.messaging.alerts import escalation_wait, open_alert
from intake.messaging.compose import Composed, base_url, country_label, render_message
from intake.messaging.deliveries import deliveries_about
from intake.messaging.models import Alert, AlertStatus, Delivery, MessageKind
from intake.messaging.registry import AlertPolicy, SubjectMissing, Taken
from intake.public.models import Inquiry
from intake.triage.models import TriageCase
from intake.vocabulary import DEFAULT_LANGUAGE, AlertStop, CaseStatus, Priority

# Priorities whose claims are watched until the person is reached.
CONTACT_WATCHED_PRIORITIES = (Priority.P0,)
# The subject of the person's own messages (acknowledgement, follow-ups).
INQUIRY_SUBJECT = "inquiry"


def inquiry_url(inquiry_id: int) -> str:
    """The staff page of an inquiry; signing in first brings the reader back to it."""
    return f"{base_url()}/staff/triage/{inquiry_id}"


def alert_url(alert_id: int) -> str:
    return f"{base_url()}/staff/alerts/{alert_id}"


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
        or case.status != CaseStatus.NEW
    )


# Opening -----------------------------------------------------------------------------------
def open_alert_for(inquiry_id: int) -> Alert:
    """Open the alert for an inquiry (its ``staff_alert`` outbox row) at the case's priority
    and send its first wave; the caller (the relay) commits."""
    case = _case(inquiry_id)
    if case is None:  # the inquiry (and its case) was deleted
        raise SubjectMissing(inquiry_id)
    return open_alert(inquiry_id, case.priority)


# The policy the paging machinery follows ----------------------------------------------------
def taken(alert: Alert) -> Taken | None:
    case = _case(alert.inquiry_id)
    return Taken(by=case.assignee_id) if case is not None and case_claimed(case) else None


def contact_target(priority: str) -> timedelta:
    """How soon after arrival a person of ``priority`` must be reached (P0: 15 minutes)."""
    minutes = current_app.config["CONTACT_TARGET_MINUTES"].get(priority, 24 * 60)
    return timedelta(minutes=float(minutes))


def _contact_stop(case: TriageCase | None) -> str | None:
    """Why a contact watch has nothing left to do, or None while the person is unreached."""
    if case is None or case.closed_at is not None or case.status == CaseStatus.CLOSED:
        return AlertStop.CLOSED
    if case.reached_at is not None or case.status == CaseStatus.CONTACTED:
        return AlertStop.REACHED
    # Lowered below P0 after the claim: its own, longer, clock applies.
    if case.priority not in CONTACT_WATCHED_PRIORITIES:
        return "priority"
    return None


def contact_check_at(case: TriageCase, at: datetime) -> datetime:
    """When to check that the claimed person was reached: the end of the contact target, but
    never before the claimer has had one escalation wait to call (a late claim of a case whose
    target has already passed is not paged at once)."""
    claimed = case.claimed_at or at
    return max(
        case.received_at + contact_target(case.priority),
        claimed + escalation_wait(case.priority),
    )


def watch_check_at(alert: Alert, at: datetime) -> datetime | None:
    case = _case(alert.inquiry_id)
    if case is None or _contact_stop(case) is not None:
        return None
    return contact_check_at(case, at)


def watch_stop(alert: Alert) -> str | None:
    return _contact_stop(_case(alert.inquiry_id))


def current_priority(alert: Alert) -> str:
    case = _case(alert.inquiry_id)
    return case.priority if case is not None else alert.priority


POLICY = AlertPolicy(
    wave_kind=MessageKind.STAFF_ALERT.value,
    watch_kind=MessageKind.CONTACT_OVERDUE.value,
    taken=taken,
    watch_check_at=watch_check_at,
    watch_stop=watch_stop,
    priority=current_priority,
)


# The deliveries' stop rules and composer -----------------------------------------------------
def _alert_of(delivery: Delivery) -> Alert | None:
    if delivery.subject_kind != ALERT_SUBJECT or delivery.subject_id is None:
        return None
    return db.session.get(Alert, delivery.subject_id)


def alert_stop_reason(delivery: Delivery) -> str | None:
    """A staff alert stops once it is acknowledged or the inquiry is claimed."""
    alert = _alert_of(delivery)
    if alert is None:
        return None  # the composer reports the missing subject
    if alert.status == AlertStatus.ACKNOWLEDGED.value:
        return "stopped: acknowledged"
    if case_claimed(_case(alert.inquiry_id)):
        return "stopped: inquiry claimed"
    return None


def contact_overdue_stop_reason(delivery: Delivery) -> str | None:
    """A "nobody reached the person yet" page stops once someone did, or the case closed."""
    alert = _alert_of(delivery)
    if alert is None:
        return None  # the composer reports the missing subject
    case = _case(alert.inquiry_id)
    if case is None:
        return "stopped: contact made"
    return case.messages_stop_reason()
    if alert.contact_closed_reason is not None:
        return "stopped: contact watch ended"
    return None


def compose_alert(delivery: Delivery) -> Composed:
    """A staff alert or a contact-overdue page: priority, country and links, nothing personal."""
    alert = _alert_of(delivery)
    inquiry = db.session.get(Inquiry, alert.inquiry_id) if alert is not None else None
    if alert is None or inquiry is None:
        raise SubjectMissing(delivery.subject_id)
    language = current_app.config.get("ALERT_LANGUAGE", DEFAULT_LANGUAGE)
    wave = delivery.wave or 0
    link = alert_url(alert.id)
    overdue = delivery.kind == MessageKind.CONTACT_OVERDUE.value
    case = _case(inquiry.id)
    context = dict(
        priority=case.priority if overdue and case else alert.priority,
        country=country_label(inquiry.country, language),
        link=link,
        inquiry_link=inquiry_url(inquiry.id),
        escalated=wave > 0,
        round=wave,
        # Whole minutes since the inquiry arrived: how long the person has been waiting.
        waiting_minutes=int((utcnow() - inquiry.received_at).total_seconds() // 60),
    )
    rendered = render_message(
        "staff_contact_overdue" if overdue else "staff_alert", language, context
    )
    email_to = delivery.recipient_user.email if delivery.recipient_user else None
    # The webhook body: priority, country and the links, nothing about the person.
    payload = dict(
        event="inquiry.contact_overdue" if overdue else "inquiry.alert",
        priority=context["priority"],
        country=inquiry.country,
        link=link,
        inquiry_link=context["inquiry_link"],
        round=wave,
        escalated=wave > 0,
        text=rendered.subject,
    )
    return Composed(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        email_to=email_to,
        payload=payload,
    )


# Reading -------------------------------------------------------------------------------------
def messages_for_inquiry(inquiry_id: int) -> Sequence[Delivery]:
    """Every message sent or attempted for an inquiry, oldest first: the person's own and
    those of its alert's waves."""
    alert_ids = db.session.scalars(select(Alert.id).where(Alert.inquiry_id == inquiry_id)).all()
    return deliveries_about(
        [(INQUIRY_SUBJECT, inquiry_id), *((ALERT_SUBJECT, alert_id) for alert_id in alert_ids)]
    )
