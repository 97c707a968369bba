"""Writing and reading the audit trail.

:func:`record` adds an event to the current session so it commits, or rolls back, with the
action it describes. It never commits by itself. Two small use cases own their transaction:
:func:`record_view` (a page showed something worth auditing) and :func:`record_refusal` (a
request was turned away, and only the refusal is kept); :func:`seal_pending` seals waiting rows
into the chain in a short transaction of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import Select, func, inspect, select

from intake.audit.chain import SealResult, chain_key, hold, seal_pending_on
from intake.audit.models import AuditEvent
from intake.audit.tags import AuditTag
from intake.extensions import db

_ALLOWED_DETAIL_TYPES = (str, int, float, bool, type(None))


def record(
    tag: AuditTag,
    *,
    target_type: str | None = None,
    target_id: object | None = None,
    actor_id: int | None = None,
    detail: dict[str, Any] | None = None,
    target: Any | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (its commit writes it; a rollback, of the
    transaction or of the savepoint it was recorded in, drops it). The event is held for the
    commit (:func:`intake.audit.chain.hold`), not added to the session's unit of work.

    ``actor_id`` defaults to the logged-in user. ``detail`` takes flat codes and ids only.
    ``target`` is a record that may have no id yet: its id becomes ``target_id`` when the event
    is sealed at commit, after the flush that gave it one (so a service need not flush just to
    audit what it added).
    """
    clean_detail = {
        str(key): value
        for key, value in (detail or {}).items()
        if isinstance(value, _ALLOWED_DETAIL_TYPES)
    }
    if actor_id is None and has_request_context():
        actor_id = _signed_in_user_id()
    event = AuditEvent(
        tag=tag.value,
        actor_id=actor_id,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        detail=clean_detail,
    )
    if target is not None:
        inspect(event).info["target"] = target
    if has_request_context():
        event.ip_address = (request.remote_addr or "")[:45] or None
        event.user_agent = (request.user_agent.string or "")[:200] or None
    hold(db.session(), event)
    return event


def _signed_in_user_id() -> int | None:
    """The signed-in user's id, or None. A request whose session names nobody (an API client, a
    public form) has nobody to load: Flask-Login's loading (session protection, loaders) is
    skipped there, as it would find no one. The app issues no remember-me cookies."""
    if "_login_user" not in g and "_user_id" not in session:
        return None
    return current_user.id if current_user.is_authenticated else None


def record_view(
    tag: AuditTag,
    *,
    target_type: str | None = None,
    target_id: object | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Audit that the signed-in user was shown something, and commit.

    For read-only pages: the row must be stored before the page is rendered, so it owns the
    request's (otherwise empty) transaction.
    """
    event = record(tag, target_type=target_type, target_id=target_id, detail=detail)
    # Read-only pages: what the page already loaded stays loaded. Expiring it at this commit
    # made the template reload every row it shows, one query each (a page of 50 episodes and
    # their people cost 100 extra queries).
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    return event


def record_refusal(tag: AuditTag, *, detail: dict[str, Any] | None = None) -> AuditEvent:
    """Audit a refused request in a transaction of its own, and commit.

    Anything the request had added before it was refused is rolled back first: a refusal must
    not store the work it refused.
    """
    db.session.rollback()
    event = record(tag, detail=detail)
    db.session.commit()
    return event


def seal_pending(*, limit: int | None = 1000, rescan: bool = False) -> SealResult:
    """Seal the audit rows that are waiting (see :mod:`intake.audit.chain`), and commit.

    Owns its short transaction: the chain head's lock is held only while one batch is sealed.
    """
    result = seal_pending_on(db.session.connection(), chain_key(), limit=limit, rescan=rescan)
    db.session.commit()
    return result


@dataclass(frozen=True)
class AuditFilter:
    tag: str | None = None
    actor_id: int | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def apply(self, query: Select[AuditEvent]) -> Select[AuditEvent]:
        if self.tag:
            query = query.where(AuditEvent.tag == self.tag)
        if self.actor_id is not None:
            query = query.where(AuditEvent.actor_id == self.actor_id)
        if self.target_type:
            query = query.where(AuditEvent.target_type == self.target_type)
        if self.target_id:
            query = query.where(AuditEvent.target_id == self.target_id)
        if self.since is not None:
            query = query.where(AuditEvent.occurred_at >= self.since)
        if self.until is not None:
            query = query.where(AuditEvent.occurred_at < self.until)
        return query


def search(
    filters: AuditFilter, *, page: int, per_page: int = 50
) -> tuple[Sequence[AuditEvent], int]:
    """Return one page of events, newest first, and the total number that match."""
    base = filters.apply(select(AuditEvent))
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.session.scalars(
        base.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset(max(page - 1, 0) * per_page)
    ).all()
    return list(rows), total
