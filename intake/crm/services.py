"""Placing an inquiry in the CRM: who it is about, who sent it, which episode it opens or joins,
who owns that; and finding people by their blind-indexed details, without decrypting anyone.

The same person writing again (same email and the same name) is linked to their record. Any
other exact match on a shared detail is *not* a link any more: a mother writing from the family
phone for her son must not become her son. A new person is created and the match is recorded as
a duplicate candidate, with its reasons, for staff to merge or set aside.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, insert, or_, select
from sqlalchemy.orm import aliased

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.batch import InsertBatch
from intake.core.prepared import prepared
from intake.crm.assignment import assign_new
from intake.crm.duplicates import Likeness, likeness, normalise_name, propose_for_new
from intake.crm.episodes import (
    ended_stages,
    open_episode_id_of,
    open_or_join_episode,
    start_episode,
)
from intake.crm.models import Contact, Episode, EpisodeInquiry, InquirySubstance, Person
from intake.crm.referrals import Origin, record_referrer, record_source
from intake.crm.vocabulary import Disclosure, Relationship
from intake.extensions import db
from intake.security.encryption import blind_index
from intake.vocabulary import SUBSTANCES, ForWhom

# Who the inquiry is for, and what the sender is to the person when it is not themselves.
SENDER_RELATION: dict[str, Relationship] = {
    ForWhom.SOMEONE_ELSE: Relationship.UNKNOWN,
    ForWhom.PROFESSIONAL: Relationship.PROFESSIONAL,
}


# Built once: joining an episode is one plain insert (Core, not the unit of work).
_EPISODE_INQUIRIES = cast(Table, EpisodeInquiry.__table__)
_INSERT_EPISODE_INQUIRY = insert(_EPISODE_INQUIRIES)
_INQUIRY_SUBSTANCES = cast(Table, InquirySubstance.__table__)


def email_index(email: str) -> str:
    return blind_index("email:" + email.strip().lower())


def phone_index(e164: str) -> str:
    return blind_index("phone:" + e164.strip())


def _same_details(email: str | None, phone: str | None) -> list[Any]:
    conditions = []
    if email:
        conditions.append(Person.email_index == email_index(email))
    if phone:
        conditions.append(Person.phone_index == phone_index(phone))
    return conditions


def find_people(email: str | None, phone: str | None) -> list[Person]:
    """Everyone with this exact email or phone (blind index), oldest first."""
    conditions = _same_details(email, phone)
    if not conditions:
        return []
    return list(
        db.session.scalars(select(Person).where(or_(*conditions)).order_by(Person.id)).all()
    )


@dataclass(frozen=True)
class OpenEpisode:
    """An episode going on, as much of it as placing an inquiry needs."""

    id: int
    owner_id: int | None


@lru_cache(maxsize=16)
def _people_with_open_episode_query(
    by_email: bool, by_phone: bool, ended: tuple[str, ...]
) -> Select[int, str | None, str | None, str | None, int | None, int, int | None]:
    """The statement of :func:`_people_with_open_episode`, built once per shape: building a
    select costs more than running it from the compiled cache."""
    going_on = aliased(Episode)
    conditions: list[Any] = []
    if by_email:
        conditions.append(Person.email_index == bindparam("email_index"))
    if by_phone:
        conditions.append(Person.phone_index == bindparam("phone_index"))
    return (
        select(
            Person.id,
            Person.name,
            Person.email_index,
            Person.phone_index,
            Person.merged_into_id,
            going_on.id,
            going_on.owner_id,
        )
        .outerjoin(going_on, going_on.id == open_episode_id_of(Person.id, ended))
        .where(or_(*conditions))
        .order_by(Person.id)
    )


@dataclass(frozen=True)
class _Candidate:
    """What matching needs of a person found by email or phone: columns, not an ORM object
    (loading one costs more than the query; the intake path loads it only when it must)."""

    id: int
    name: str | None
    email_index: str | None
    phone_index: str | None
    merged_into_id: int | None


def _people_with_open_episode(
    email_idx: str | None, phone_idx: str | None
) -> list[tuple[_Candidate, OpenEpisode | None]]:
    """:func:`find_people` by blind index, each with the episode going on
    (``open_episode_of``), in one query: the intake path then needs no second round trip to
    find the episode it joins."""
    if not email_idx and not phone_idx:
        return []
    params = {}
    if email_idx:
        params["email_index"] = email_idx
    if phone_idx:
        params["phone_index"] = phone_idx
    query = _people_with_open_episode_query(bool(email_idx), bool(phone_idx), ended_stages())
    # On the session's connection: plain rows, without the ORM's per-execution setup (about
    # half of this query's Python cost; it runs on every inquiry). The session's transaction
    # is the same; nothing pending needs flushing for it (the intake path adds none before).
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # Compiled once, run on the driver's connection (see intake.core.prepared).
        # A read: it may run before the transaction of a connection that begins at its first
        # write (the intake use case's; intake.core.first_write).
        rows: Sequence[Sequence[Any]] = prepared(query, connection.dialect).rows(
            connection, params, outside_transaction=True
        )
    else:
        rows = connection.execute(query, params).all()
    return [
        (
            _Candidate(int(row[0]), row[1], row[2], row[3], row[4]),
            None if row[5] is None else OpenEpisode(int(row[5]), row[6]),
        )
        for row in rows
    ]


def find_person(email: str | None, phone: str | None) -> Person | None:
    """The person with this exact email or phone (email wins when both match others)."""
    matches = find_people(email, phone)
    if email:
        index = email_index(email)
        for person in matches:
            if person.email_index == index:
                return person
    return matches[0] if matches else None


def _current(person: Person) -> Person:
    """The record a merged person now lives in (a merge chain is followed to its end)."""
    seen = {person.id}
    while person.merged_into_id is not None and person.merged_into_id not in seen:
        seen.add(person.merged_into_id)
        merged_into = db.session.get(Person, person.merged_into_id)
        if merged_into is None:
            break
        person = merged_into
    return person


@dataclass
class PersonMatch:
    # The person's row when it is loaded; None when the match knows only ``known_id`` (a
    # person writing again is placed by id, and loaded only if something needs the row).
    loaded: Person | None
    created: bool
    duplicates: list[Likeness] = field(default_factory=list)
    # The person's episode going on, when the match already knows it (``episode_known``): a new
    # person has none, a linked one came back with it. Unknown for a record reached through a
    # merge; placing the inquiry then looks it up.
    open_episode: OpenEpisode | None = None
    episode_known: bool = False
    known_id: int | None = None

    @property
    def person(self) -> Person:
        """The person's row (loaded now if the match knew only its id)."""
        if self.loaded is None:
            self.loaded = db.session.get_one(Person, self.known_id)
        return self.loaded

    @property
    def person_id(self) -> int:
        if self.loaded is None:
            return int(cast(int, self.known_id))
        return int(self.loaded.id)


