"""Signatures of clinical records: the signer proves it is them, and the content is hashed.

The hash is SHA-256 over the RFC 8785 canonical JSON (JCS, the ``rfc8785`` package) of what was
signed: the record's kind, ids, signer, time and content. Canonical, so the same content always
gives the same bytes whatever the key order; checked every time the record is shown, so a
change made behind the application's back (in the database, with the key) is shown as
"changed since signing".

Signing asks for the password again, or a current TOTP code when the signer has two-factor
sign-in (a code is used once: the same time step is refused a second time).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pyotp
import rfc8785

from intake.core.types import utcnow
from intake.security.passwords import verify_password
from intake.vocabulary import SignMethod

if TYPE_CHECKING:
    from intake.auth.models import User
    from intake.clinical.models import Addendum, ClinicalRecord

SECRET_MAX = 200


def content_hash(document: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``document``."""
    return hashlib.sha256(rfc8785.dumps(document)).hexdigest()


def _when(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat(timespec="microseconds")


def signed_document(record: ClinicalRecord) -> dict[str, Any]:
    """What a record's signature covers."""
    return {
        "kind": record.kind,
        "record_id": record.id,
        "episode_id": record.episode_id,
        "person_id": record.person_id,
        "author_id": record.author_id,
        "signed_by_id": record.signed_by_id,
        "signed_at": _when(record.signed_at),
        "content": record.content,
    }


def addendum_document(addendum: Addendum) -> dict[str, Any]:
    """What an addendum's signature covers."""
    return {
        "record_id": addendum.record_id,
        "author_id": addendum.author_id,
        "created_at": _when(addendum.created_at),
        "reason": addendum.reason,
        "body": addendum.body,
    }


def record_intact(record: ClinicalRecord) -> bool:
    """Whether a signed record still hashes to what was stored at signing (True for drafts)."""
    if record.content_hash is None:
        return record.signed_at is None
    return hmac.compare_digest(record.content_hash, content_hash(signed_document(record)))


def addendum_intact(addendum: Addendum) -> bool:
    return hmac.compare_digest(addendum.content_hash, content_hash(addendum_document(addendum)))


def _totp_step(user: User, code: str) -> int | None:
    secret = user.totp_secret
    if not secret or not user.two_factor_enabled:
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow()
    for drift in (-1, 0, 1):
        at = now + timedelta(seconds=drift * totp.interval)
        if hmac.compare_digest(totp.at(at), code):
            step = int(at.timestamp()) // totp.interval
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return None
            return step
    return None


def confirm_signer(user: User, secret: str | None) -> SignMethod | None:
    """How ``user`` proved it is them (their password, or a current TOTP code), or None.

    A TOTP code accepted here is spent (``totp_last_step``), as at sign-in.
    """
    secret = (secret or "")[:SECRET_MAX]
    if not secret:
        return None
    code = "".join(secret.split())
    if code.isascii() and code.isdigit() and len(code) == 6:
        step = _totp_step(user, code)
        if step is not None:
            user.totp_last_step = step
            return SignMethod.TOTP
    if verify_password(user.password_hash, secret):
        return SignMethod.PASSWORD
    return None
