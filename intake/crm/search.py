"""Finding a person: by inquiry reference, email or phone (through the blind indexes, nothing
decrypted to look), or by name among a bounded set of recent people (only those are decrypted).

What was searched is said back to staff (:attr:`SearchResult.searched`), so nobody takes "no
result among the last 90 days" for "this person never wrote". Every refusal is a message, never
an error: the query is never put into SQL as text, so quotes, ``%`` and ``_`` mean nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

import phonenumbers
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from intake.crm.duplicates import name_score, normalise_name
from intake.crm.models import Person
from intake.crm.services import email_index, phone_index
from intake.extensions import db
from intake.public.models import Inquiry
from intake.public.services import REFERENCE_ALPHABET

QUERY_MAX = 200
# Names are decrypted for at most this many people, newest first, created within the window.
NAME_SCAN_LIMIT = 2000
NAME_WINDOWS = (30, 90, 365)
DEFAULT_WINDOW = 90
NAME_MATCH = 80

_REFERENCE = re.compile(f"^[{REFERENCE_ALPHABET}]{{10}}$")
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()./-]+$")
# A name: letters (any script), spaces, apostrophes, hyphens and dots.
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\u2019.-]+[^\W\d_]+)*\.?$")


class SearchKind(StrEnum):
    REFERENCE = "reference"
    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"


@dataclass
class SearchResult:
    kind: SearchKind | None = None
    people: list[Person] = field(default_factory=list)
    # What was searched, in words for staff; or why nothing was.
    searched: LazyString | str = ""
    refused: LazyString | None = None
    scanned: int = 0


def _reference(text: str) -> str | None:
    compact = re.sub(r"[\s-]", "", text).upper()
    if not _REFERENCE.match(compact):
        return None
    return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}"


def _current(person: Person) -> Person:
    """A merged record is shown as the record it lives in now."""
    seen = {person.id}
    while person.merged_into_id is not None and person.merged_into_id not in seen:
        seen.add(person.merged_into_id)
        target = db.session.get(Person, person.merged_into_id)
        if target is None:
            break
        person = target
    return person


def _unique(people: list[Person]) -> list[Person]:
    found: dict[int, Person] = {}
    for person in people:
        current = _current(person)
        found.setdefault(current.id, current)
    return list(found.values())


def search(text: str | None, now: datetime, *, window_days: int = DEFAULT_WINDOW) -> SearchResult:
    """Find people for ``text``; see the module docstring for what each kind looks at."""
    query = (text or "").strip()
    if not query:
        return SearchResult()
    if len(query) > QUERY_MAX:
        return SearchResult(
            refused=_l("That is too long to be a reference, email, phone or name. Shorten it.")
        )
    reference = _reference(query)
    if reference is not None:
        inquiries = db.session.scalars(
            select(Inquiry).where(Inquiry.reference == reference).limit(5)
        ).all()
        people = [inquiry.person for inquiry in inquiries if inquiry.person is not None]
        return SearchResult(
            SearchKind.REFERENCE,
            _unique(people),
            _l("Inquiry reference %(reference)s.", reference=reference),
        )
    if "@" in query:
        people = list(
            db.session.scalars(
                select(Person).where(Person.email_index == email_index(query)).limit(50)
            )
        )
        return SearchResult(
            SearchKind.EMAIL, _unique(people), _l("Exact email address (letter case ignored).")
        )
    if _PHONE_CHARS.match(query) and sum(ch.isdigit() for ch in query) >= 6:
        try:
            number = phonenumbers.parse(query if query.startswith("+") else "+" + query, None)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_possible_number(number):
            return SearchResult(
                SearchKind.PHONE,
                refused=_l("Type the phone number with its country code, like +34 600 000 000."),
            )
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        people = list(
            db.session.scalars(
                select(Person).where(Person.phone_index == phone_index(e164)).limit(50)
            )
        )
        return SearchResult(
            SearchKind.PHONE, _unique(people), _l("Exact phone number %(phone)s.", phone=e164)
        )
    if not _NAME.match(query):
        return SearchResult(
            refused=_l(
                "Search by a reference, an email address, a phone number or a name "
                "(letters, spaces, hyphens and apostrophes only)."
            )
        )
    return _by_name(query, now, window_days)


def _by_name(query: str, now: datetime, window_days: int) -> SearchResult:
    if window_days not in NAME_WINDOWS:
        window_days = DEFAULT_WINDOW
    since = now - timedelta(days=window_days)
    candidates = db.session.scalars(
        select(Person)
        .where(Person.created_at >= since, Person.merged_into_id.is_(None))
        .order_by(Person.created_at.desc(), Person.id.desc())
        .limit(NAME_SCAN_LIMIT)
    ).all()
    wanted = normalise_name(query)
    scored = []
    for person in candidates:
        name = normalise_name(person.name)
        if not name:
            continue
        score = 100 if wanted in name else name_score(wanted, name)
        if score >= NAME_MATCH:
            scored.append((score, person))
    scored.sort(key=lambda item: (-item[0], -item[1].id))
    return SearchResult(
        SearchKind.NAME,
        [person for _score, person in scored[:50]],
        _l(
            "Names of the %(n)d most recent people created in the last %(days)d days "
            "(at most %(limit)d are read). Older records: search by reference, email or phone.",
            n=len(candidates),
            days=window_days,
            limit=NAME_SCAN_LIMIT,
        ),
        scanned=len(candidates),
    )
