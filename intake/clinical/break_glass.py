"""Break-glass: an admin's emergency access to one person's clinical fields.

An admin (``clinical:break_glass:request``) states a reason and gets a grant for
``BREAK_GLASS_MINUTES`` (60). In the same transaction: a prominent audit row, and an alert to
the clinical lead (the staff account named by ``CLINICAL_LEAD_EMAIL``, else every active
clinician) as a delivery of this package's kind ``break_glass``. The alert says only that
emergency access was used and links to the review list: no person, no reason, no staff name.
While the grant is live, :func:`intake.auth.access.may_read` lets that admin read that person's
clinical group (this module registers the check); every such read is audited as a break-glass
read. Clinicians mark each use reviewed on the review list.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.auth.access import FieldGroup, register_emergency_grant
from intake.auth.models import User, UserRole
from intake.auth.permissions import Permission, Role
from intake.clinical.consent_models import BreakGlassGrant
from intake.clinical.consents import TEXT_MAX, ConsentRefusalError
from intake.core.types import utcnow
from intake.crm.models import Person
from intake.extensions import db
from intake.messaging.compose import Composed, base_url, render_message
from intake.messaging.deliveries import add_delivery
from intake.messaging.models import Channel, Delivery
from intake.messaging.registry import KindSpec, SubjectMissing, register_kind, register_subject
from intake.vocabulary import DEFAULT_LANGUAGE

if TYPE_CHECKING:
    from flask import Flask

# The message kind and delivery subject this package registers with messaging.
KIND = "break_glass"
SUBJECT = "break_glass"
REASON_MIN = 10


class BreakGlassRefusedError(ConsentRefusalError):
    """A grant without a reason, for nobody, or a review that cannot be made."""


def grant_minutes() -> int:
    return max(1, int(current_app.config.get("BREAK_GLASS_MINUTES", 60)))


def clinical_leads() -> list[User]:
    """Who is alerted: the account named by ``CLINICAL_LEAD_EMAIL`` when it is an active
    clinician, else every active clinician."""
    clinicians = db.session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.CLINICIAN.value, User.active.is_(True))
        .order_by(User.id)
    ).all()
    lead_email = (current_app.config.get("CLINICAL_LEAD_EMAIL") or "").strip().lower()
    named = [user for user in clinicians if user.email.lower() == lead_email]
    return named or list(clinicians)


def request_grant(user: User, person: Person, reason: str | None) -> BreakGlassGrant:
    """Grant ``user`` emergency access to ``person``'s clinical fields, audit it prominently and
    alert the clinical lead; the caller commits. A reason is required."""
    text = (reason or "").strip()
    if len(text) < REASON_MIN:
        raise BreakGlassRefusedError(
            "missing_reason",
            _l(
                "Say why you must see this record now (at least %(n)d characters): the "
                "clinical lead reads it.",
                n=REASON_MIN,
            ),
            "reason",
        )
    if len(text) > TEXT_MAX:
        raise BreakGlassRefusedError("too_long_reason", _l("The reason is too long."), "reason")
    now = utcnow()
    minutes = grant_minutes()
    grant = BreakGlassGrant(
        user_id=user.id,
        person_id=person.id,
        reason=text,
        granted_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    db.session.add(grant)
    db.session.flush()  # the alert's idempotency key and link need the grant's id
    record(
        AuditTag.BREAK_GLASS_GRANTED,
        target_type="person",
        target_id=person.id,
        actor_id=user.id,
        detail={"grant_id": grant.id, "minutes": minutes, "prominent": True},
    )
    for lead in clinical_leads():
        add_delivery(
            key=f"break_glass:{grant.id}:{lead.id}:email",
            kind=KIND,
            channel=Channel.EMAIL,
            subject_kind=SUBJECT,
            subject_id=grant.id,
            recipient_user_id=lead.id,
        )
    return grant


def live_grant(user_id: int, person_id: int) -> BreakGlassGrant | None:
    """The user's live grant for this person, if any."""
    now = utcnow()
    return db.session.scalars(
        select(BreakGlassGrant)
        .where(
            BreakGlassGrant.user_id == user_id,
            BreakGlassGrant.person_id == person_id,
            BreakGlassGrant.ended_at.is_(None),
            BreakGlassGrant.granted_at <= now,
            BreakGlassGrant.expires_at > now,
        )
        .order_by(BreakGlassGrant.expires_at.desc())
    ).first()


