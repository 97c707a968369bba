"""API keys for the clinic's other websites: issued once, stored hashed, revocable.

A key reads ``hik_<prefix>_<secret>``. The prefix finds the row; only a SHA-256 of the secret is
stored (the secret is 256 random bits, so a slow hash adds nothing), compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.types import utcnow
from intake.extensions import db
from intake.public.models import ApiKey

KEY_PREFIX = "hik"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(source: str, created_by_id: int | None = None) -> tuple[ApiKey, str]:
    """Add a key for ``source``; return the row and the full key, which is never shown again."""
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
    record(
        AuditTag.API_KEY_CREATED,
        actor_id=created_by_id,
        target_type="api_key",
        target_id=key.id,
        detail={"prefix": prefix},
    )
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


def revoke_api_key(key: ApiKey, revoked_by_id: int | None = None) -> None:
    if key.revoked_at is not None:
        return
    key.revoked_at = utcnow()
    record(
        AuditTag.API_KEY_REVOKED,
        actor_id=revoked_by_id,
        target_type="api_key",
        target_id=key.id,
        detail={"prefix": key.prefix},
    )


def issue_api_key(source: str, created_by_id: int) -> tuple[ApiKey, str]:
    """An administrator's new key for ``source`` (see :func:`create_api_key`). Commits."""
    key, plaintext = create_api_key(source, created_by_id=created_by_id)
    db.session.commit()
    return key, plaintext


def withdraw_api_key(key: ApiKey, revoked_by_id: int) -> None:
    """An administrator revokes ``key`` (see :func:`revoke_api_key`). Commits."""
    revoke_api_key(key, revoked_by_id=revoked_by_id)
    db.session.commit()


def find_by_prefix(prefix: str) -> ApiKey | None:
    return db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix.strip()))


def list_api_keys() -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc())).all())
