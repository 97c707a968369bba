"""Tasks: calls, emails, callbacks and follow-ups due for someone on an episode."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.types import utcnow
from intake.crm.errors import TaskRefusedError
from intake.crm.models import Episode, Task
from intake.crm.vocabulary import TaskKind
from intake.extensions import db

# A form rounds "now" to the minute; anything older than this is in the past.
PAST_GRACE = timedelta(minutes=1)
NOTE_MAX = 2000


def create_task(
    episode: Episode,
    kind: str,
    due_at: datetime,
    actor_id: int | None,
    *,
    owner_id: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Task:
    """Add a task on ``episode`` for ``owner_id`` (default: the episode's owner, else the actor).

    Raises :class:`TaskRefusedError` (nothing added) for an unknown kind, a due time without a
    time zone or in the past, a closed episode, or nobody to own it.
    """
    try:
        task_kind = TaskKind(kind)
    except ValueError:
        raise TaskRefusedError("unknown_kind", _l("Choose a kind of task.")) from None
    if due_at.tzinfo is None:
        raise TaskRefusedError("naive_time", _l("The due time needs a time zone."))
    now = now or utcnow()
    if due_at < now - PAST_GRACE:
        raise TaskRefusedError(
            "due_in_past", _l("The due time is in the past. Choose a time from now on.")
        )
    if episode.closed_at is not None:
        raise TaskRefusedError("episode_closed", _l("This episode is closed."))
    owner = owner_id or episode.owner_id or actor_id
    if owner is None:
        raise TaskRefusedError("no_owner", _l("Choose who the task is for."))
    task = Task(
        episode=episode,
        kind=task_kind.value,
        due_at=due_at,
        owner_id=owner,
        note=(note or "").strip()[:NOTE_MAX] or None,
        created_at=now,
        created_by_id=actor_id,
    )
    db.session.add(task)
    record(
        AuditTag.TASK_CREATED,
        target_type="task",
        target=task,
        actor_id=actor_id,
        detail={"episode": episode.id, "kind": task_kind.value, "owner": owner},
    )
    return task


def complete_task(task: Task, actor_id: int | None, now: datetime | None = None) -> None:
    """Mark a task done; audited. Raises :class:`TaskRefusedError` if it already is."""
    if task.done_at is not None:
        raise TaskRefusedError("already_done", _l("This task is already done."))
    task.done_at = now or utcnow()
    task.done_by_id = actor_id
    record(
        AuditTag.TASK_COMPLETED,
        target_type="task",
        target_id=task.id,
        actor_id=actor_id,
        detail={"episode": task.episode_id},
    )