def _person_id_of(record_: Any) -> int | None:
    if isinstance(record_, Person):
        return record_.id
    value = getattr(record_, "person_id", None)
    return value if isinstance(value, int) else None


def emergency_access(reader: Any, record_: Any, group: FieldGroup) -> bool:
    """The check :mod:`intake.auth.access` asks: does ``reader`` hold a live grant that opens
    ``group`` of ``record_``? Only the clinical group, only for those who may break the glass."""
    if group != FieldGroup.CLINICAL or not getattr(reader, "is_authenticated", False):
        return False
    if not reader.can(Permission.BREAK_GLASS_REQUEST):
        return False
    person_id = _person_id_of(record_)
    return person_id is not None and live_grant(reader.id, person_id) is not None


def end_grant(grant: BreakGlassGrant, user_id: int) -> None:
    """Close a grant before it runs out (its holder is done); the caller commits."""
    if grant.user_id != user_id:
        raise BreakGlassRefusedError("not_yours", _l("Only its holder can close a grant."))
    if not grant.is_live():
        raise BreakGlassRefusedError("not_live", _l("This grant has already ended."))
    grant.ended_at = utcnow()
    record(
        AuditTag.BREAK_GLASS_ENDED,
        target_type="person",
        target_id=grant.person_id,
        actor_id=user_id,
        detail={"grant_id": grant.id},
    )


def review_grant(grant: BreakGlassGrant, reviewer_id: int, note: str | None) -> None:
    """Mark a use of break-glass reviewed, with an optional note; the caller commits."""
    if grant.reviewed_at is not None:
        raise BreakGlassRefusedError("already_reviewed", _l("This use was already reviewed."))
    if grant.user_id == reviewer_id:
        raise BreakGlassRefusedError(
            "own_grant", _l("Someone else must review your own emergency access.")
        )
    text = (note or "").strip()
    if len(text) > TEXT_MAX:
        raise BreakGlassRefusedError("too_long_note", _l("The note is too long."), "note")
    grant.reviewed_at = utcnow()
    grant.reviewed_by_id = reviewer_id
    grant.review_note = text or None
    record(
        AuditTag.BREAK_GLASS_REVIEWED,
        target_type="person",
        target_id=grant.person_id,
        actor_id=reviewer_id,
        detail={"grant_id": grant.id},
    )


def grants_for_review() -> Sequence[BreakGlassGrant]:
    """Every use of break-glass, those waiting for review first, newest first within each."""
    return db.session.scalars(
        select(BreakGlassGrant).order_by(
            BreakGlassGrant.reviewed_at.is_not(None),
            BreakGlassGrant.granted_at.desc(),
        )
    ).all()


# Messaging -------------------------------------------------------------------------------------
def review_url() -> str:
    return base_url() + "/staff/break-glass"


def compose_alert(delivery: Delivery) -> Composed:
    """The alert to the clinical lead: that emergency access was used, for how long, and the
    review link. Nothing about the person, the reason or who used it."""
    grant = (
        db.session.get(BreakGlassGrant, delivery.subject_id)
        if delivery.subject_kind == SUBJECT and delivery.subject_id is not None
        else None
    )
    if grant is None:
        raise SubjectMissing(delivery.subject_id)
    language = current_app.config.get("ALERT_LANGUAGE", DEFAULT_LANGUAGE)
    minutes = int((grant.expires_at - grant.granted_at).total_seconds() // 60)
    context = {"link": review_url(), "minutes": minutes, "grant_id": grant.id}
    rendered = render_message("break_glass_alert", language, context)
    return Composed(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        email_to=delivery.recipient_user.email if delivery.recipient_user else None,
        payload={"event": "break_glass.used", "link": context["link"], "grant_id": grant.id},
    )


def init_app(_app: Flask) -> None:
    """Register the break-glass alert kind, its subject link and the access check (once per
    process; again is harmless)."""
    register_kind(KindSpec(name=KIND, compose=compose_alert))
    register_subject(SUBJECT, lambda _grant_id: url_for("consent.break_glass_review"))
    register_emergency_grant(emergency_access)
