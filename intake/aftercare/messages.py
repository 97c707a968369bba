"""The message kinds aftercare owns, registered with messaging when the app is built.

* ``aftercare_checkin`` and ``aftercare_reminder``: the check-in and its two reminders, to the
  person, with a fresh personal link each (stored as a hash with the send's outcome);
* ``aftercare_stopped``: the one confirmation that the person's stop was honoured;
* ``aftercare_staff``: telling the owner (or the lead) that a task waits, with no name and no
  answer in it.

What they say is ``templates/email/<kind>.<lang>.txt|html``; nothing in the sender, subject or
preview names addiction, treatment or the clinic's purpose. Messaging knows none of this.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from intake.aftercare import rules, services
from intake.aftercare.models import AftercarePlan, CheckIn
from intake.aftercare.services import AftercareKind
from intake.core.types import utcnow
from intake.crm.models import Person
from intake.extensions import db
from intake.messaging.compose import TEMPLATE_LANGUAGES, Composed, base_url, render_message
from intake.messaging.models import Delivery
from intake.messaging.registry import KindSpec, SubjectMissing, register_kind, register_subject
from intake.vocabulary import DEFAULT_LANGUAGE, CheckInStatus, DeliveryChannel, PlanStatus

if TYPE_CHECKING:
    from flask import Flask

CHECKIN_PATH = "/{lang}/c/{token}"


def _lang(language: str) -> str:
    return language if language in TEMPLATE_LANGUAGES else DEFAULT_LANGUAGE.value


def checkin_url(language: str, token: str) -> str:
    return base_url() + CHECKIN_PATH.format(lang=_lang(language), token=token)


def _person(delivery: Delivery) -> Person:
    person = (
        db.session.get(Person, delivery.recipient_person_id)
        if delivery.recipient_person_id
        else None
    )
    if person is None:
        raise SubjectMissing(delivery.subject_id)
    return person


def compose_checkin(delivery: Delivery) -> Composed:
    """A check-in or a reminder: short, warm, discreet, with a personal one-minute link."""
    checkin = db.session.get(CheckIn, delivery.subject_id) if delivery.subject_id else None
    if checkin is None:
        raise SubjectMissing(delivery.subject_id)
    person = _person(delivery)
    token, link_row = services.new_link(checkin.id)
    link = checkin_url(delivery.language, token)
    rendered = render_message(
        delivery.kind,
        delivery.language,
        {
            "link": link,
            "options_link": link + "/options",
            "text_only": delivery.channel != DeliveryChannel.EMAIL,
        },
    )
    return Composed(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        email_to=person.email,
        phone_to=person.phone,
        new_rows=(link_row,),
    )


def preload_checkins(rows: Sequence[Delivery]) -> list[object]:
    """A batch's check-ins with their plans, and its people, in one query each (what
    :func:`compose_checkin` and :func:`checkin_stop_reason` then find in the session)."""
    checkin_ids = {row.subject_id for row in rows if row.subject_id is not None}
    person_ids = {row.recipient_person_id for row in rows if row.recipient_person_id is not None}
    loaded: list[object] = []
    if checkin_ids:
        loaded.extend(
            db.session.scalars(
                select(CheckIn).where(CheckIn.id.in_(checkin_ids)).options(joinedload(CheckIn.plan))
            )
        )
    if person_ids:
        loaded.extend(db.session.scalars(select(Person).where(Person.id.in_(person_ids))))
    return loaded


def checkin_stop_reason(delivery: Delivery) -> str | None:
    """Not sent once the check-in was answered (a reminder) or the plan paused or stopped."""
    checkin = db.session.get(CheckIn, delivery.subject_id) if delivery.subject_id else None
    if checkin is None:
        return None
    if checkin.status in (CheckInStatus.ANSWERED, CheckInStatus.CANCELLED):
        return f"stopped: check-in {checkin.status}"
    if checkin.plan.status != PlanStatus.ACTIVE:
        return f"stopped: plan {checkin.plan.status}"
    return None


def checkin_defer_until(delivery: Delivery) -> datetime | None:
    """A check-in or reminder never goes out in the person's quiet hours, whether it is sent
    for the first time or retried after a failure: the end of the quiet hours, else None."""
    checkin = db.session.get(CheckIn, delivery.subject_id) if delivery.subject_id else None
    if checkin is None:
        return None
    plan = checkin.plan
    now = utcnow()
    if not rules.is_quiet(now, plan.timezone, services.quiet_of(plan)):
        return None
    return rules.next_allowed(now, plan.timezone, services.quiet_of(plan))


def compose_stopped(delivery: Delivery) -> Composed:
    plan = db.session.get(AftercarePlan, delivery.subject_id) if delivery.subject_id else None
    if plan is None:
        raise SubjectMissing(delivery.subject_id)
    person = _person(delivery)
    rendered = render_message(delivery.kind, delivery.language, {})
    return Composed(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        email_to=person.email,
        phone_to=person.phone,
    )


def compose_staff(delivery: Delivery) -> Composed:
    """To a staff member: a task waits. No name, no answer: the page says the rest."""
    user = delivery.recipient_user
    if user is None:
        raise SubjectMissing(delivery.recipient_user_id)
    # In the staff member's own language (``users.language``), written by Babel.
    rendered = render_message(
        delivery.kind,
        user.language or DEFAULT_LANGUAGE.value,
        {"link": base_url() + "/staff/crm/my-day"},
        by_babel=True,
    )
    return Composed(
        subject=rendered.subject, text=rendered.text, html=rendered.html, email_to=user.email
    )


def init_app(_app: Flask) -> None:
    """Register aftercare's message kinds and subject links (again is harmless), and stop a
    plan when its consent is revoked in the ledger."""
    from intake.aftercare.services import on_consent_ended
    from intake.clinical.events import consent_ended

    # Blinker keeps one receiver per function, however many apps connect it.
    consent_ended.connect(on_consent_ended, weak=False)
    register_kind(
        KindSpec(
            name=AftercareKind.CHECKIN.value,
            compose=compose_checkin,
            stop_reason=checkin_stop_reason,
            defer_until=checkin_defer_until,
            preload=preload_checkins,
        )
    )
    register_kind(
        KindSpec(
            name=AftercareKind.REMINDER.value,
            compose=compose_checkin,
            stop_reason=checkin_stop_reason,
            defer_until=checkin_defer_until,
            preload=preload_checkins,
        )
    )
    register_kind(KindSpec(name=AftercareKind.STOPPED.value, compose=compose_stopped))
    register_kind(KindSpec(name=AftercareKind.STAFF.value, compose=compose_staff))
    register_subject(
        services.CHECKIN_SUBJECT,
        lambda checkin_id: url_for("aftercare.checkin", checkin_id=checkin_id),
    )
    register_subject(
        services.PLAN_SUBJECT, lambda plan_id: url_for("aftercare.plan", plan_id=plan_id)
    )
