"""factory_boy factories for the records tests need, and the one helper that files an inquiry the
way the front door does.

Two ways to make an inquiry, for two kinds of test:
- :func:`accepted_inquiry` runs the real use case (validation, person match, triage, case,
  outbox, audit, one commit): for tests of what staff then see and do.
- :class:`InquiryFactory` writes the rows directly, triage case included, without the use case:
  for tests that need an inquiry in a state the front door would not produce (a given priority
  with no matching words, a deleted subject, a record in another transaction).

The factories flush into ``db.session`` and leave the commit to the test.
"""

from __future__ import annotations

import os
from typing import Any

import factory
from argon2 import PasswordHasher
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy import select

from config import TestingConfig
from intake.auth.models import User
from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.crm.models import Episode, EpisodeInquiry, Person
from intake.crm.services import email_index, phone_index
from intake.extensions import db
from intake.messaging.models import Alert
from intake.public.models import Inquiry
from intake.public.services import new_reference
from intake.public.validation import validate_inquiry
from intake.triage.models import TriageCase
from intake.usecases.accept_inquiry import accept_inquiry

PASSWORD = "correct horse battery staple"
# Hashed once, at the testing configuration's (cheap) cost, as the app would hash it; every test
# user shares it.
PASSWORD_HASH = PasswordHasher(**TestingConfig(os.environ).PASSWORD_HASH_PARAMS).hash(PASSWORD)


class _Factory(SQLAlchemyModelFactory):  # type: ignore[misc]
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(_Factory):
    """A staff member with the shared test password; ``roles`` is a set of :class:`Role`."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"staff{n}@example.org")
    display_name = factory.LazyAttribute(lambda user: user.email.split("@")[0].title())
    password_hash = PASSWORD_HASH
    active = True

    @factory.post_generation
    def roles(self, create: bool, extracted: set[Role] | None, **_: Any) -> None:
        self.set_roles({Role.ADMISSIONS} if extracted is None else extracted)


class PersonFactory(_Factory):
    """Someone who reached out, blind-indexed as the person match would store them."""

    class Meta:
        model = Person

    name = "Maria Example"
    email = factory.Sequence(lambda n: f"person{n}@example.net")
    phone: str | None = None
    language = "en"
    country = "GB"
    email_index = factory.LazyAttribute(lambda p: email_index(p.email) if p.email else None)
    phone_index = factory.LazyAttribute(lambda p: phone_index(p.phone) if p.phone else None)


class TriageCaseFactory(_Factory):
    """The queue entry of an inquiry (``inquiry`` is the inquiry object)."""

    class Meta:
        model = TriageCase
        exclude = ("inquiry",)

    inquiry: Any = None
    inquiry_id = factory.LazyAttribute(lambda case: case.inquiry.id)
    status = "new"
    priority = "P2"
    received_at = factory.LazyAttribute(lambda case: case.inquiry.received_at)
    due_at = factory.SelfAttribute("received_at")


class InquiryFactory(_Factory):
    """An inquiry as received, with its triage case at ``priority``."""

    class Meta:
        model = Inquiry

    class Params:
        priority = "P2"

    person = factory.SubFactory(PersonFactory)
    reference = factory.LazyFunction(new_reference)
    received_at = factory.LazyFunction(utcnow)
    source = "test"
    language = factory.SelfAttribute("person.language")
    country = factory.SelfAttribute("person.country")
    for_whom = "self"
    message = "my private words"
    answers = factory.LazyAttribute(lambda inquiry: {"message": inquiry.message})
    consent_version = "test"
    consent_text = "test"
    case = factory.RelatedFactory(
        TriageCaseFactory,
        factory_related_name="inquiry",
        priority=factory.SelfAttribute("..priority"),
    )


class AlertFactory(_Factory):
    """The on-call alert of an urgent inquiry, not yet sent."""

    class Meta:
        model = Alert

    inquiry_id = factory.LazyFunction(lambda: InquiryFactory(priority="P0").id)
    priority = "P0"


def inquiry_payload(**fields: Any) -> dict[str, Any]:
    """What a person could send through the form or the API: a message and a way to reach them."""
    return {"consent": True, "email": "q@example.net", "message": "Please call me back", **fields}


def accepted_inquiry(**fields: Any) -> int:
    """File an inquiry through the real use case (committed); its id. Needs an app context."""
    data, errors = validate_inquiry(inquiry_payload(**fields))
    assert data is not None, errors
    return accept_inquiry(data, source="test").inquiry.id


def episode_of(inquiry_id: int) -> Episode:
    """The episode an accepted inquiry opened or joined."""
    return db.session.scalars(
        select(Episode)
        .join(EpisodeInquiry, EpisodeInquiry.episode_id == Episode.id)
        .where(EpisodeInquiry.inquiry_id == inquiry_id)
    ).one()
