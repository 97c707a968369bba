"""The front door's own small pieces of accepting an inquiry: references, submission keys, the
reason codes of a submission that looked automated, and finding a stored submission.

The transaction that stores an inquiry with everything it causes is a use case above the domains:
:mod:`intake.usecases.accept_inquiry`. Nothing here commits.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Integer, Table, bindparam, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from intake.core.first_write import OUTSIDE_TRANSACTION
from intake.extensions import db

if TYPE_CHECKING:
    from intake.core.batch import InsertBatch
from intake.public.models import Inquiry

# No 0/O, 1/I/L: a reference may be read out over the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

# Why a form submission looked automated. It is stored and answered all the same, but held out
# of the queue until staff release it (see intake.triage.quarantine).
TOO_FAST = "too_fast"
HONEYPOT = "honeypot"
TOKEN_INVALID = "token_invalid"  # noqa: S105  (a reason code, not a secret)
TOKEN_REUSED = "token_reused"  # noqa: S105
AUTOMATION_REASONS = (TOO_FAST, HONEYPOT, TOKEN_INVALID, TOKEN_REUSED)


@dataclass(frozen=True)
class StoredInquiry:
    """What the intake path needs of a stored inquiry: its id and the reference the person sees."""

    id: int
    reference: str


class SubmissionConflictError(RuntimeError):
    """A submission key (form token or Idempotency-Key) already stored another body."""


def new_reference() -> str:
    """A random reference like ``K7QX-M2PD-9H``: about 55 bits, and it says nothing."""
    # One draw below 31**10, read as ten base-31 digits: as uniform as ten secrets.choice
    # calls, at a tenth of the Python calls (this runs on every inquiry).
    number = secrets.randbelow(_REFERENCE_SPACE)
    digits = []
    for _ in range(10):
        number, digit = divmod(number, _BASE)
        digits.append(REFERENCE_ALPHABET[digit])
    chars = "".join(digits)
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


_BASE = len(REFERENCE_ALPHABET)
_REFERENCE_SPACE = _BASE**10


def submission_key_for(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def body_hash(payload: Any) -> str:
    """SHA-256 of the canonical JSON of a request body: key order and spacing do not count."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def find_submission(submission_key: str | None, payload_hash: str | None) -> StoredInquiry | None:
    """The inquiry already stored under ``submission_key``, if any.

    The same key with another body raises :class:`SubmissionConflictError`: it is a different
    submission, never an echo of the stored one.
    """
    if submission_key is None:
        return None
    row = db.session.execute(
        select(Inquiry.id, Inquiry.reference, Inquiry.submission_body_hash)
        .where(Inquiry.submission_key == submission_key)
        .execution_options(**{OUTSIDE_TRANSACTION: True})  # a read (intake.core.first_write)
    ).one_or_none()
    if row is None:
        return None
    known = row.submission_body_hash
    # Rows stored before bodies were hashed have no hash: the key alone decides for them.
    if payload_hash is not None and known is not None and known != payload_hash:
        raise SubmissionConflictError("submission key reused with another body")
    return StoredInquiry(int(row.id), str(row.reference))


def find_by_reference(reference: str) -> Inquiry | None:
    if not reference or len(reference) > 20:
        return None
    return db.session.scalar(select(Inquiry).where(Inquiry.reference == reference))


def insert_inquiry(**values: Any) -> StoredInquiry:
    """Insert one inquiry (the columns of :class:`Inquiry` as keywords) and return its id.

    One statement with ``RETURNING``; encrypted columns are encrypted by their types as usual.
    """
    inquiry_id = db.session.execute(_INSERT_INQUIRY, values).scalar_one()
    return StoredInquiry(int(inquiry_id), str(values["reference"]))


def add_inquiry_to_batch(batch: InsertBatch, **values: Any) -> StoredInquiry:
    """:func:`insert_inquiry` as a row of the use case's ``batch`` on PostgreSQL, with its id
    taken beforehand from the process's block of the table's sequence (see
    :class:`_InquiryIds`): the rows that name the inquiry (the audit rows' MACs among them) know
    its id before anything is written, and the inquiry is written in the batch's one statement.
    Elsewhere it is inserted at once, as :func:`insert_inquiry` does.

    The caller writes the batch before anything flushed by the unit of work refers to the
    inquiry (rows that name it and are added to the session wait for the commit's flush).
    """
    session = db.session()
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return insert_inquiry(**values)
    inquiry_id = _inquiry_ids.take(session, bind.engine)
    # One JSON parameter, not nineteen: the batch stays within psycopg's cache of parsed
    # statements (see intake.core.batch).
    batch.add(_INQUIRIES, {"id": inquiry_id, **values}, as_record=True)
    return StoredInquiry(inquiry_id, str(values["reference"]))


def forget_inquiry_ids() -> None:
    """Drop this process's blocks of inquiry ids (after a failed write: an id of a block can
    only be taken by someone else if the sequence was moved under it, as ``flask seed-demo``
    does when it writes rows with ids of its own; the next block comes from the sequence)."""
    _inquiry_ids.forget()


class _InquiryIds:
    """Inquiry ids taken from the table's own sequence a block at a time, per process and
    database: one round trip per ``BLOCK`` inquiries instead of one per inquiry (``nextval`` is
    never rolled back, so an id is never given twice; an unused rest of a block is a gap, as a
    rolled-back insert leaves one). Ids are unique, not in the order of receipt across
    processes: what lists inquiries orders them by ``received_at`` (the id only breaks ties)."""

    BLOCK = 32

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = 0
        # Per engine (one database each), forgotten with it.
        self._blocks: weakref.WeakKeyDictionary[Engine, list[int]] = weakref.WeakKeyDictionary()

    def take(self, session: Session, database: Engine) -> int:
        with self._lock:
            if self._pid != os.getpid():  # a forked worker never reuses its parent's block
                self._pid, self._blocks = os.getpid(), weakref.WeakKeyDictionary()
            ids = self._blocks.get(database)
            if not ids:
                rows = session.execute(_NEXT_IDS, {"count": self.BLOCK}).scalars().all()
                ids = self._blocks[database] = sorted((int(v) for v in rows), reverse=True)
            return ids.pop()

    def forget(self) -> None:
        with self._lock:
            self._blocks = weakref.WeakKeyDictionary()


_INQUIRIES = cast(Table, Inquiry.__table__)
_inquiry_ids = _InquiryIds()
_NEXT_IDS = (
    select(func.nextval(func.pg_get_serial_sequence("inquiries", "id")))
    .select_from(func.generate_series(1, bindparam("count", type_=Integer)))
    # nextval is never rolled back: no need to begin the use case's transaction for it.
    .execution_options(**{OUTSIDE_TRANSACTION: True})
)
# Built once; the columns come from the parameters, so SQLAlchemy compiles it once.
_INSERT_INQUIRY = insert(_INQUIRIES).returning(_INQUIRIES.c.id)