def match_or_create_person(
    *,
    name: str | None,
    email: str | None,
    phone: str | None,
    language: str,
    country: str | None,
) -> PersonMatch:
    """The person an inquiry is about: the existing one when the same person is plainly writing
    again (same email and same normalised name, both missing counting as the same), else a new
    one added to the session, with every exact email or phone match as a likely duplicate.

    A link never overwrites what is stored; missing contact details are filled in.
    """
    email_idx = email_index(email) if email else None
    phone_idx = phone_index(phone) if phone else None
    found = _people_with_open_episode(email_idx, phone_idx)
    wanted = normalise_name(name)
    for found_row, open_episode in found:
        same_email = bool(email_idx) and found_row.email_index == email_idx
        if same_email and normalise_name(found_row.name) == wanted:
            if found_row.merged_into_id is None and not (phone and found_row.phone_index is None):
                # The same person, nothing to fill in, not merged: no row to load.
                return PersonMatch(
                    None,
                    created=False,
                    open_episode=open_episode,
                    episode_known=True,
                    known_id=found_row.id,
                )
            candidate = db.session.get_one(Person, found_row.id)
            person = _current(candidate)
            if phone and person.phone_index is None:
                person.phone = phone
                person.phone_index = phone_idx
            if person is not candidate:  # merged: the episode found was the old record's
                return PersonMatch(person, created=False)
            return PersonMatch(person, created=False, open_episode=open_episode, episode_known=True)
    person = Person(name=name, language=language, country=country)
    if email:
        person.email, person.email_index = email, email_idx
    if phone:
        person.phone, person.phone_index = phone, phone_idx
    db.session.add(person)
    others: dict[int, Person] = {}
    if found:
        with db.session.no_autoflush:
            matches = list(
                db.session.scalars(
                    select(Person)
                    .where(Person.id.in_([row.id for row, _ in found]))
                    .order_by(Person.id)
                ).all()
            )
    else:
        matches = []
    for candidate in matches:
        current = _current(candidate)
        others.setdefault(current.id, current)
    duplicates = [
        likeness(other, name=name, email_idx=email_idx, phone_idx=phone_idx)
        for other in others.values()
    ]
    return PersonMatch(person, created=True, duplicates=duplicates, episode_known=True)


