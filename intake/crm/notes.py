"""Non-clinical case notes on an episode: who wrote what, when. Added, never edited."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.types import utcnow
from intake.crm.errors import NoteRefusedError
from intake.crm.models import CaseNote, Episode
from intake.extensions import db

NOTE_MAX = 4000


def add_note(episode: Episode, body: str, actor_id: int | None) -> CaseNote:
    """Add a note to ``episode``; audited (the audit row holds no text). Nothing commits here.

    Raises :class:`NoteRefusedError` for an empty note or one over :data:`NOTE_MAX` characters.
    """
    text = (body or "").strip()
    if not text:
        raise NoteRefusedError("empty", _l("Write the note first."))
    if len(text) > NOTE_MAX:
        raise NoteRefusedError("too_long", _l("A note holds at most %(n)d characters.", n=NOTE_MAX))
    note = CaseNote(episode_id=episode.id, author_id=actor_id, body=text, created_at=utcnow())
    db.session.add(note)
    record(
        AuditTag.CASE_NOTE_ADDED,
        target_type="episode",
        target_id=episode.id,
        actor_id=actor_id,
        detail={"length": len(text)},
    )
    return note


def notes_for(episode: Episode) -> Sequence[CaseNote]:
    """The episode's notes, newest first."""
    return db.session.scalars(
        select(CaseNote)
        .where(CaseNote.episode_id == episode.id)
        .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())
    ).all()
