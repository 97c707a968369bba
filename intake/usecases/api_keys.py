"""Issuing, revoking and refusing website API keys, each with its audit row, in one transaction.

The keys themselves are the front door's (:mod:`intake.public.api_keys`); the audit trail is
the ``audit`` domain's. These use cases put the two together and commit once.
"""

from __future__ import annotations

from intake.audit.services import record, record_refusal
from intake.audit.tags import AuditTag
from intake.extensions import db
from intake.public.api_keys import create_api_key, forget_cached_key, revoke_api_key
from intake.public.models import ApiKey


def issue_api_key(source: str, created_by_id: int | None = None) -> tuple[ApiKey, str]:
    """Add a key for ``source`` and its audit row, and commit; return the row and the full key.

    The full key is shown once and never stored. ``created_by_id`` is None from the command line.
    """
    key, plaintext = create_api_key(source, created_by_id=created_by_id)
    record(
        AuditTag.API_KEY_CREATED,
        actor_id=created_by_id,
        target_type="api_key",
        target_id=key.id,
        detail={"prefix": key.prefix},
    )
    db.session.commit()
    return key, plaintext


def withdraw_api_key(key: ApiKey, revoked_by_id: int | None = None) -> None:
    """Revoke ``key`` with its audit row, and commit; a key already revoked stays as it was."""
    if not revoke_api_key(key):
        return
    record(
        AuditTag.API_KEY_REVOKED,
        actor_id=revoked_by_id,
        target_type="api_key",
        target_id=key.id,
        detail={"prefix": key.prefix},
    )
    db.session.commit()
    # This process stops accepting the key at once; the others within API_KEY_CACHE_SECONDS.
    forget_cached_key(key.prefix)


def refuse_api_request(endpoint: str) -> None:
    """Audit a request to ``endpoint`` without a valid key, and commit only that (codes only)."""
    record_refusal(AuditTag.API_KEY_REJECTED, detail={"endpoint": endpoint})