@dataclass(frozen=True)
class Placement:
    """Where an inquiry landed: its person (new or not), the episode (opened or joined), the
    owner, the sender recorded as a contact, and the duplicate candidates found."""

    person_id: int
    new_person: bool
    # The episode joined or opened; the id of a joined one when it was known from the match
    # (then no Episode is loaded). A new episode gets its id from the commit's flush.
    episode: Episode | None
    episode_id: int | None
    new_episode: bool
    contact: Contact | None
    duplicates: int


def match_person(
    *,
    name: str | None,
    email: str | None,
    phone: str | None,
    language: str,
    country: str | None,
) -> PersonMatch:
    """:func:`match_or_create_person` for the intake path: a new person is flushed at once (the
    inquiry row that follows refers to it); a linked one is only updated where details were
    missing."""
    match = match_or_create_person(
        name=name, email=email, phone=phone, language=language, country=country
    )
    if match.created:
        db.session.flush()
    return match


def place_inquiry(
    inquiry_id: int,
    received_at: datetime,
    for_whom: str,
    match: PersonMatch,
    answers: Mapping[str, Any],
    origin: Origin | None = None,
    batch: InsertBatch | None = None,
) -> Placement:
    """Give a stored inquiry its episode (opened or joined) and owner, its sender as a contact
    when it is for someone else, and its person's duplicate candidates, in the caller's
    transaction.

    ``match`` is what :func:`match_person` found; ``answers`` are the inquiry's validated answers
    (name, email, phone as given); ``origin`` how it arrived (its :class:`ReferralSource` row).
    An inquiry for someone else records its sender as a
    :class:`Contact` who may only be told the inquiry was received. Adds rows and one audit
    event and issues no flush of its own: the commit's flush stores them in one go, so the
    intake path stays a handful of statements. With ``batch`` (the use case's), the episode link
    of a joined episode and the source are rows of the batch, written in its one statement.
    """
    name, email, phone = answers.get("name"), answers.get("email"), answers.get("phone")
    episode: Episode | None = None
    if match.open_episode is not None:
        # Joined, and the match brought the episode back: one plain insert, nothing loaded.
        episode_id, owner_id, new_episode = (
            match.open_episode.id,
            match.open_episode.owner_id,
            False,
        )
        link = {"inquiry_id": inquiry_id, "episode_id": episode_id}
        if batch is not None:
            batch.add(_EPISODE_INQUIRIES, link)
        else:
            db.session.execute(_INSERT_EPISODE_INQUIRY, link)
    else:
        with db.session.no_autoflush:
            person = match.person
            if match.episode_known:  # nothing going on: no need to look again
                episode, new_episode = start_episode(person, at=received_at), True
            else:
                episode, new_episode = open_or_join_episode(person, at=received_at)
            if new_episode:
                assign_new(episode, received_at)
        db.session.add(EpisodeInquiry(episode=episode, inquiry_id=inquiry_id))
        episode_id, owner_id = episode.id, episode.owner_id
    if origin is not None:
        record_source(inquiry_id, origin, batch)
        record_referrer(episode, episode_id, origin)

    # The substance codes, for the reports (validated answers carry known codes only).
    codes = [code for code in dict.fromkeys(answers.get("substances") or ()) if code in SUBSTANCES]
    if batch is not None:
        for code in codes:
            batch.add(_INQUIRY_SUBSTANCES, {"inquiry_id": inquiry_id, "substance": code})
    else:
        db.session.add_all(
            InquirySubstance(inquiry_id=inquiry_id, substance=code) for code in codes
        )
    contact = None
    relation = SENDER_RELATION.get(for_whom)
    if relation is not None:
        contact = Contact(
            person=match.person,
            relation=relation.value,
            name=name,
            email=email,
            phone=phone,
            email_index=email_index(email) if email else None,
            phone_index=phone_index(phone) if phone else None,
            may_be_told=Disclosure.ACKNOWLEDGE_ONLY.value,
            inquiry_id=inquiry_id,
        )
        db.session.add(contact)
    likely = [item for item in match.duplicates if item.reasons]
    duplicates = propose_for_new(match.person, likely) if likely else []
    record(
        AuditTag.EPISODE_OPENED if new_episode else AuditTag.EPISODE_JOINED,
        target_type="episode",
        target=episode,
        target_id=episode_id,
        detail={
            "owner": owner_id,
            "new_person": match.created,
            "contact": contact is not None,
            "duplicates": len(duplicates),
        },
    )
    return Placement(
        person_id=match.person_id,
        new_person=match.created,
        episode=episode,
        episode_id=episode_id,
        new_episode=new_episode,
        contact=contact,
        duplicates=len(duplicates),
    )
