"""The consent ledger: recording a consent with every element it needs, ending it, and reading
what may be told to whom today.

Who may do what (decided here, enforced by the permissions of :mod:`intake.auth.permissions`):

- Admissions staff, clinicians and admins read the ledger and the person page's "what may we
  tell whom today" panel (recipient, purpose, how much, until when): the front desk answers the
  phone and must know whether it may say anything to the mother calling.
- Admissions staff and clinicians record and withdraw consents (the front desk often takes them
  at intake). Admins do not: their work is accounts, not people.
- Only clinicians record disclosures or read what was disclosed (the accounting); an admin reads
  the accounting too, to answer a person's request for it. See :mod:`intake.clinical.disclosures`.

Services here add to the session and never commit; :mod:`intake.clinical.consent_use_cases`
owns each commit. A refusal (:class:`ConsentRefusalError`) is raised before anything changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.clinical.consent_models import Consent
from intake.clinical.events import consent_ended
from intake.core.refusals import RefusalError
from intake.core.types import utcnow
from intake.crm.models import Contact, Person
from intake.extensions import db
from intake.vocabulary import (
    ConsentEnd,
    ConsentPurpose,
    ConsentScope,
    ConsentState,
    RequestChannel,
    SignatureMethod,
)

# The version of the consent statement (templates/consent/consent_text.txt). Change it whenever
# the statement's wording changes: each consent keeps the version and the exact text it showed.
CONSENT_TEXT_VERSION = "2026-12-part2-gdpr-v1"
TEXT_MAX = 2000
NAME_MAX = 300


class ConsentRefusalError(RefusalError):
    """A consent request that cannot be carried out; ``field`` names the form field to blame."""

    status_code = 422


@dataclass(frozen=True)
class ConsentInput:
    """What staff typed for a new consent (already parsed: times are aware UTC)."""

    purpose: str
    scope: str
    information: str
    purpose_text: str
    revocation_text: str
    disclosing_party: str
    signature_method: str
    signed_name: str
    given_via: str
    explicit: bool
    recipient_contact_id: int | None = None
    recipient_name: str = ""
    recipient_organisation: str = ""
    patient_name: str = ""
    starts_at: datetime | None = None
    expires_at: datetime | None = None
    expiry_event: str = ""
    signed_at: datetime | None = None


def required_text(
    value: str | None,
    field: str,
    message: LazyString,
    limit: int = TEXT_MAX,
    *,
    refusal: type[ConsentRefusalError] = ConsentRefusalError,
) -> str:
    """``value`` stripped; a ``refusal`` blaming ``field`` when it is empty or over ``limit``."""
    text = (value or "").strip()
    if not text:
        raise refusal(f"missing_{field}", message, field)
    if len(text) > limit:
        raise refusal(
            f"too_long_{field}", _l("This is too long (%(n)d characters at most).", n=limit), field
        )
    return text


def _recipient_contact(person: Person, contact_id: int | None) -> Contact | None:
    if contact_id is None:
        return None
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.person_id != person.id:
        raise ConsentRefusalError(
            "unknown_contact",
            _l("Choose one of this person's contacts, or name the recipient."),
            "recipient_contact_id",
        )
    return contact


def consent_text(person: Person, data: ConsentInput, patient_name: str, recipient: str) -> str:
    """The statement the person is shown and signs, with every element filled in.

    Rendered from the Jinja environment, not ``render_template``: the template needs nothing
    from a request, and aftercare records its consent from code that may run without one."""
    return (
        current_app.jinja_env.get_template("consent/consent_text.txt")
        .render(
            version=CONSENT_TEXT_VERSION,
            patient_name=patient_name,
            disclosing_party=data.disclosing_party,
            information=data.information,
            recipient=recipient,
            purpose_text=data.purpose_text,
            revocation_text=data.revocation_text,
            expires_at=data.expires_at,
            expiry_event=data.expiry_event,
            clinic=current_app.config["CLINIC_NAME"],
        )
        .strip()
    )


def record_consent(person: Person, data: ConsentInput, actor_id: int) -> Consent:
    """Add a consent after checking every § 2.31 element and the GDPR explicit consent.

    Raises :class:`ConsentRefusalError` (nothing added) when an element is missing, a code is
    unknown, the end is not after the start, or the person did not explicitly consent.
    """
    if data.purpose not in ConsentPurpose.codes():
        raise ConsentRefusalError("bad_purpose", _l("Choose what the consent is for."), "purpose")
    if data.scope not in ConsentScope.codes():
        raise ConsentRefusalError("bad_scope", _l("Choose how much may be told."), "scope")
    if data.signature_method not in SignatureMethod.codes():
        raise ConsentRefusalError(
            "bad_signature", _l("Choose how the person signed."), "signature_method"
        )
    if data.given_via not in RequestChannel.codes():
        raise ConsentRefusalError("bad_channel", _l("Choose how it was given."), "given_via")
    contact = _recipient_contact(person, data.recipient_contact_id)
    if data.purpose == ConsentPurpose.FAMILY and contact is None:
        raise ConsentRefusalError(
            "family_needs_contact",
            _l("Talking to family needs the named family member: choose the contact."),
            "recipient_contact_id",
        )
    recipient_name = (data.recipient_name or "").strip() or (contact.name if contact else "") or ""
    if data.purpose == ConsentPurpose.TEAM_CONTACT and not recipient_name:
        recipient_name = str(current_app.config["CLINIC_NAME"])
    recipient_name = required_text(
        recipient_name, "recipient_name", _l("Say to whom the information may go."), NAME_MAX
    )
    patient_name = required_text(
        (data.patient_name or "").strip() or person.name,
        "patient_name",
        _l("The patient's name is part of the consent."),
        NAME_MAX,
    )
    disclosing = required_text(
        data.disclosing_party, "disclosing_party", _l("Say who may disclose."), NAME_MAX
    )
    information = required_text(
        data.information, "information", _l("Describe specifically what may be disclosed.")
    )
    purpose_text = required_text(data.purpose_text, "purpose_text", _l("Say what it is for."))
    revocation = required_text(
        data.revocation_text,
        "revocation_text",
        _l("Say how the person can revoke the consent."),
    )
    signed_name = required_text(
        data.signed_name, "signed_name", _l("The signature (the signed name) is missing."), NAME_MAX
    )
    expiry_event = (data.expiry_event or "").strip()
    if len(expiry_event) > TEXT_MAX:
        raise ConsentRefusalError("too_long_expiry_event", _l("This is too long."), "expiry_event")
    if data.expires_at is None and not expiry_event:
        raise ConsentRefusalError(
            "missing_expiry",
            _l("Give an expiry date or the event on which the consent ends."),
            "expires_at",
        )
    now = utcnow()
    starts_at = data.starts_at or now
    if data.expires_at is not None and data.expires_at <= starts_at:
        raise ConsentRefusalError(
            "ends_before_start", _l("The consent must end after it starts."), "expires_at"
        )
    signed_at = data.signed_at or now
    if signed_at > now:
        raise ConsentRefusalError(
            "signed_in_future", _l("The signature date cannot be in the future."), "signed_at"
        )
    if not data.explicit:
        raise ConsentRefusalError(
            "not_explicit",
            _l("The person must say explicitly that they consent (tick the box)."),
            "explicit",
        )
    recipient = recipient_name + (
        f" ({data.recipient_organisation.strip()})" if data.recipient_organisation.strip() else ""
    )
    cleaned = ConsentInput(
        **{
            **data.__dict__,
            "disclosing_party": disclosing,
            "information": information,
            "purpose_text": purpose_text,
            "revocation_text": revocation,
            "expiry_event": expiry_event,
        }
    )
    text = consent_text(person, cleaned, patient_name, recipient)
    consent = Consent(
        person_id=person.id,
        purpose=data.purpose,
        scope=data.scope,
        patient_name=patient_name,
        disclosing_party=disclosing,
        information=information,
        recipient_contact_id=contact.id if contact else None,
        recipient_name=recipient_name,
        recipient_organisation=data.recipient_organisation.strip()[:NAME_MAX] or None,
        purpose_text=purpose_text,
        revocation_text=revocation,
        starts_at=starts_at,
        expires_at=data.expires_at,
        expiry_event=expiry_event or None,
        signature_method=data.signature_method,
        signed_name=signed_name,
        signed_at=signed_at,
        given_via=data.given_via,
        explicit=True,
        text_version=CONSENT_TEXT_VERSION,
        text_shown=text,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        recorded_by_id=actor_id,
        recorded_at=now,
    )
    db.session.add(consent)
    record(
        AuditTag.CONSENT_RECORDED,
        target_type="person",
        target_id=person.id,
        actor_id=actor_id,
        detail={"purpose": data.purpose, "scope": data.scope, "version": CONSENT_TEXT_VERSION},
    )
    return consent


def end_consent(
    consent: Consent,
    kind: str,
    actor_id: int | None,
    *,
    channel: str | None = None,
    note: str | None = None,
) -> None:
    """Revoke a consent (the person asked) or end it because its expiry event happened.

    The row stays; only the ``ended_*`` columns are filled. Ending one that has already ended is
    refused (the first end stands). ``actor_id`` is None when the person withdrew it themselves
    (an aftercare stop from a message).
    """
    if kind not in ConsentEnd.codes():
        raise ConsentRefusalError("bad_end", _l("Choose how the consent ends."))
    if consent.ended_at is not None:
        raise ConsentRefusalError(
            "already_ended", _l("This consent has already been revoked or ended.")
        )
    if channel is not None and channel not in RequestChannel.codes():
        raise ConsentRefusalError("bad_channel", _l("Choose how the person asked."), "channel")
    text = (note or "").strip()
    if len(text) > TEXT_MAX:
        raise ConsentRefusalError("too_long_note", _l("The note is too long."), "note")
    consent.ended_at = utcnow()
    consent.end_kind = kind
    consent.ended_by_id = actor_id
    consent.end_channel = channel
    consent.end_note = text or None
    consent_ended.send(None, consent_id=consent.id, purpose=consent.purpose, actor_id=actor_id)
    record(
        AuditTag.CONSENT_REVOKED if kind == ConsentEnd.REVOKED else AuditTag.CONSENT_ENDED,
        target_type="person",
        target_id=consent.person_id,
        actor_id=actor_id,
        detail={"consent_id": consent.id, "purpose": consent.purpose},
    )


def consents_of(person_id: int) -> Sequence[Consent]:
    """Every consent of a person, newest first, ended ones included."""
    return db.session.scalars(
        select(Consent).where(Consent.person_id == person_id).order_by(Consent.id.desc())
    ).all()


def live_consents(person_id: int, at: datetime | None = None) -> list[Consent]:
    """The consents of a person that are live at ``at`` (now by default)."""
    moment = at or utcnow()
    return [consent for consent in consents_of(person_id) if consent.is_live(moment)]


@dataclass(frozen=True)
class MayTell:
    """One line of the "what may we tell whom today" panel: nothing clinical in it."""

    consent_id: int
    recipient: str
    relation: str | None
    purpose: str
    scope: str
    until: datetime | None
    until_event: str | None


def may_tell_today(person_id: int) -> list[MayTell]:
    """Whom staff may tell what today, from the live consents (most telling first)."""
    rows = [
        MayTell(
            consent_id=consent.id,
            recipient=consent.recipient_name
            + (f" ({consent.recipient_organisation})" if consent.recipient_organisation else ""),
            relation=consent.recipient_contact.relation if consent.recipient_contact else None,
            purpose=consent.purpose,
            scope=consent.scope,
            until=consent.expires_at,
            until_event=consent.expiry_event,
        )
        for consent in live_consents(person_id)
    ]
    return sorted(rows, key=lambda row: -ConsentScope(row.scope).rank)


def state_of(consent: Consent) -> ConsentState:
    return consent.state()
