"""Who owns an episode: round-robin among the admissions staff on shift, or by hand.

The rotation is a database row (:class:`AssignmentRotation`) moved by one ``UPDATE ... RETURNING``
on PostgreSQL (SQLite's transactions already start with ``BEGIN IMMEDIATE``, one writer at a
time), so two web workers taking a turn at once are served one after the other and never hand
out the same turn, and a Redis flush changes nothing. The lock is held until the caller commits.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, Table, bindparam, exists, func, or_, select, update

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.auth.models import User, UserRole
from intake.auth.permissions import Permission, Role
from intake.core.types import utcnow
from intake.crm.errors import AssignmentRefusedError
from intake.crm.models import AssignmentRotation, Episode
from intake.extensions import db
from intake.messaging.models import OnCallShift

ADMISSIONS_ROTATION = "admissions"


def eligible_owners(now: datetime) -> list[int]:
    """Active admissions users on shift now (the on-call rota), by id; if none is on shift, every
    active admissions user. One query."""
    on_shift = (
        exists()
        .where(
            OnCallShift.user_id == User.id,
            OnCallShift.starts_at <= now,
            OnCallShift.ends_at > now,
        )
        .correlate(User)
    )
    rows = db.session.execute(
        select(User.id, on_shift.label("on_shift"))
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMISSIONS.value, User.active.is_(True))
        .order_by(User.id)
    ).all()
    on_duty = [int(user_id) for user_id, flag in rows if flag]
    return on_duty or [int(user_id) for user_id, _ in rows]


def take_turn(now: datetime | None = None, rotation: str = ADMISSIONS_ROTATION) -> int | None:
    """The next owner in the rotation (the first eligible user after the last one served), and
    record the turn; None when there is no admissions user at all. Locks the rotation row until
    the caller's transaction ends."""
    now = now or utcnow()
    if db.session.get_bind().dialect.name == "postgresql":
        chosen, known = db.session.execute(_turn_in_one(), {"rotation": rotation, "now": now}).one()
        if chosen is not None or known:
            return None if chosen is None else int(chosen)
        # No rotation row yet: the statements below create it.
    row = db.session.scalar(
        select(AssignmentRotation)
        .where(AssignmentRotation.name == rotation)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:  # the migration creates it; a database built otherwise gets it here
        row = AssignmentRotation(name=rotation)
        db.session.add(row)
    candidates = eligible_owners(now)
    if not candidates:
        return None
    last = row.last_user_id
    chosen = next((uid for uid in candidates if last is not None and uid > last), candidates[0])
    row.last_user_id = chosen
    row.updated_at = now
    return chosen


@lru_cache(maxsize=1)
def _turn_in_one() -> Select[int | None, bool]:
    """:func:`take_turn` as one PostgreSQL statement (built once): the eligible users as
    :func:`eligible_owners` finds them, the rotation row moved to the next of them by an
    ``UPDATE ... RETURNING`` (whose row lock, like ``FOR UPDATE``, holds until the commit; a
    second worker waits for it and then computes its turn from the committed row), and whether
    the rotation row exists at all. Three round trips become one."""
    rotations = cast(Table, AssignmentRotation.__table__)
    now = bindparam("now", type_=AssignmentRotation.__table__.c.updated_at.type)
    on_shift = (
        exists()
        .where(
            OnCallShift.user_id == User.id, OnCallShift.starts_at <= now, OnCallShift.ends_at > now
        )
        .correlate(User)
    )
    staff = (
        select(User.id.label("id"), on_shift.label("on_shift"))
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMISSIONS.value, User.active.is_(True))
        .cte("admissions_staff")
    )
    someone_on_shift = exists(select(staff.c.id).where(staff.c.on_shift))
    eligible = select(staff.c.id).where(or_(staff.c.on_shift, ~someone_on_shift)).cte("eligible")
    after_last = (
        select(func.min(eligible.c.id))
        .where(eligible.c.id > rotations.c.last_user_id)
        .scalar_subquery()
    )
    first = select(func.min(eligible.c.id)).scalar_subquery()
    turn = (
        update(rotations)
        .where(rotations.c.name == bindparam("rotation"), exists(select(eligible.c.id)))
        .values(last_user_id=func.coalesce(after_last, first), updated_at=now)
        .returning(rotations.c.last_user_id)
        .cte("turn")
    )
    known = exists(select(rotations.c.name).where(rotations.c.name == bindparam("rotation")))
    return select(
        select(turn.c.last_user_id).scalar_subquery().label("chosen"), known.label("known")
    )


def assign_new(episode: Episode, now: datetime | None = None) -> int | None:
    """Give a new episode its owner from the rotation (no audit row of its own: the episode's
    opening records its owner)."""
    owner_id = take_turn(now)
    if owner_id is not None:
        episode.owner_id = owner_id
    return owner_id


def reassign(episode: Episode, owner_id: int, actor_id: int | None) -> None:
    """Hand an open episode to ``owner_id`` by hand; audited.

    Raises :class:`AssignmentRefusedError` (nothing changed) for a closed episode or an owner who
    is not an active member of the front desk.
    """
    if episode.closed_at is not None:
        raise AssignmentRefusedError("episode_closed", _l("This episode is closed."))
    owner = db.session.get(User, owner_id)
    if owner is None or not owner.can(Permission.PERSON_VIEW):
        raise AssignmentRefusedError(
            "not_eligible", _l("Choose an active staff member who works with people.")
        )
    if episode.owner_id == owner_id:
        return
    record(
        AuditTag.EPISODE_ASSIGNED,
        target_type="episode",
        target=episode,
        actor_id=actor_id,
        detail={"from": episode.owner_id, "to": owner_id, "by": "hand"},
    )
    episode.owner_id = owner_id
