"""The CRM's coded vocabularies: defined in :mod:`intake.vocabulary` with every other closed set,
and named here too so the CRM's modules read naturally (``CloseReason`` is the episode's)."""

from __future__ import annotations

from intake.vocabulary import (
    EPISODE_CLOSED,
    NOT_COUNTED_REASONS,
    Disclosure,
    DuplicateReason,
    DuplicateStatus,
    EpisodeCloseReason,
    Relationship,
    Stage,
    TaskKind,
    counts_for_conversion,
)

CloseReason = EpisodeCloseReason
CLOSED = EPISODE_CLOSED

__all__ = [
    "CLOSED",
    "EPISODE_CLOSED",
    "NOT_COUNTED_REASONS",
    "CloseReason",
    "Disclosure",
    "DuplicateReason",
    "DuplicateStatus",
    "EpisodeCloseReason",
    "Relationship",
    "Stage",
    "TaskKind",
    "counts_for_conversion",
]
