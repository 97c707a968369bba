"""The clinical package's units of work: the review queue, review decisions, drafting and
signing notes and assessments, and addenda.

Nothing here commits (:mod:`intake.clinical.use_cases` does). Every refusal raises a
:class:`~intake.clinical.errors.ClinicalRefusalError` before anything is changed. Stage moves and
closes go through the CRM's own services (:mod:`intake.crm.episodes`), so the pipeline table
decides what is allowed and the episode keeps its history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from intake.audit.services import record as audit
from intake.audit.tags import AuditTag
from intake.auth.models import User
from intake.clinical import rules, signing
from intake.clinical.errors import (
    ClinicalRefusalError,
    InvalidContentError,
    SignatureRefusedError,
    SignedRecordError,
)
from intake.clinical.level_of_care import LevelTable, load_table
from intake.clinical.models import (
    Addendum,
    Assessment,
    ClinicalNote,
    ClinicalRecord,
    RecordVersion,
    ReviewDecisionRecord,
)
from intake.core.types import utcnow
from intake.crm import episodes as crm_episodes
from intake.crm.models import Episode, EpisodeInquiry, Person
from intake.extensions import db
from intake.public.models import Inquiry
from intake.triage.models import TriageCase
from intake.vocabulary import EpisodeCloseReason, RecordStatus, ReviewDecision, Stage

NOTE_MAX = 20_000
REASON_MAX = 2000
REVIEW_STAGES = (Stage.PRE_ASSESSMENT, Stage.CLINICAL_REVIEW)

R = TypeVar("R", bound=ClinicalRecord)


def level_table() -> LevelTable:
    """The clinic's level-of-care table (loaded and checked at start by ``init_app``)."""
    table = current_app.extensions.get("clinical.level_table")
    if isinstance(table, LevelTable):
        return table
    return load_table(current_app.config.get("LEVEL_OF_CARE_FILE"))


# The review queue --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    episode: Episode
    person: Person
    priority: str | None
    reference: str


def review_queue(limit: int = 200) -> list[QueueRow]:
    """Open episodes in pre-assessment or clinical review: most urgent priority first (the most
    urgent of the episode's inquiries), then the one waiting longest at its stage."""
    best = (
        select(
            EpisodeInquiry.episode_id.label("episode_id"),
            func.min(TriageCase.priority).label("priority"),
            func.min(Inquiry.reference).label("reference"),
        )
        .join(Inquiry, Inquiry.id == EpisodeInquiry.inquiry_id)
        .outerjoin(TriageCase, TriageCase.inquiry_id == EpisodeInquiry.inquiry_id)
        .group_by(EpisodeInquiry.episode_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Episode, Person, best.c.priority, best.c.reference)
        .join(Person, Person.id == Episode.person_id)
        .outerjoin(best, best.c.episode_id == Episode.id)
        .where(
            Episode.closed_at.is_(None),
            Episode.stage.in_([stage.value for stage in REVIEW_STAGES]),
        )
        .order_by(best.c.priority.is_(None), best.c.priority, Episode.stage_entered_at, Episode.id)
        .limit(limit)
    ).all()
    return [QueueRow(e, p, priority, reference or "") for e, p, priority, reference in rows]


def decisions_of(episode: Episode) -> list[ReviewDecisionRecord]:
    return list(
        db.session.scalars(
            select(ReviewDecisionRecord)
            .where(ReviewDecisionRecord.episode_id == episode.id)
            .order_by(ReviewDecisionRecord.decided_at, ReviewDecisionRecord.id)
        )
    )


