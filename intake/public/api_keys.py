"""API keys for the clinic's other websites: issued once, stored hashed, revocable.

Each function does one unit of work and never commits; issuing and revoking with their audit
rows are use cases in :mod:`intake.usecases.api_keys`.

A key reads ``hik_<prefix>_<secret>``. The prefix finds the row; only a SHA-256 of the secret is
stored (the secret is 256 random bits, so a slow hash adds nothing), compared in constant time.

Every API request needs its key, so a live key's row is kept in the process for
``API_KEY_CACHE_SECONDS`` (5 by default; 0 turns the cache off). A revocation in this process
forgets the key at once; one in another process (a second web worker, ``flask api-keys revoke``)
is honoured within that many seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import or_, select, update

from intake.core.first_write import OUTSIDE_TRANSACTION, begin_at_first_write
from intake.core.types import utcnow
from intake.extensions import db
from intake.public.models import ApiKey

KEY_PREFIX = "hik"
# Made-up prefixes are never cached, so this only bounds memory if a site had very many keys.
_CACHE_MAX_ENTRIES = 1024
_CACHE = "harbor.api_keys"
# The clock of the cache window (monotonic; tests move it).
_clock = time.monotonic


@dataclass(frozen=True)
class VerifiedKey:
    """What a request needs of a live key: no ORM row, so it can outlive the request."""

    id: int
    prefix: str
    source: str
    secret_hash: str


@dataclass
class _Entry:
    key: VerifiedKey
    expires: float
    # The minute this process last wrote ``last_used_at`` for the key (see note_key_used).
    stamped_minute: datetime | None = None


def _cache() -> dict[str, _Entry]:
    cache: dict[str, _Entry] = current_app.extensions.setdefault(_CACHE, {})
    return cache


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


def _live_key(prefix: str) -> VerifiedKey | None:
    """The unrevoked key with ``prefix``: from the cache while fresh, else one indexed query."""
    ttl = float(current_app.config.get("API_KEY_CACHE_SECONDS", 0))
    cache = _cache()
    now = _clock()
    entry = cache.get(prefix)
    if entry is not None and entry.expires > now:
        return entry.key
    # Usually the request's first statement: its transaction may begin at its first write (an
    # inquiry's only write then runs alone; intake.core.first_write), and this read before it.
    session = db.session()
    begin_at_first_write(session)
    row = session.execute(
        select(ApiKey.id, ApiKey.source, ApiKey.secret_hash)
        .where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
        .execution_options(**{OUTSIDE_TRANSACTION: True})
    ).one_or_none()
    if row is None:
        cache.pop(prefix, None)
        return None
    key = VerifiedKey(id=row.id, prefix=prefix, source=row.source, secret_hash=row.secret_hash)
    if ttl > 0:
        if len(cache) >= _CACHE_MAX_ENTRIES:
            cache.clear()
        stamped = entry.stamped_minute if entry is not None and entry.key == key else None
        cache[prefix] = _Entry(key, now + ttl, stamped)
    return key


def authenticate(authorization: str | None) -> VerifiedKey | None:
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
    key = _live_key(prefix)
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
        return None
    return key


def forget_cached_key(prefix: str) -> None:
    """Drop ``prefix`` from this process's cache (after a revocation)."""
    _cache().pop(prefix, None)


def note_key_used(key: VerifiedKey) -> None:
    """Record in the current transaction that ``key`` was just used.

    Staff see ``last_used_at`` to the minute, so it is written once per clock minute per
    process, not on every request: a hot row updated by every request would serialise them.
    """
    now = utcnow()
    minute = now.replace(second=0, microsecond=0)
    entry = _cache().get(key.prefix)
    if entry is not None and entry.key == key and entry.stamped_minute == minute:
        return
    db.session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key.id, or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < minute)
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    if entry is not None and entry.key == key:
        entry.stamped_minute = minute


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
