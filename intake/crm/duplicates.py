"""Duplicate people: candidates with their reasons, "not the same person" decisions that stick,
and merges recorded as events that an unmerge reverses exactly.

No merge is ever automatic. Every refusal is a :class:`MergeRefusedError` raised before anything
changes; merges and unmerges are audited. Nothing here commits.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz
from sqlalchemy import or_, select, update

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.types import utcnow
from intake.crm.errors import MergeRefusedError
from intake.crm.models import Contact, DuplicateCandidate, Episode, Person, PersonMerge
from intake.crm.vocabulary import DuplicateReason, DuplicateStatus, Stage
from intake.extensions import db
from intake.messaging.compose import opted_out
from intake.messaging.unsubscribe import carry_opt_out, withdraw_carried_opt_outs
from intake.public.models import Inquiry

# token_sort_ratio of the normalised names at or above this is a "similar name" reason.
NAME_THRESHOLD = 85
# A scan decrypts at most this many names: recent people, never the whole table.
SCAN_LIMIT = 500
SCAN_WINDOW = timedelta(days=90)


def normalise_name(name: str | None) -> str:
    """A name as compared: Unicode-normalised, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def name_score(a: str | None, b: str | None) -> int:
    """0-100 similarity of two names (word order ignored); 0 when either is missing."""
    left, right = normalise_name(a), normalise_name(b)
    if not left or not right:
        return 0
    return round(fuzz.token_sort_ratio(left, right))


@dataclass(frozen=True)
class Likeness:
    """Why ``other`` may be the same person: the reason codes and the name score."""

    other: Person
    reasons: tuple[str, ...]
    score: int


def likeness(
    other: Person, *, name: str | None, email_idx: str | None, phone_idx: str | None
) -> Likeness:
    reasons = []
    if email_idx and other.email_index == email_idx:
        reasons.append(DuplicateReason.EMAIL.value)
    if phone_idx and other.phone_index == phone_idx:
        reasons.append(DuplicateReason.PHONE.value)
    score = name_score(name, other.name)
    if score >= NAME_THRESHOLD:
        reasons.append(DuplicateReason.NAME.value)
    return Likeness(other, tuple(reasons), score)


def existing_pair(a: Person, b: Person) -> DuplicateCandidate | None:
    low, high = sorted((a.id, b.id))
    return db.session.scalar(
        select(DuplicateCandidate).where(
            DuplicateCandidate.person_low_id == low, DuplicateCandidate.person_high_id == high
        )
    )


def propose_for_new(person: Person, likenesses: Iterable[Likeness]) -> list[DuplicateCandidate]:
    """Candidates between a person not yet stored and existing people (no decision can exist
    for a new person, so no lookup; its id will be higher than theirs)."""
    candidates = []
    for item in likenesses:
        candidate = DuplicateCandidate(
            person_low=item.other,
            person_high=person,
            reasons=",".join(item.reasons),
            name_score=item.score,
        )
        db.session.add(candidate)
        candidates.append(candidate)
    return candidates


def scan_for_duplicates(person: Person) -> list[DuplicateCandidate]:
    """Look for people who may be ``person`` and record new candidates (already decided pairs,
    "not the same person" included, are never proposed again).

    Email and phone through the blind index; names fuzzily among a bounded set of people created
    near the same time (at most :data:`SCAN_LIMIT` names are decrypted).
    """
    near = Person.created_at.between(
        person.created_at - SCAN_WINDOW, person.created_at + SCAN_WINDOW
    )
    exact = []
    if person.email_index:
        exact.append(Person.email_index == person.email_index)
    if person.phone_index:
        exact.append(Person.phone_index == person.phone_index)
    others = db.session.scalars(
        select(Person)
        .where(Person.id != person.id, Person.merged_into_id.is_(None), or_(near, *exact))
        .order_by(Person.created_at.desc())
        .limit(SCAN_LIMIT)
    ).all()
    found = []
    for other in others:
        item = likeness(
            other, name=person.name, email_idx=person.email_index, phone_idx=person.phone_index
        )
        if not item.reasons or existing_pair(person, other) is not None:
            continue
        low, high = sorted((person, other), key=lambda p: p.id)
        candidate = DuplicateCandidate(
            person_low_id=low.id,
            person_high_id=high.id,
            reasons=",".join(item.reasons),
            name_score=item.score,
        )
        db.session.add(candidate)
        record(
            AuditTag.DUPLICATE_PROPOSED,
            target_type="person",
            target_id=person.id,
            detail={"other": other.id, "reasons": candidate.reasons},
        )
        found.append(candidate)
    return found