def decide(
    episode: Episode,
    decision: str,
    actor_id: int,
    *,
    reason: str | None = None,
    referred_to: str | None = None,
    referral_note: str | None = None,
) -> ReviewDecisionRecord:
    """Record a clinician's review decision and move the episode accordingly.

    Proceed: an episode at pre-assessment moves to clinical review (where it is assessed); one
    already there stays. Not appropriate: the episode closes as "not appropriate", the clinical
    reason kept here (encrypted, clinicians only). Refer: it closes as "referred elsewhere" with
    the referral. Raises a refusal (nothing changed) for an unknown decision, a missing reason or
    referral, or an episode not awaiting review.
    """
    try:
        chosen = ReviewDecision(decision)
    except ValueError:
        raise ClinicalRefusalError(
            "unknown_decision", _l("Choose a decision."), status_code=422
        ) from None
    if episode.closed_at is not None or episode.stage not in REVIEW_STAGES:
        raise ClinicalRefusalError(
            "not_in_review", _l("This episode is not waiting for a clinical review.")
        )
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ClinicalRefusalError(
            "reason_too_long", _l("The reason is too long."), status_code=422
        )
    if chosen is ReviewDecision.NOT_APPROPRIATE and not reason:
        raise ClinicalRefusalError(
            "reason_missing", _l("Say why this is not appropriate."), status_code=422
        )
    if chosen is ReviewDecision.PROCEED and episode.stage == Stage.PRE_ASSESSMENT:
        crm_episodes.move_episode(episode, Stage.CLINICAL_REVIEW, actor_id)
    elif chosen is ReviewDecision.NOT_APPROPRIATE:
        crm_episodes.close_episode(episode, EpisodeCloseReason.NOT_APPROPRIATE, actor_id)
    elif chosen is ReviewDecision.REFER:
        if not (referred_to or "").strip():
            raise ClinicalRefusalError(
                "referral_missing", _l("Say to whom the person is referred."), status_code=422
            )
        crm_episodes.close_episode(
            episode,
            EpisodeCloseReason.REFERRED_ELSEWHERE,
            actor_id,
            referred_to=referred_to,
            referral_note=referral_note,
        )
    row = ReviewDecisionRecord(
        episode_id=episode.id,
        decision=chosen.value,
        reason=reason or None,
        decided_by_id=actor_id,
        decided_at=utcnow(),
    )
    db.session.add(row)
    audit(
        AuditTag.CLINICAL_REVIEW_DECIDED,
        target_type="episode",
        target_id=episode.id,
        actor_id=actor_id,
        detail={"decision": chosen.value},
    )
    return row


# Records -----------------------------------------------------------------------------------


def records_of(episode: Episode) -> list[ClinicalRecord]:
    """The episode's notes and assessments, newest first."""
    return list(
        db.session.scalars(
            select(ClinicalRecord)
            .where(ClinicalRecord.episode_id == episode.id)
            .order_by(ClinicalRecord.created_at.desc(), ClinicalRecord.id.desc())
        )
    )


def signed_records_of(person_id: int) -> list[ClinicalRecord]:
    """The person's signed notes and assessments across all their episodes, in the order they
    were signed, their addenda loaded. Drafts are never among them."""
    return list(
        db.session.scalars(
            select(ClinicalRecord)
            .where(
                ClinicalRecord.person_id == person_id,
                ClinicalRecord.status == RecordStatus.SIGNED.value,
            )
            .options(selectinload(ClinicalRecord.addenda))
            .order_by(ClinicalRecord.signed_at, ClinicalRecord.id)
        )
    )


