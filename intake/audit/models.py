"""The audit table. Rows are only ever inserted: updates and deletes are refused in the ORM and,
on PostgreSQL, by triggers the migrations install (TRUNCATE included) and by the application's
role, which may only INSERT and SELECT on this table.

Each row carries ``row_hmac``, an HMAC of its own fields written with it, and, a moment later, a
seal in ``audit_seals`` (append-only too): its place in the chain (1, 2, 3, ... with no gaps) and
an HMAC over the row and the previous seal's HMAC (see :mod:`intake.audit.chain`), so a row
changed, removed or inserted by someone without the key shows up in ``flask audit verify``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from intake.core.types import UTCDateTime, utcnow
from intake.extensions import Model


class AuditEvent(Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_target", "target_type", "target_id"),
        Index("ix_audit_events_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    tag: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    # Only codes and ids belong here, never names, messages or contact details.
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The row's own MAC, written with it at commit by intake.audit.chain (no lock needed); rows
    # written before revision 0013 have none (they were chained as they were written).
    row_hmac: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.tag}>"


class AuditSeal(Model):
    """An audit row's place in the chain, added by the sealer after the row committed.

    No foreign key: a seal must outlive a row someone deleted, so ``flask audit verify`` can
    say where the row was."""

    __tablename__ = "audit_seals"

    event_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    hmac: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Model):
    """One row: the last link of the chain. Locking it serialises the sealers, and it lets
    ``flask audit verify`` notice seals cut from the end of the chain. ``sealed_through_id``:
    every row up to this id is sealed, so the sealer looks only above it."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hmac: Mapped[str] = mapped_column(String(64))
    sealed_through_id: Mapped[int] = mapped_column(default=0, server_default="0")


class AuditTrailIsAppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit row."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditSeal, "before_update")
def _refuse_update(*_: object) -> None:
    raise AuditTrailIsAppendOnlyError("audit events cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
@event.listens_for(AuditSeal, "before_delete")
def _refuse_delete(*_: object) -> None:
    raise AuditTrailIsAppendOnlyError("audit events cannot be deleted")
