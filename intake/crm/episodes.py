"""Episodes and their pipeline: open or join, move, close, and the stage history.

Every change adds a :class:`StageChange` row and an audit event to the caller's transaction;
nothing here commits (:mod:`intake.crm.use_cases` does, for staff actions). What the pipeline
table forbids raises a :class:`MoveRefusedError` or :class:`CloseRefusedError` before anything
is changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import ScalarSelect, select

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.types import utcnow
from intake.crm import current_pipeline
from intake.crm.errors import CloseRefusedError, MoveRefusedError
from intake.crm.labels import STAGE_LABELS
from intake.crm.models import Episode, EpisodeInquiry, Person, StageChange
from intake.crm.referrals import record_outbound
from intake.crm.vocabulary import CLOSED, CloseReason, Stage
from intake.extensions import db

# What caused a history row.
CAUSE_INQUIRY = "inquiry"
CAUSE_CONTACT = "contact_attempt"
CAUSE_STAFF = "staff"
CAUSE_CLOSE = "close"

REFERRAL_MAX = 300


def _stage_label(stage: str) -> Any:
    return STAGE_LABELS.get(stage, stage)


def _stage_list(stages: list[Stage]) -> str:
    return ", ".join(str(_stage_label(stage)) for stage in stages) or "-"


def ended_stages() -> tuple[str, ...]:
    """The stages of the running pipeline at which an episode has ended."""
    return tuple(stage.value for stage in current_pipeline().ended)


def _going_on(person_id: Any, ended: tuple[str, ...] | None = None) -> list[Any]:
    """The conditions of an episode of ``person_id`` still going on (not closed, not at an
    ``ended`` stage of the running pipeline)."""
    return [
        Episode.person_id == person_id,
        Episode.closed_at.is_(None),
        Episode.stage.not_in(list(ended_stages() if ended is None else ended)),
    ]


_LATEST_FIRST = (Episode.opened_at.desc(), Episode.id.desc())


def open_episode_of(person: Person) -> Episode | None:
    """The person's episode still going on (not closed, not at an ``ended`` stage), if any."""
    if person.id is None:  # a person not yet stored has no episodes
        return None
    return db.session.scalar(
        select(Episode).where(*_going_on(person.id)).order_by(*_LATEST_FIRST).limit(1)
    )


def open_episode_id_of(person_id: Any, ended: tuple[str, ...]) -> ScalarSelect[Any]:
    """:func:`open_episode_of` as a correlated subquery giving the episode's id, so that a query
    for people can bring each one's open episode back in the same statement; ``ended`` is
    :func:`ended_stages`."""
    return (
        select(Episode.id)
        .where(*_going_on(person_id, ended))
        .order_by(*_LATEST_FIRST)
        .limit(1)
        .correlate_except(Episode)
        .scalar_subquery()
    )


def open_or_join_episode(
    person: Person, *, at: datetime | None = None, actor_id: int | None = None
) -> tuple[Episode, bool]:
    """The person's open episode, or a new one at the pipeline's first stage; and whether it is
    new. A person whose last episode ended (discharged, alumni) or closed gets a new episode: a
    readmission is a new journey under the same person.
    """
    episode = open_episode_of(person)
    if episode is not None:
        return episode, False
    return start_episode(person, at=at, actor_id=actor_id), True


def start_episode(
    person: Person, *, at: datetime | None = None, actor_id: int | None = None
) -> Episode:
    """A new episode of ``person`` at the pipeline's first stage, with its first history row,
    added to the session (the caller knows the person has no episode going on)."""
    at = at or utcnow()
    first = current_pipeline().first.value
    episode = Episode(person=person, stage=first, opened_at=at, stage_entered_at=at)
    db.session.add(episode)
    db.session.add(
        StageChange(
            episode=episode,
            from_stage=None,
            to_stage=first,
            actor_id=actor_id,
            changed_at=at,
            cause=CAUSE_INQUIRY,
        )
    )
    return episode


def move_episode(
    episode: Episode,
    to_stage: str,
    actor_id: int | None,
    *,
    cause: str = CAUSE_STAFF,
    at: datetime | None = None,
) -> StageChange:
    """Move an open episode to ``to_stage`` if the pipeline table allows it; audited.

    Raises :class:`MoveRefusedError` (nothing changed) for a closed episode, an unknown stage, a
    move the table forbids, or a hand move into a stage only an event reaches ("contacted" is
    reached by logging a contact attempt that reached the person).
    """
    pipeline = current_pipeline()
    if episode.closed_at is not None:
        raise MoveRefusedError("episode_closed", _l("This episode is closed; it cannot move."))
    try:
        target = Stage(to_stage)
    except ValueError:
        raise MoveRefusedError("unknown_stage", _l("There is no such stage.")) from None
    if target.value == episode.stage:
        raise MoveRefusedError(
            "same_stage", _l("The episode is already at %(stage)s.", stage=_stage_label(target))
        )
    if not pipeline.can_move(episode.stage, target):
        allowed = sorted(pipeline.moves.get(Stage(episode.stage), ()), key=pipeline.position)
        raise MoveRefusedError(
            "not_allowed",
            _l(
                "An episode at %(current)s cannot move to %(target)s. Allowed next: %(allowed)s.",
                current=_stage_label(episode.stage),
                target=_stage_label(target),
                allowed=LazyString(_stage_list, allowed),
            ),
        )
    if cause == CAUSE_STAFF and target in pipeline.automatic:
        raise MoveRefusedError(
            "automatic_stage",
            _l(
                "%(target)s is reached by logging a contact attempt that reaches the person.",
                target=_stage_label(target),
            ),
        )
    at = at or utcnow()
    change = StageChange(
        episode=episode,
        from_stage=episode.stage,
        to_stage=target.value,
        actor_id=actor_id,
        changed_at=at,
        cause=cause,
    )
    db.session.add(change)
    record(
        AuditTag.EPISODE_MOVED,
        target_type="episode",
        target=episode,
        actor_id=actor_id,
        detail={"from": episode.stage, "to": target.value, "cause": cause},
    )
    episode.stage = target.value
    episode.stage_entered_at = at
    return change