def locked(record_id: int) -> ClinicalRecord | None:
    """The record, locked against a simultaneous save or signature (FOR UPDATE on PostgreSQL;
    SQLite's writers take turns already)."""
    return db.session.scalars(
        select(ClinicalRecord)
        .where(ClinicalRecord.id == record_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def _version(record: ClinicalRecord, actor_id: int, *, signed: bool = False) -> RecordVersion:
    version = RecordVersion(
        record=record,
        number=record.revision,
        content=record.content,
        content_hash=signing.content_hash(record.content),
        saved_at=utcnow(),
        saved_by_id=actor_id,
        signed=signed,
    )
    db.session.add(version)
    return version


def _refuse_if_signed(record: ClinicalRecord) -> None:
    if record.status != RecordStatus.DRAFT:
        raise SignedRecordError(
            "signed",
            _l("This record is signed and cannot be changed. Add an addendum to correct it."),
        )


def _note_content(body: str | None) -> dict[str, Any]:
    text = (body or "").strip()
    if not text:
        raise InvalidContentError(_l("Write the note first."), [("body", rules.REQUIRED)])
    if len(text) > NOTE_MAX:
        raise InvalidContentError(_l("The note is too long."), [("body", rules.TOO_LONG)])
    return {"body": text}


def _assessment_content(raw: Mapping[str, Any]) -> dict[str, Any]:
    checked = rules.check_assessment(raw, level_table())
    if not checked.ok:
        raise InvalidContentError(
            _l("Some answers are out of range or not on the list; nothing was saved."),
            checked.problems,
        )
    return checked.content


def _audit_record(tag: AuditTag, record: ClinicalRecord, actor_id: int, **detail: object) -> None:
    """Audit what was done to a note or an assessment, naming its episode. ``target`` fills the
    id in at commit for a record added in this transaction."""
    audit(
        tag,
        target_type=record.kind,
        target_id=record.id,
        target=record,
        actor_id=actor_id,
        detail={"episode": record.episode_id, **detail},
    )


def _start(record: R, episode: Episode, actor_id: int) -> R:
    if episode.closed_at is not None:
        raise ClinicalRefusalError("episode_closed", _l("This episode is closed."))
    now = utcnow()
    record.episode_id = episode.id
    record.person_id = episode.person_id
    record.author_id = actor_id
    record.status = RecordStatus.DRAFT.value
    record.revision = 1
    record.created_at = record.updated_at = now
    db.session.add(record)
    _version(record, actor_id)
    _audit_record(AuditTag.CLINICAL_RECORD_DRAFTED, record, actor_id, revision=1)
    return record


def start_note(episode: Episode, actor_id: int, body: str | None) -> ClinicalNote:
    """A new draft note on an episode (its first version kept)."""
    return _start(ClinicalNote(content=_note_content(body)), episode, actor_id)


def start_assessment(episode: Episode, actor_id: int, raw: Mapping[str, Any]) -> Assessment:
    """A new draft assessment on an episode; scores and the level suggestion computed."""
    content = _assessment_content(raw)
    return _start(Assessment(content=content), episode, actor_id)


def save_draft(record: ClinicalRecord, actor_id: int, raw: Mapping[str, Any]) -> None:
    """Save a draft again (a new version; the earlier ones stay). Refused once signed."""
    _refuse_if_signed(record)
    if isinstance(record, ClinicalNote):
        content = _note_content(raw.get("body"))
    else:
        content = _assessment_content(raw)
    record.content = content
    record.revision += 1
    record.updated_at = utcnow()
    _version(record, actor_id)
    _audit_record(AuditTag.CLINICAL_RECORD_DRAFTED, record, actor_id, revision=record.revision)


def sign(record: ClinicalRecord, signer: User, secret: str | None) -> str:
    """Sign a draft: the signer proves it is them (password or TOTP), the content hash is stored,
    the signed version kept. A second signature is refused, even one racing this one (the update
    is conditional on the record still being a draft). Returns the hash."""
    _refuse_if_signed(record)
    if isinstance(record, Assessment):
        problems = rules.sign_problems(record.content)
        if problems:
            raise InvalidContentError(
                _l("The assessment is not complete enough to sign; nothing was signed."), problems
            )
    method = signing.confirm_signer(signer, secret)
    if method is None:
        raise SignatureRefusedError(
            "signature_refused", _l("That password or code is not right; nothing was signed.")
        )
    signed_at = utcnow().replace(microsecond=0)
    record.signed_at = signed_at
    record.signed_by_id = signer.id
    digest = signing.content_hash(signing.signed_document(record))
    # The ORM's own UPDATE would not say whether another request signed first; a conditional
    # update on the table does (its row count).
    table = ClinicalRecord.__table__
    result = db.session.execute(
        update(table)  # type: ignore[arg-type]
        .where(table.c.id == record.id, table.c.status == RecordStatus.DRAFT.value)
        .values(
            status=RecordStatus.SIGNED.value,
            signed_at=signed_at,
            signed_by_id=signer.id,
            sign_method=method.value,
            content_hash=digest,
            revision=record.revision + 1,
            updated_at=signed_at,
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise SignedRecordError("signed", _l("This record has already been signed."))
    record.status = RecordStatus.SIGNED.value
    record.sign_method = method.value
    record.content_hash = digest
    record.revision += 1
    record.updated_at = signed_at
    _version(record, signer.id, signed=True)
    _audit_record(AuditTag.CLINICAL_RECORD_SIGNED, record, signer.id, method=method.value)
    return digest


def add_addendum(
    record: ClinicalRecord | None,
    author: User,
    reason: str | None,
    body: str | None,
    secret: str | None,
) -> Addendum:
    """Correct a signed record with a signed addendum: who, when, why and what."""
    if record is None:
        raise ClinicalRefusalError(
            "no_such_record", _l("There is no such note or assessment."), status_code=404
        )
    if record.status != RecordStatus.SIGNED:
        raise ClinicalRefusalError(
            "not_signed", _l("A draft is corrected by editing it; addenda are for signed records.")
        )
    reason = (reason or "").strip()
    body = (body or "").strip()
    if not reason or not body:
        raise InvalidContentError(
            _l("Say why, and what the correction is."),
            [
                (name, rules.REQUIRED)
                for name, value in (("reason", reason), ("body", body))
                if not value
            ],
        )
    if len(reason) > REASON_MAX or len(body) > NOTE_MAX:
        raise InvalidContentError(_l("This is too long."), [("body", rules.TOO_LONG)])
    method = signing.confirm_signer(author, secret)
    if method is None:
        raise SignatureRefusedError(
            "signature_refused", _l("That password or code is not right; nothing was added.")
        )
    addendum = Addendum(
        record_id=record.id,
        author_id=author.id,
        created_at=utcnow().replace(microsecond=0),
        reason=reason,
        body=body,
        sign_method=method.value,
        content_hash="",
    )
    addendum.content_hash = signing.content_hash(signing.addendum_document(addendum))
    db.session.add(addendum)
    _audit_record(AuditTag.CLINICAL_ADDENDUM_ADDED, record, author.id, method=method.value)
    return addendum
