"""Aftercare fixtures: a discharged episode of a person with email and phone, and plans."""

from __future__ import annotations

import itertools
from datetime import date

from intake.aftercare import use_cases
from intake.aftercare.models import AftercarePlan
from intake.aftercare.services import PlanInput, local_today
from intake.crm.episodes import CAUSE_STAFF
from intake.crm.models import Episode, StageChange
from intake.extensions import db
from intake.vocabulary import Stage
from tests.factories import PersonFactory, UserFactory

_PHONES = itertools.count(100000)


def discharged_episode(owner_id: int | None = None, *, phone: str | None = None) -> Episode:
    """A person (email and a unique phone) whose episode reached discharge."""
    person = PersonFactory(phone=phone or f"+4179{next(_PHONES):07d}")
    owner = owner_id or UserFactory().id
    episode = Episode(person=person, stage=Stage.DISCHARGED.value, owner_id=owner)
    db.session.add(episode)
    db.session.add(
        StageChange(
            episode=episode, from_stage=None, to_stage=Stage.DISCHARGED.value, cause=CAUSE_STAFF
        )
    )
    db.session.flush()
    return episode


def plan_input(owner_id: int, **changes: object) -> PlanInput:
    zone = str(changes.get("timezone", "Europe/Zurich"))
    values: dict[str, object] = {
        "owner_id": owner_id,
        "lead_id": None,
        "channel": "email",
        "language": "en",
        "timezone": zone,
        "quiet_start": 21 * 60,
        "quiet_end": 9 * 60,
        "starts_on": local_today(zone),
        "supports": "Tuesday group",
        "consent_text": "Agreed to check-ins after discharge by email.",
    }
    values.update(changes)
    return PlanInput(**values)  # type: ignore[arg-type]


def open_plan(owner_id: int | None = None, **changes: object) -> AftercarePlan:
    owner = owner_id or UserFactory().id
    episode = discharged_episode(owner)
    return use_cases.open_plan(episode, plan_input(owner, **changes), owner)


def today() -> date:
    return local_today("UTC")