def close_episode(
    episode: Episode,
    reason: str,
    actor_id: int | None,
    *,
    referred_to: str | None = None,
    referral_note: str | None = None,
    referred_to_id: int | None = None,
    at: datetime | None = None,
) -> StageChange:
    """Close an episode before admission with a reason; audited.

    "Referred elsewhere" needs to whom: a referrer chosen (``referred_to_id``) or a new
    organisation named (``referred_to``, which becomes a referrer row); the outbound referral is
    recorded (:func:`intake.crm.referrals.record_outbound`). Raises :class:`CloseRefusedError`
    (nothing changed) for an episode already closed or past the closable stages, an unknown
    reason, or a referral without its details.
    """
    if episode.closed_at is not None:
        raise CloseRefusedError("already_closed", _l("This episode is already closed."))
    try:
        close_reason = CloseReason(reason)
    except ValueError:
        raise CloseRefusedError("unknown_reason", _l("Choose a reason for closing.")) from None
    if episode.stage not in current_pipeline().closable:
        raise CloseRefusedError(
            "not_closable",
            _l(
                "An episode at %(stage)s cannot be closed; move it through the pipeline instead.",
                stage=_stage_label(episode.stage),
            ),
        )
    referred_to = (referred_to or "").strip()[:REFERRAL_MAX] or None
    if (
        close_reason is CloseReason.REFERRED_ELSEWHERE
        and referred_to is None
        and not referred_to_id
    ):
        raise CloseRefusedError("referral_missing", _l("Say to whom the person was referred."))
    if close_reason is CloseReason.REFERRED_ELSEWHERE:
        referrer = record_outbound(episode, referred_to_id, referred_to, actor_id)
        episode.referred_to = referrer.display_name
        episode.referral_note = (referral_note or "").strip()[:2000] or None
    at = at or utcnow()
    episode.closed_at = at
    episode.close_reason = close_reason.value
    change = StageChange(
        episode=episode,
        from_stage=episode.stage,
        to_stage=CLOSED,
        actor_id=actor_id,
        changed_at=at,
        cause=CAUSE_CLOSE,
    )
    db.session.add(change)
    record(
        AuditTag.EPISODE_CLOSED,
        target_type="episode",
        target=episode,
        actor_id=actor_id,
        detail={"stage": episode.stage, "reason": close_reason.value},
    )
    return change


def on_contact_reached(
    _sender: object, *, inquiry_id: int, user_id: int | None, at: datetime, **_: object
) -> None:
    """Triage logged the first contact that reached the person of ``inquiry_id``: the episode
    that inquiry opened or joined reaches "contacted" at that moment (if the table allows it
    from where the episode stands; an episode already further along stays where it is)."""
    episode = db.session.scalar(
        select(Episode)
        .join(EpisodeInquiry, EpisodeInquiry.episode_id == Episode.id)
        .where(EpisodeInquiry.inquiry_id == inquiry_id)
    )
    if episode is None or episode.closed_at is not None:
        return
    if current_pipeline().can_move(episode.stage, Stage.CONTACTED):
        move_episode(episode, Stage.CONTACTED, user_id, cause=CAUSE_CONTACT, at=at)


@dataclass(frozen=True)
class StageSpan:
    """How long an episode stayed at one stage (``left_at`` is None for where it is now)."""

    stage: str
    entered_at: datetime
    left_at: datetime | None

    def duration(self, now: datetime | None = None) -> timedelta:
        return (self.left_at or now or utcnow()) - self.entered_at


def stage_spans(episode: Episode) -> list[StageSpan]:
    """The episode's history as time spent per stage, oldest first."""
    rows = list(
        db.session.scalars(
            select(StageChange)
            .where(StageChange.episode_id == episode.id)
            .order_by(StageChange.changed_at, StageChange.id)
        )
    )
    spans = []
    for current, following in zip(rows, [*rows[1:], None], strict=True):
        if current.to_stage == CLOSED:
            continue
        spans.append(
            StageSpan(
                current.to_stage, current.changed_at, following.changed_at if following else None
            )
        )
    return spans
