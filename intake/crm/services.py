"""Finding or creating the person an inquiry belongs to, without decrypting anyone."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, insert, or_, select, update

from intake.crm.models import Person
from intake.extensions import db
from intake.security.encryption import blind_index

_PEOPLE = cast(Table, Person.__table__)
_INSERT_PERSON = insert(_PEOPLE).returning(_PEOPLE.c.id)


def email_index(email: str) -> str:
    return blind_index("email:" + email.strip().lower())


def phone_index(e164: str) -> str:
    return blind_index("phone:" + e164.strip())


def find_person(email: str | None, phone: str | None) -> Person | None:
    """The person with this exact email or phone (email wins when both match others)."""
    conditions = []
    if email:
        conditions.append(Person.email_index == email_index(email))
    if phone:
        conditions.append(Person.phone_index == phone_index(phone))
    if not conditions:
        return None
    matches = db.session.scalars(select(Person).where(or_(*conditions)).order_by(Person.id)).all()
    if email:
        for person in matches:
            if person.email_index == email_index(email):
                return person
    return matches[0] if matches else None


def match_or_create_person(
    *,
    name: str | None,
    email: str | None,
    phone: str | None,
    language: str,
    country: str | None,
) -> tuple[Person, bool]:
    """Return the matching person, or a new one added to the session; and whether it is new.

    A match never overwrites what is stored; missing contact details are filled in.
    """
    person = find_person(email, phone)
    if person is None:
        person = Person(name=name, language=language, country=country)
        db.session.add(person)
        created = True
    else:
        created = False
    if email and person.email_index is None:
        person.email = email
        person.email_index = email_index(email)
    if phone and person.phone_index is None:
        person.phone = phone
        person.phone_index = phone_index(phone)
    if name and not person.name:
        person.name = name
    return person, created


@lru_cache(maxsize=4)
def _match_query(by_email: bool, by_phone: bool) -> Select[Any]:
    """The people with this email or phone index, built once per combination."""
    conditions = []
    if by_email:
        conditions.append(_PEOPLE.c.email_index == bindparam("email_index"))
    if by_phone:
        conditions.append(_PEOPLE.c.phone_index == bindparam("phone_index"))
    return (
        select(
            _PEOPLE.c.id,
            _PEOPLE.c.email_index,
            _PEOPLE.c.phone_index,
            _PEOPLE.c.name.is_(None).label("nameless"),
        )
        .where(or_(*conditions))
        .order_by(_PEOPLE.c.id)
    )


def match_or_add_person(
    *,
    name: str | None,
    email: str | None,
    phone: str | None,
    language: str,
    country: str | None,
) -> tuple[int, bool]:
    """:func:`match_or_create_person` for the intake path: the same rules, in plain statements.

    Returns the person's id and whether the person is new. Nobody is loaded or decrypted: the
    match reads blind indexes, and only what is missing is written.
    """
    by_email = email_index(email) if email else None
    by_phone = phone_index(phone) if phone else None
    rows = (
        db.session.execute(
            _match_query(by_email is not None, by_phone is not None),
            {
                name: value
                for name, value in (("email_index", by_email), ("phone_index", by_phone))
                if value is not None
            },
        ).all()
        if by_email or by_phone
        else []
    )
    match = next((row for row in rows if by_email and row.email_index == by_email), None)
    if match is None and rows:
        match = rows[0]
    if match is None:
        new_id = db.session.execute(
            _INSERT_PERSON,
            {
                "name": name,
                "email": email or None,
                "email_index": by_email,
                "phone": phone or None,
                "phone_index": by_phone,
                "language": language,
                "country": country,
            },
        ).scalar_one()
        return int(new_id), True
    missing: dict[str, str | None] = {}
    if by_email and match.email_index is None:
        missing.update(email=email, email_index=by_email)
    if by_phone and match.phone_index is None:
        missing.update(phone=phone, phone_index=by_phone)
    if name and match.nameless:
        missing["name"] = name
    if missing:
        db.session.execute(update(_PEOPLE).where(_PEOPLE.c.id == match.id).values(**missing))
    return int(match.id), False