def open_candidates(limit: int = 100) -> Sequence[DuplicateCandidate]:
    return db.session.scalars(
        select(DuplicateCandidate)
        .where(DuplicateCandidate.status == DuplicateStatus.OPEN.value)
        .order_by(DuplicateCandidate.found_at.desc(), DuplicateCandidate.id.desc())
        .limit(limit)
    ).all()


def mark_not_same(candidate: DuplicateCandidate, actor_id: int | None) -> None:
    """Record "not the same person": the pair is never proposed again. Audited."""
    if candidate.status == DuplicateStatus.NOT_SAME.value:
        return
    if candidate.status == DuplicateStatus.MERGED.value:
        raise MergeRefusedError(
            "merged", _l("These records are merged. Undo the merge first if they differ.")
        )
    candidate.status = DuplicateStatus.NOT_SAME.value
    candidate.decided_at = utcnow()
    candidate.decided_by_id = actor_id
    record(
        AuditTag.DUPLICATE_REJECTED,
        target_type="duplicate_candidate",
        target_id=candidate.id,
        actor_id=actor_id,
        detail={"low": candidate.person_low_id, "high": candidate.person_high_id},
    )


def _locked_people(*ids: int) -> dict[int, Person]:
    people = db.session.scalars(
        select(Person)
        .where(Person.id.in_(ids))
        .order_by(Person.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {person.id: person for person in people}


def _has_open_admission(person_id: int) -> bool:
    return (
        db.session.scalar(
            select(Episode.id)
            .where(
                Episode.person_id == person_id,
                Episode.stage == Stage.ADMITTED.value,
                Episode.closed_at.is_(None),
            )
            .limit(1)
        )
        is not None
    )


def _ids(model: type[Any], person_id: int) -> list[int]:
    return [
        int(row_id)
        for row_id in db.session.scalars(
            select(model.id).where(model.person_id == person_id).order_by(model.id)
        )
    ]


# The rows that belong to the person and move with them. These three are always listed in a
# merge's ``moved``, even when empty.
_MOVED_MODELS: dict[str, type[Any]] = {
    "episodes": Episode,
    "inquiries": Inquiry,
    "contacts": Contact,
}
# Other domains' rows of a person that follow a merge (the clinical consent ledger and the
# disclosure log, registered by ``intake.clinical``): listed in ``moved`` only when some moved.
_FOLLOWING_MODELS: dict[str, type[Any]] = {}
# The opt-outs a merge carried over to a record that had none ("the stricter opt-out wins").
CARRIED_OPT_OUTS = "carried_opt_outs"


def move_with_merges(key: str, model: type[Any]) -> None:
    """Let ``model`` (rows with an ``id`` and a ``person_id``) move to the surviving record when
    two people are merged, and back when the merge is undone. ``key`` names its ids in a merge's
    ``moved``; registering the same key again replaces it."""
    if key in _MOVED_MODELS or key == CARRIED_OPT_OUTS:
        raise ValueError(f"{key} is the CRM's own")
    _FOLLOWING_MODELS[key] = model


def _moving_models() -> dict[str, type[Any]]:
    return {**_MOVED_MODELS, **_FOLLOWING_MODELS}


def _carry_opt_outs(source: Person, target: Person) -> list[int]:
    """If either person opted out of messages, both are from now on (the surviving record, and
    the merged one that deliveries queued before the merge may still name); the ids of the
    opt-outs added, so an unmerge removes exactly those."""
    if not (opted_out(source.id) or opted_out(target.id)):
        return []
    carried = [row for row in (carry_opt_out(source.id), carry_opt_out(target.id)) if row]
    if carried:
        db.session.flush()
    return [int(row.id) for row in carried]


def merge(source_id: int, target_id: int, actor_id: int | None) -> PersonMerge:
    """Merge person ``source_id`` into ``target_id``: their episodes, inquiries and contacts move
    to the target, with the rows other domains registered (:func:`move_with_merges`: consents
    and disclosures), the source is kept and marked merged, and the merge row lists every moved
    id so :func:`unmerge` reverses it exactly. If either person opted out of messages, the
    merged person is opted out. Audited.

    Refused (:class:`MergeRefusedError`, nothing changed): a person into itself, a missing
    record, a record already merged (either side), two people each with an open admission.
    """
    if source_id == target_id:
        raise MergeRefusedError("same_person", _l("A record cannot be merged into itself."))
    people = _locked_people(source_id, target_id)
    source, target = people.get(source_id), people.get(target_id)
    if source is None or target is None:
        raise MergeRefusedError("missing", _l("One of these records does not exist."))
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise MergeRefusedError(
            "already_merged",
            _l("One of these records is already merged into another; use that one."),
        )
    if _has_open_admission(source.id) and _has_open_admission(target.id):
        raise MergeRefusedError(
            "two_admissions",
            _l("Both people have an open admission; they cannot be the same person."),
        )
    moving = _moving_models()
    moved = {key: _ids(model, source.id) for key, model in moving.items()}
    moved = {key: ids for key, ids in moved.items() if ids or key in _MOVED_MODELS}
    for key, model in moving.items():
        if moved.get(key):
            db.session.execute(
                update(model)
                .where(model.id.in_(moved[key]))
                .values(person_id=target.id)
                .execution_options(synchronize_session="fetch")
            )
    carried = _carry_opt_outs(source, target)
    if carried:
        moved[CARRIED_OPT_OUTS] = carried
    source.merged_into_id = target.id
    candidate = existing_pair(source, target)
    if candidate is not None:
        candidate.status = DuplicateStatus.MERGED.value
        candidate.decided_at = utcnow()
        candidate.decided_by_id = actor_id
    event = PersonMerge(
        source_person_id=source.id,
        target_person_id=target.id,
        candidate_id=candidate.id if candidate else None,
        merged_by_id=actor_id,
        moved=moved,
    )
    db.session.add(event)
    record(
        AuditTag.PERSON_MERGED,
        target_type="person",
        target_id=target.id,
        actor_id=actor_id,
        detail={"source": source.id, **{key: len(ids) for key, ids in moved.items()}},
    )
    return event


def unmerge(merge_id: int, actor_id: int | None) -> PersonMerge:
    """Undo a merge: exactly the rows it moved go back to the source, which is no longer merged,
    and the opt-outs it carried over are removed (each person keeps only their own). Rows added
    to the target since stay with it. Audited.

    Refused (:class:`MergeRefusedError`, nothing changed): an unknown merge, one already undone,
    or one whose target has since been merged into someone else (undo that merge first).
    """
    event = db.session.scalar(
        select(PersonMerge)
        .where(PersonMerge.id == merge_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if event is None:
        raise MergeRefusedError("missing", _l("There is no such merge."))
    if event.undone_at is not None:
        raise MergeRefusedError("already_undone", _l("This merge has already been undone."))
    people = _locked_people(event.source_person_id, event.target_person_id)
    source, target = people[event.source_person_id], people[event.target_person_id]
    if target.merged_into_id is not None:
        raise MergeRefusedError(
            "target_merged",
            _l("The record this was merged into has since been merged itself; undo that first."),
        )
    if source.merged_into_id != target.id:
        raise MergeRefusedError("not_merged", _l("This record is not merged any more."))
    for key, model in _moving_models().items():
        ids = [int(row_id) for row_id in event.moved.get(key, [])]
        if ids:
            db.session.execute(
                update(model)
                .where(model.id.in_(ids), model.person_id == target.id)
                .values(person_id=source.id)
                .execution_options(synchronize_session="fetch")
            )
    withdraw_carried_opt_outs([int(row_id) for row_id in event.moved.get(CARRIED_OPT_OUTS, [])])
    source.merged_into_id = None
    event.undone_at = utcnow()
    event.undone_by_id = actor_id
    if event.candidate_id is not None:
        candidate = db.session.get(DuplicateCandidate, event.candidate_id)
        if candidate is not None and candidate.status == DuplicateStatus.MERGED.value:
            candidate.status = DuplicateStatus.OPEN.value
    record(
        AuditTag.PERSON_UNMERGED,
        target_type="person",
        target_id=source.id,
        actor_id=actor_id,
        detail={"merge": event.id, "from": target.id},
    )
    return event
