"""What staff do with consents, disclosures and break-glass, one transaction each.

Each function calls the services and commits. A refusal rolls back whatever the request had
pending and is raised again for the view to show; a refused disclosure leaves one audit row
(what was refused and why, by code), nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from intake.audit.services import record_refusal
from intake.audit.tags import AuditTag
from intake.auth.models import User
from intake.clinical import break_glass, consents, disclosures
from intake.clinical.consent_models import BreakGlassGrant, Consent, Disclosure
from intake.clinical.consents import ConsentInput, ConsentRefusalError
from intake.clinical.disclosures import DisclosureInput, DisclosureRefusedError
from intake.core.units import run_unit
from intake.crm.models import Person

T = TypeVar("T")


def _run(action: Callable[[], T]) -> T:
    return run_unit(action, (ConsentRefusalError,))


def record_consent(person: Person, data: ConsentInput, actor_id: int) -> Consent:
    """Record a consent with all its elements. Commits."""
    return _run(lambda: consents.record_consent(person, data, actor_id))


def end_consent(
    consent: Consent, kind: str, actor_id: int, channel: str | None, note: str | None
) -> None:
    """Revoke a consent, or record that its expiry event happened. Commits."""
    _run(lambda: consents.end_consent(consent, kind, actor_id, channel=channel, note=note))


def record_disclosure(person: Person, data: DisclosureInput, actor_id: int) -> Disclosure:
    """Record a disclosure that a live consent covers, or an emergency one. Commits.

    A refusal is audited on its own (the refusal's code, the person's id), then raised.
    """
    try:
        return _run(lambda: disclosures.record_disclosure(person, data, actor_id))
    except DisclosureRefusedError as refused:
        record_refusal(
            AuditTag.DISCLOSURE_REFUSED,
            detail={"person_id": person.id, "code": refused.code, "channel": data.channel},
        )
        raise


def request_break_glass(user: User, person: Person, reason: str | None) -> BreakGlassGrant:
    """Grant emergency access with its audit row and the clinical lead's alert. Commits."""
    return _run(lambda: break_glass.request_grant(user, person, reason))


def end_break_glass(grant: BreakGlassGrant, user_id: int) -> None:
    """Close one's own grant early. Commits."""
    _run(lambda: break_glass.end_grant(grant, user_id))


def review_break_glass(grant: BreakGlassGrant, reviewer_id: int, note: str | None) -> None:
    """Mark a use of break-glass reviewed. Commits."""
    _run(lambda: break_glass.review_grant(grant, reviewer_id, note))
