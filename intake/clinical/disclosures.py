"""The disclosure log: every disclosure outside the clinic, checked before it is recorded.

A disclosure is recorded against a live consent of the same person whose scope covers what is
disclosed (its recipient and purpose are the consent's); without one it is refused, unless it is
a medical emergency (42 CFR Part 2 § 2.51), which records who received it and their facility,
who disclosed it, when, and the nature of the emergency. Everything this application prints or
sends carries the § 2.32 notice (``templates/consent/_redisclosure_notice.*``).

The accounting of disclosures lists a person's disclosures of the last three years, on screen
and as CSV; the CSV neutralises cells a spreadsheet would run as a formula.

Services add to the session and never commit (:mod:`intake.clinical.consent_use_cases` does).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.clinical.consent_models import Consent, Disclosure
from intake.clinical.consents import NAME_MAX, TEXT_MAX, ConsentRefusalError, required_text
from intake.core.types import utcnow
from intake.crm.models import Person
from intake.extensions import db
from intake.vocabulary import ConsentScope, DisclosureChannel

# How far back the accounting of disclosures goes (§ 2.24 and HIPAA ask for the last 3 years).
ACCOUNTING_DAYS = 3 * 365 + 1


class DisclosureRefusedError(ConsentRefusalError):
    """A disclosure with no covering consent and no emergency, or with a missing detail."""


@dataclass(frozen=True)
class DisclosureInput:
    """What staff said about one disclosure."""

    scope: str
    channel: str
    information: str
    consent_id: int | None = None
    emergency: bool = False
    recipient_name: str = ""
    recipient_facility: str = ""
    emergency_nature: str = ""


def _text(value: str | None, field: str, message: LazyString, limit: int = TEXT_MAX) -> str:
    return required_text(value, field, message, limit, refusal=DisclosureRefusedError)


def covering_consent(person: Person, consent_id: int | None, scope: str) -> Consent:
    """The consent that covers disclosing ``scope`` about ``person`` now, or a refusal saying
    why there is none (no consent chosen, another person's, revoked, expired, too narrow)."""
    if consent_id is None:
        raise DisclosureRefusedError(
            "no_consent",
            _l(
                "Nothing may leave the clinic without a live consent that covers it. Choose the "
                "consent, or record a medical emergency."
            ),
            "consent_id",
        )
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.person_id != person.id:
        raise DisclosureRefusedError(
            "unknown_consent", _l("That consent is not this person's."), "consent_id"
        )
    state = consent.state()
    if not consent.is_live():
        raise DisclosureRefusedError(
            f"consent_{state.value}",
            _l(
                "That consent is not live (it is %(state)s): nothing may be disclosed under it.",
                state=state.value,
            ),
            "consent_id",
        )
    if not consent.allows(scope):
        raise DisclosureRefusedError(
            "beyond_consent",
            _l("That consent does not cover this much information."),
            "scope",
        )
    return consent


def record_disclosure(person: Person, data: DisclosureInput, actor_id: int) -> Disclosure:
    """Check and add a disclosure; raise :class:`DisclosureRefusedError` (nothing added) when no
    live consent covers it and it is not a medical emergency with its § 2.51 details."""
    if data.scope not in ConsentScope.codes():
        raise DisclosureRefusedError("bad_scope", _l("Choose what was disclosed."), "scope")
    if data.channel not in DisclosureChannel.codes():
        raise DisclosureRefusedError("bad_channel", _l("Choose how it left the clinic."), "channel")
    information = _text(
        data.information, "information", _l("Describe what was disclosed."), TEXT_MAX
    )
    if data.emergency:
        disclosure = Disclosure(
            person_id=person.id,
            emergency=True,
            scope=data.scope,
            channel=data.channel,
            information=information,
            recipient_name=_text(
                data.recipient_name,
                "recipient_name",
                _l("An emergency disclosure records who received it."),
                NAME_MAX,
            ),
            recipient_facility=_text(
                data.recipient_facility,
                "recipient_facility",
                _l("An emergency disclosure records the recipient's facility."),
                NAME_MAX,
            ),
            emergency_nature=_text(
                data.emergency_nature,
                "emergency_nature",
                _l("An emergency disclosure records the nature of the emergency."),
            ),
        )
    else:
        consent = covering_consent(person, data.consent_id, data.scope)
        disclosure = Disclosure(
            person_id=person.id,
            consent_id=consent.id,
            emergency=False,
            purpose=consent.purpose,
            scope=data.scope,
            channel=data.channel,
            information=information,
            recipient_name=consent.recipient_name,
            recipient_facility=consent.recipient_organisation,
        )
    disclosure.disclosed_by_id = actor_id
    disclosure.disclosed_at = utcnow()
    disclosure.notice_included = True
    db.session.add(disclosure)
    record(
        AuditTag.DISCLOSURE_RECORDED,
        target_type="person",
        target_id=person.id,
        actor_id=actor_id,
        detail={
            "is_emergency": data.emergency,
            "scope": data.scope,
            "channel": data.channel,
            "consent_id": disclosure.consent_id,
        },
    )
    return disclosure


def accounting(person_id: int, now: datetime | None = None) -> Sequence[Disclosure]:
    """A person's disclosures of the last three years, newest first."""
    since = (now or utcnow()) - timedelta(days=ACCOUNTING_DAYS)
    return db.session.scalars(
        select(Disclosure)
        .where(Disclosure.person_id == person_id, Disclosure.disclosed_at >= since)
        .order_by(Disclosure.disclosed_at.desc(), Disclosure.id.desc())
    ).all()


# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: a leading formula character is quoted away."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def accounting_csv(rows: Iterable[Disclosure], names: dict[int, str]) -> str:
    """The accounting as CSV text (UTF-8, one disclosure per line), formula-guarded."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("Disclosed at (UTC)"),
            _("Recipient"),
            _("Facility or organisation"),
            _("Purpose"),
            _("What"),
            _("Description"),
            _("How"),
            _("Disclosed by"),
            _("Under"),
            _("Nature of the emergency"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                safe_cell(cell)
                for cell in (
                    row.disclosed_at.strftime("%Y-%m-%d %H:%M"),
                    row.recipient_name,
                    row.recipient_facility or "",
                    row.purpose or "",
                    row.scope,
                    row.information,
                    row.channel,
                    names.get(row.disclosed_by_id, ""),
                    _("medical emergency")
                    if row.emergency
                    else _("consent %(n)d", n=row.consent_id or 0),
                    row.emergency_nature or "",
                )
            ]
        )
    return buffer.getvalue()
