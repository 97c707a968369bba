"""What clinicians do, one transaction each: each function calls the services and commits.

A refusal rolls back whatever the request had pending and is raised again for the view to
show; nothing of it is stored, except that a failed signature is audited (in a transaction of
its own, after the rollback), since someone tried to sign as a clinician.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from intake.audit.services import record as audit
from intake.audit.tags import AuditTag
from intake.auth.models import User
from intake.clinical import services
from intake.clinical.errors import ClinicalRefusalError, SignatureRefusedError, SignedRecordError
from intake.clinical.models import Addendum, Assessment, ClinicalNote
from intake.core.units import Translation, committing, run_unit
from intake.crm.errors import CrmRefusalError
from intake.crm.models import Episode
from intake.extensions import db

T = TypeVar("T")


def _changed_meanwhile() -> ClinicalRefusalError:
    return ClinicalRefusalError(
        "changed_meanwhile", _l("Someone else changed this just now. Reload the page.")
    )


def _changed_or_signed() -> SignedRecordError:
    # The database's own guard refused: a signed record's trigger, or another save of the
    # same draft that took this version number first.
    return SignedRecordError(
        "changed_or_signed",
        _l("This record was signed or changed meanwhile; nothing was saved. Reload it."),
    )


_REFUSALS = (ClinicalRefusalError, CrmRefusalError)
_TRANSLATIONS: list[Translation] = [
    (StaleDataError, _changed_meanwhile),
    (IntegrityError, _changed_or_signed),
]


def _run(action: Callable[[], T]) -> T:
    return run_unit(action, _REFUSALS, _TRANSLATIONS)


def _signature_failed(record_id: int | None, kind: str) -> None:
    audit(AuditTag.CLINICAL_SIGNATURE_FAILED, target_type=kind, target_id=record_id)
    db.session.commit()


# A review decision moves or closes the episode: one service, the same arguments.
decide = committing(_REFUSALS, _TRANSLATIONS)(services.decide)


def start_note(episode: Episode, actor_id: int, body: str | None) -> ClinicalNote:
    """Draft a note. Commits."""
    return _run(lambda: services.start_note(episode, actor_id, body))


def start_assessment(episode: Episode, actor_id: int, raw: Mapping[str, Any]) -> Assessment:
    """Draft an assessment. Commits."""
    return _run(lambda: services.start_assessment(episode, actor_id, raw))


def _locked(record_id: int) -> Any:
    record = services.locked(record_id)
    if record is None:
        raise ClinicalRefusalError(
            "no_such_record", _l("There is no such note or assessment."), status_code=404
        )
    return record


def save_draft(record_id: int, actor_id: int, raw: Mapping[str, Any]) -> None:
    """Save a draft again. Commits; refused (nothing changed) once signed."""
    _run(lambda: services.save_draft(_locked(record_id), actor_id, raw))


def sign(record_id: int, signer: User, secret: str | None) -> str:
    """Sign a draft. Commits; a wrong password or code is refused and audited."""
    try:
        return _run(lambda: services.sign(_locked(record_id), signer, secret))
    except SignatureRefusedError:
        _signature_failed(record_id, "record")
        raise


def add_addendum(
    record_id: int, author: User, reason: str | None, body: str | None, secret: str | None
) -> Addendum:
    """Correct a signed record with an addendum. Commits."""
    try:
        return _run(
            lambda: services.add_addendum(services.locked(record_id), author, reason, body, secret)
        )
    except SignatureRefusedError:
        _signature_failed(record_id, "record")
        raise


def note_tampering(record_id: int, kind: str) -> None:
    """Audit that a signed record no longer matches its hash (seen when it was shown). Commits."""
    audit(AuditTag.CLINICAL_RECORD_CHANGED_SINCE_SIGNING, target_type=kind, target_id=record_id)
    db.session.commit()
