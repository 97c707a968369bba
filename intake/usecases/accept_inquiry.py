"""Accepting an inquiry. This use case owns the transaction: it commits once, and nothing below it
commits.

One transaction stores the person (``crm``), the inquiry as given (``public``), its triage result
and case (``triage``), the outbox rows for the staff alert and the acknowledgement
(``messaging``), the quarantine row of a suspected automated submission, and the audit rows. If
anything fails, nothing is stored; if it commits, everything it must cause is in the database and
the relay delivers it whatever Redis or a worker is doing.

The public pages and the API call :func:`accept_inquiry` or :func:`accept_form_inquiry`, and read
what they show of the triage result through :func:`triage_of`; they import no staff domain. A
phone call or a visit that a staff member takes down goes the same way, through
:func:`accept_taken_inquiry`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from intake.audit.chain import add_recorded_to_batch, has_waiting_rows
from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.batch import InsertBatch
from intake.core.first_write import begin_at_first_write, nothing_to_flush
from intake.core.types import utcnow
from intake.crm.models import Person
from intake.crm.referrals import Origin
from intake.crm.services import PersonMatch, match_person, place_inquiry
from intake.extensions import db
from intake.messaging.outbox import OutboxKind, add_all_to_outbox, add_outbox_to_batch
from intake.public.api_keys import VerifiedKey, note_key_used
from intake.public.consent import CONSENT_VERSION, consent_text_in
from intake.public.models import InquiryQuarantine, QuarantineStatus
from intake.public.services import (
    AUTOMATION_REASONS,
    TOKEN_INVALID,
    TOKEN_REUSED,
    StoredInquiry,
    SubmissionConflictError,
    add_inquiry_to_batch,
    find_submission,
    forget_inquiry_ids,
    insert_inquiry,
    new_reference,
    submission_key_for,
)
from intake.public.validation import InquiryInput
from intake.triage.models import TriageResult
from intake.triage.rules import TriageOutcome, score
from intake.triage.services import current_result, record_first_outcome
from intake.vocabulary import (
    TAKEN_BY_STAFF_SOURCES,
    URGENT_PRIORITIES,
    ForWhom,
    InquirySource,
)


@dataclass(frozen=True)
class Triage:
    """What the public pages show of a triage result: its priority and its flag codes."""

    priority: str
    flag_codes: frozenset[str]

    @classmethod
    def of(cls, result: TriageResult) -> Triage:
        return cls(result.priority, frozenset(flag.code for flag in result.flags))


@dataclass(frozen=True)
class _Scored:
    outcome: TriageOutcome
    received_at: datetime


@dataclass(frozen=True)
class Accepted:
    inquiry: StoredInquiry
    triage: Triage
    duplicate: bool


def triage_of(inquiry_id: int) -> Triage | None:
    """The current triage result of an inquiry, as the public pages show it (None if unscored)."""
    result = current_result(inquiry_id)
    return Triage.of(result) if result is not None else None


def _existing(submission_key: str | None, payload_hash: str | None) -> Accepted | None:
    inquiry = find_submission(submission_key, payload_hash)
    if inquiry is None:
        return None
    triage = triage_of(inquiry.id)
    if triage is None:  # every inquiry is stored with its result, in one transaction
        raise RuntimeError("inquiry stored without a triage result")
    return Accepted(inquiry, triage, duplicate=True)


def accept_inquiry(
    data: InquiryInput,
    *,
    source: str,
    api_key: VerifiedKey | None = None,
    submission_key: str | None = None,
    payload_hash: str | None = None,
    automation_reasons: Sequence[str] = (),
    campaign: Mapping[str, str] | None = None,
    taken_by: int | None = None,
    acknowledge: bool = True,
    referrer_id: int | None = None,
) -> Accepted:
    """Store a validated inquiry with everything it causes, in one transaction, and commit.

    ``taken_by`` is the staff member who took it down (a call, a visit): the audit names them.
    ``acknowledge`` False sends no acknowledgement even to an email address. ``referrer_id``
    names who referred the person on the episode it opens or joins.

    The same ``submission_key`` (a one-time form token or an API idempotency key) with the same
    ``payload_hash`` stores one inquiry however often it is sent; later sends get the first one
    back. The same key with another body raises :class:`SubmissionConflictError` and stores
    nothing.

    With ``automation_reasons`` the inquiry is stored, scored and answered like any other, but
    marked ``suspected_automated`` and held in quarantine, out of the queue, until staff release
    or discard it. A P0 or P1 still alerts the on-call clinician at once; the acknowledgement
    email waits for the release, so a bot cannot make the clinic mail a stranger.

    Every request takes this path, so the rows are written with plain statements (ids come back
    with ``RETURNING``) rather than through the unit of work, and nothing is read back after the
    commit: the answer is built from what was written.
    """
    reasons = [code for code in AUTOMATION_REASONS if code in set(automation_reasons)]
    for attempt in (1, 2):
        try:
            # Reads before the first write run outside the transaction; usually the only write
            # is the batch, one statement that needs no BEGIN or COMMIT (on PostgreSQL).
            begin_at_first_write(db.session())
            existing = _existing(submission_key, payload_hash)
            if existing is not None:
                return existing
            # The rows of the inquiry's consequences that need nothing back (its episode link,
            # source, substances, outbox rows, triage result and case) go in one batch, written
            # in one statement on PostgreSQL, where the inquiry itself is a row of the batch
            # (its id known beforehand). So nothing may flush before the batch is written: rows
            # the unit of work holds that name the inquiry (a new episode's link, a sender's
            # contact, a quarantine row) wait for the commit's flush, after the batch.
            batch = InsertBatch()
            session = db.session()
            with session.no_autoflush:
                accepted, scored = _store(
                    data,
                    batch=batch,
                    source=source,
                    api_key=api_key,
                    submission_key=submission_key,
                    payload_hash=payload_hash,
                    reasons=reasons,
                    campaign=campaign or {},
                    taken_by=taken_by,
                    acknowledge=acknowledge,
                    referrer_id=referrer_id,
                )
                record_first_outcome(accepted.inquiry.id, scored.received_at, scored.outcome, batch)
                add_recorded_to_batch(session, batch)
                # The batch is the only write when the commit has nothing else to write.
                only_write = nothing_to_flush(session) and not has_waiting_rows(session)
                batch.write(session, only_write=only_write)
            session.commit()
            return accepted
        except IntegrityError:
            # Two copies of one submission raced; the other one won and is the answer.
            db.session.rollback()
            existing = _existing(submission_key, payload_hash)
            if existing is not None:
                return existing
            if attempt == 2:
                raise
            # Not a race: the inquiry's id (or its random reference) was taken. Once more, with
            # ids from the sequence again (see forget_inquiry_ids) and a new reference.
            forget_inquiry_ids()
        except Exception:
            # A refusal (a referrer deactivated since the form was shown) leaves nothing behind.
            db.session.rollback()
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _store(
    data: InquiryInput,
    *,
    batch: InsertBatch,
    source: str,
    api_key: VerifiedKey | None,
    submission_key: str | None,
    payload_hash: str | None,
    reasons: list[str],
    campaign: Mapping[str, str],
    taken_by: int | None = None,
    acknowledge: bool = True,
    referrer_id: int | None = None,
) -> tuple[Accepted, _Scored]:
    """Add the inquiry and everything it causes to the current transaction (no commit), except
    its triage result, which the caller adds; rows that need nothing back go in ``batch``,
    which the caller writes."""
    answers = data.as_answers()
    outcome = score(answers)
    priority = outcome.priority.value
    received_at = utcnow()
    # Who the inquiry is about (crm's matching rules); the person row exists before the inquiry.
    match = match_person(
        name=data.name,
        email=data.email,
        phone=data.phone,
        language=data.language,
        country=data.country,
    )
    inquiry = add_inquiry_to_batch(
        batch,
        reference=new_reference(),
        person_id=match.person_id,
        received_at=received_at,
        source=source[:80],
        api_key_id=api_key.id if api_key else None,
        language=data.language,
        country=data.country,
        for_whom=data.for_whom,
        preferred_channel=data.preferred_channel,
        safe_to_leave_message=data.safe_to_leave_message,
        message=data.message,
        best_time=data.best_time,
        answers=answers,
        consent_version=CONSENT_VERSION,
        consent_text=consent_text_in(data.language),
        submission_key=submission_key,
        submission_body_hash=payload_hash if submission_key else None,
        suspected_automated=bool(reasons),
    )
    # Sender contact, duplicate candidates, episode and its owner (crm), flushed at commit.
    origin = Origin(
        source, api_key.source if api_key else None, campaign, referrer_id, taken_by=taken_by
    )
    placement = place_inquiry(
        inquiry.id, received_at, data.for_whom, match, answers, origin, batch=batch
    )
    outbox: list[tuple[OutboxKind, str, int]] = []
    if priority in URGENT_PRIORITIES:
        outbox.append((OutboxKind.STAFF_ALERT, "inquiry", inquiry.id))
    if reasons:
        db.session.add(
            InquiryQuarantine(
                inquiry_id=inquiry.id,
                reasons=",".join(reasons),
                status=QuarantineStatus.HELD.value,
                held_at=received_at,
            )
        )
        record(
            AuditTag.INQUIRY_QUARANTINED,
            target_type="inquiry",
            target_id=inquiry.id,
            detail={"reasons": ",".join(reasons), "priority": priority},
        )
    elif data.email and acknowledge:
        outbox.append((OutboxKind.ACKNOWLEDGEMENT, "inquiry", inquiry.id))
    add_outbox_to_batch(batch, outbox)
    detail: dict[str, object] = {
        "source": source[:40],
        "new_person": placement.new_person,
        "priority": priority,
    }
    if taken_by is not None:
        detail.update(taken_by=taken_by, acknowledged=bool(data.email and acknowledge))
        if referrer_id is not None:
            detail["referrer"] = referrer_id
    record(
        AuditTag.INQUIRY_RECEIVED,
        target_type="inquiry",
        target_id=inquiry.id,
        actor_id=taken_by,
        detail=detail,
    )
    if api_key is not None:
        note_key_used(api_key)
    triage = Triage(priority, frozenset(flag.code for flag in outcome.flags))
    return Accepted(inquiry, triage, duplicate=False), _Scored(outcome, received_at)


def accept_form_inquiry(
    data: InquiryInput,
    *,
    payload_hash: str,
    token_nonce: str | None,
    session_secret: str,
    automation_reasons: Sequence[str] = (),
    campaign: Mapping[str, str] | None = None,
) -> Accepted:
    """Store an inquiry sent with the web form; never refuse it for how it was sent.

    A valid one-time token makes a double-click store one inquiry. Without a valid token (forged,
    expired, missing) the inquiry is still stored, marked, and a resend of the same answers in
    the same browser session finds it. A token that already carried other answers stores these
    as a new, marked inquiry rather than answering with someone else's reference.
    """
    reasons = list(automation_reasons)
    if token_nonce is None:
        return accept_inquiry(
            data,
            source=InquirySource.WEB_FORM,
            submission_key=submission_key_for(f"untokened:{session_secret}:{payload_hash}"),
            payload_hash=payload_hash,
            automation_reasons=[*reasons, TOKEN_INVALID],
            campaign=campaign,
        )
    try:
        return accept_inquiry(
            data,
            source=InquirySource.WEB_FORM,
            submission_key=submission_key_for(token_nonce),
            payload_hash=payload_hash,
            automation_reasons=reasons,
            campaign=campaign,
        )
    except SubmissionConflictError:
        return accept_inquiry(
            data,
            source=InquirySource.WEB_FORM,
            submission_key=submission_key_for(f"{token_nonce}:{payload_hash}"),
            payload_hash=payload_hash,
            automation_reasons=[*reasons, TOKEN_REUSED],
            campaign=campaign,
        )


def accept_taken_inquiry(
    data: InquiryInput,
    *,
    source: str,
    taken_by: int,
    form_key: str,
    payload_hash: str,
    acknowledge: bool,
    referrer_id: int | None = None,
) -> Accepted:
    """Store an inquiry a staff member took down (a phone call or a walk-in) the way every
    inquiry is stored: one transaction, scored, an episode opened or joined and owned, the P0/P1
    alert, the audit naming ``taken_by``.

    ``form_key`` is the form's one-time key: sending the same form twice stores one inquiry;
    the same key with other answers raises :class:`SubmissionConflictError`. The person is
    acknowledged by email only when ``acknowledge`` (the worker ticked it) and they gave one.
    """
    if source not in TAKEN_BY_STAFF_SOURCES:
        raise ValueError(f"not a source staff take inquiries under: {source}")
    return accept_inquiry(
        data,
        source=source,
        submission_key=submission_key_for(f"taken:{taken_by}:{form_key}"),
        payload_hash=payload_hash,
        taken_by=taken_by,
        acknowledge=acknowledge,
        referrer_id=referrer_id,
    )


def reenter_triage(
    person: Person,
    *,
    message: str,
    language: str,
    answers: dict[str, object],
    outcome: TriageOutcome,
    source: str = InquirySource.AFTERCARE_CHECKIN,
) -> StoredInquiry:
    """Put what a known person told us later (a worrying aftercare check-in reply) into the
    triage queue as an inquiry of theirs, in the caller's transaction (no commit).

    It takes the path every inquiry takes, so staff see it where they see the rest: scored by
    the caller with the same rules (``outcome``), its case and flags in the queue, an episode
    opened or joined for the same person (an alumni episode has ended, so a new one opens),
    and a P0/P1 alert for the on-call person. No acknowledgement goes out: the person is
    answered by the check-in page itself. Consent is the aftercare plan's, recorded at discharge.
    """
    received_at = utcnow()
    inquiry = insert_inquiry(
        reference=new_reference(),
        person_id=person.id,
        received_at=received_at,
        source=source[:80],
        api_key_id=None,
        language=language,
        country=person.country,
        for_whom=ForWhom.SELF.value,
        preferred_channel=None,
        safe_to_leave_message=False,
        message=message,
        best_time=None,
        answers=answers,
        consent_version=CONSENT_VERSION,
        consent_text=consent_text_in(language),
        submission_key=None,
        submission_body_hash=None,
        suspected_automated=False,
    )
    match = PersonMatch(person, created=False)
    place_inquiry(inquiry.id, received_at, ForWhom.SELF.value, match, answers)
    if outcome.priority in URGENT_PRIORITIES:
        add_all_to_outbox([(OutboxKind.STAFF_ALERT, "inquiry", inquiry.id)])
    record(
        AuditTag.INQUIRY_RECEIVED,
        target_type="inquiry",
        target_id=inquiry.id,
        detail={"source": source[:40], "new_person": False, "priority": outcome.priority.value},
    )
    record_first_outcome(inquiry.id, received_at, outcome)
    return inquiry
