"""Finding or creating the person an inquiry belongs to, without decrypting anyone."""

from __future__ import annotations

from sqlalchemy import or_, select

from intake.crm.models import Person
from intake.extensions import db
from intake.security.encryption import blind_index


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
