"""What staff do in the CRM, one transaction each: each function calls the services and commits.

A refusal (:class:`intake.crm.errors.CrmRefusalError`) rolls back whatever the request had
pending and is raised again for the view to show; nothing of it is stored. Two staff members
moving the same episode at once: the second fails its version check and gets a refusal too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from intake.core.types import utcnow
from intake.core.units import Translation, committing, run_unit
from intake.crm import (
    assignment,
    duplicates,
    episodes,
    messages,
    notes,
    referrals,
    rollup,
    tasks,
)
from intake.crm.errors import CrmRefusalError, MoveRefusedError
from intake.crm.models import (
    CaseMessage,
    CaseNote,
    DuplicateCandidate,
    Episode,
    PersonMerge,
    Task,
)
from intake.extensions import db

T = TypeVar("T")


def _changed_meanwhile() -> MoveRefusedError:
    return MoveRefusedError(
        "changed_meanwhile", _l("Someone else changed this episode just now. Reload it.")
    )


_REFUSALS = (CrmRefusalError,)
_TRANSLATIONS: list[Translation] = [(StaleDataError, _changed_meanwhile)]


def _run(action: Callable[[], T]) -> T:
    return run_unit(action, _REFUSALS, _TRANSLATIONS)


def move(episode: Episode, to_stage: str, actor_id: int) -> None:
    """Move an episode one step along the pipeline. Commits."""
    _run(lambda: episodes.move_episode(episode, to_stage, actor_id))


def close(
    episode: Episode,
    reason: str,
    actor_id: int,
    *,
    referred_to: str | None = None,
    referral_note: str | None = None,
    referred_to_id: int | None = None,
) -> None:
    """Close an episode with a reason (and the referral when referred elsewhere). Commits."""
    _run(
        lambda: episodes.close_episode(
            episode,
            reason,
            actor_id,
            referred_to=referred_to,
            referral_note=referral_note,
            referred_to_id=referred_to_id,
        )
    )


def reassign(episode: Episode, owner_id: int, actor_id: int) -> None:
    """Give an episode to another owner. Commits."""
    _run(lambda: assignment.reassign(episode, owner_id, actor_id))


def add_task(
    episode: Episode,
    kind: str,
    due_at: datetime,
    actor_id: int,
    *,
    owner_id: int | None = None,
    note: str | None = None,
) -> Task:
    """Create a task on an episode. Commits."""
    return _run(
        lambda: tasks.create_task(episode, kind, due_at, actor_id, owner_id=owner_id, note=note)
    )


def finish_task(task: Task, actor_id: int) -> None:
    """Mark a task done. Commits."""
    _run(lambda: tasks.complete_task(task, actor_id))


def not_the_same_person(candidate: DuplicateCandidate, actor_id: int) -> None:
    """Record that two people are not the same; the pair is never proposed again. Commits."""
    _run(lambda: duplicates.mark_not_same(candidate, actor_id))


def merge_people(source_id: int, target_id: int, actor_id: int) -> PersonMerge:
    """Merge one person into another (undoable). Commits."""
    return _run(lambda: duplicates.merge(source_id, target_id, actor_id))


def undo_merge(merge_id: int, actor_id: int) -> PersonMerge:
    """Undo a merge exactly. Commits."""
    return _run(lambda: duplicates.unmerge(merge_id, actor_id))


def add_note(episode: Episode, body: str, actor_id: int) -> CaseNote:
    """Add a non-clinical case note. Commits."""
    return _run(lambda: notes.add_note(episode, body, actor_id))


def send_message(
    episode: Episode,
    template: str,
    channel: str,
    actor_id: int,
    send_key: str,
    *,
    appointment_at: datetime | None = None,
) -> tuple[CaseMessage, bool]:
    """Send the episode's person a message from a template, once per form. Commits.

    Returns the message and whether this call sent it: a second POST of the same form (even one
    racing the first, which loses on the unique key) returns the first message.
    """
    try:
        return _run(
            lambda: messages.send_case_message(
                episode, template, channel, actor_id, send_key, appointment_at=appointment_at
            )
        )
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(
            db.select(CaseMessage).where(
                CaseMessage.idempotency_key == f"case:{episode.id}:{send_key}"
            )
        )
        if existing is None:
            raise
        return existing, False


# Referrals: one service each, with the same arguments.
save_referrer = committing(_REFUSALS, _TRANSLATIONS)(referrals.save_referrer)
set_source = committing(_REFUSALS, _TRANSLATIONS)(referrals.set_episode_source)
set_referrer_active = committing(_REFUSALS, _TRANSLATIONS)(referrals.set_referrer_active)


def refresh_reports(now: datetime | None = None) -> int:
    """Beat's pass over the reports' day rollups (:func:`intake.crm.rollup.refresh_due`):
    recompute the days when the data changed. Commits; returns how many days were rewritten."""
    targets = current_app.config["CONTACT_TARGET_MINUTES"]
    try:
        recomputed = rollup.refresh_due(now or utcnow(), targets)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return recomputed
