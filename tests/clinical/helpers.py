"""Shared set-up of the clinical tests: an episode waiting for clinical review, filed through
the real intake use case and moved along the pipeline by the CRM's own services."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from intake.crm import episodes
from intake.crm.models import Episode, EpisodeInquiry
from intake.extensions import db
from intake.vocabulary import Stage
from tests.conftest import csrf_from
from tests.factories import accepted_inquiry

# Ratings that drive the suggestion through withdrawal alone (see test_level_of_care).
RATINGS = {
    "dim_intoxication_withdrawal": "4",
    "dim_biomedical": "1",
    "dim_emotional_behavioural_cognitive": "1",
    "dim_substance_use_risks": "1",
    "dim_recovery_environment": "0",
    "dim_person_centred": "0",
}


def episode_in_review(app: Flask, stage: Stage = Stage.PRE_ASSESSMENT, **fields: Any) -> int:
    """An episode at ``stage`` (pre-assessment by default); its id."""
    fields.setdefault("email", f"review-{uuid.uuid4().hex[:8]}@example.net")
    with app.app_context():
        inquiry_id = accepted_inquiry(**fields)
        episode = db.session.scalars(
            select(Episode)
            .join(EpisodeInquiry, EpisodeInquiry.episode_id == Episode.id)
            .where(EpisodeInquiry.inquiry_id == inquiry_id)
        ).one()
        episodes.move_episode(episode, Stage.CONTACTED, None, cause=episodes.CAUSE_CONTACT)
        episodes.move_episode(episode, Stage.PRE_ASSESSMENT, None)
        if stage == Stage.CLINICAL_REVIEW:
            episodes.move_episode(episode, Stage.CLINICAL_REVIEW, None)
        db.session.commit()
        return episode.id


def post_form(client: FlaskClient, page: str, action: str, **data: Any) -> TestResponse:
    """Open ``page`` for its CSRF token and post ``data`` to ``action``."""
    token = csrf_from(client.get(page))
    return client.post(action, data={"csrf_token": token, **data})


def assessment_data(**overrides: Any) -> dict[str, Any]:
    """A complete assessment as the form posts it."""
    data: dict[str, Any] = {
        "substances-0-substance": "alprazolam",
        "substances-0-dose": "6 mg a day",
        "substances-0-duration": "3 years",
        "substances-0-route": "oral",
        "substances-0-stop_attempts": "twice, stopped abruptly",
        "withdrawal_seizure": "y",
        "asq_result": "negative",
        "safety_outcome": "not_needed",
        "audit_c_1": "1",
        "audit_c_2": "0",
        "audit_c_3": "0",
        **{f"phq9_{i}": "1" for i in range(1, 9)},
        "phq9_9": "0",
        **RATINGS,
        "summary": "Daily alprazolam, wants a supervised taper",
    }
    data.update(overrides)
    return data
