"""API keys for the clinic's other websites: issued once, stored hashed, revocable.

Each function does one unit of work and never commits; issuing and revoking with their audit
rows are use cases in :mod:`intake.usecases.api_keys`.

A key reads ``hik_<prefix>_<secret>``. The prefix finds the row; only a SHA-256 of the secret is
stored (the secret is 256 random bits, so a slow hash adds nothing), compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select

from intake.core.types import utcnow
from intake.extensions import db
from intake.public.models import ApiKey

KEY_PREFIX = "hik"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(source: str, created_by_id: int | None = None) -> tuple[ApiKey, str]:
    """Add a key for ``source`` to the session; return the row and the full key.

    The full key is never shown again. The caller audits and commits.
    """
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        source=source.strip()[:80],
        prefix=prefix,
        secret_hash=_hash(secret),
        created_by_id=created_by_id,
    )
    db.session.add(key)
    db.session.flush()
    return key, f"{KEY_PREFIX}_{prefix}_{secret}"


def authenticate(authorization: str | None) -> ApiKey | None:
    """The live key named by an ``Authorization: Bearer ...`` header, or None."""
    if not authorization or len(authorization) > 200:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    _, prefix, secret = parts
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
        return None
    if key.revoked_at is not None:
        return None
    return key


def revoke_api_key(key: ApiKey) -> bool:
    """Mark ``key`` revoked; False if it already was (its revocation time stays)."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    return True


def find_by_prefix(prefix: str) -> ApiKey | None:
    return db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix.strip()))


def list_api_keys() -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc())).all())
