"""Migration 0012 gives the inquiries already stored their episodes: nothing is lost when the
pipeline arrives."""

from __future__ import annotations

from datetime import timedelta

import flask_migrate
import pytest
from flask import Flask
from sqlalchemy import insert, select

from intake.core.types import utcnow
from intake.crm.models import AssignmentRotation, Episode, EpisodeInquiry, StageChange
from intake.extensions import db
from intake.public.models import Inquiry
from intake.triage.models import TriageCase


def test_existing_inquiries_get_one_episode_per_person_with_its_history(
    app: Flask, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from intake import create_app
    from tests.conftest import temporary_database

    people = db.metadata.tables["people"]
    with temporary_database(tmp_path_factory, "crm-backfill") as url:
        other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None})
        with other.app_context():
            flask_migrate.upgrade(revision="0011")
            now = utcnow()
            with db.engine.begin() as connection:
                for person_id in (1, 2):
                    connection.execute(
                        insert(people).values(id=person_id, created_at=now, language="en")
                    )
                for inquiry_id, person_id, reached in ((1, 1, False), (2, 1, True), (3, 2, False)):
                    received = now - timedelta(hours=10 - inquiry_id)
                    connection.execute(
                        insert(Inquiry.__table__).values(
                            id=inquiry_id,
                            reference=f"REF{inquiry_id}",
                            person_id=person_id,
                            received_at=received,
                            source="test",
                            language="en",
                            for_whom="self",
                            safe_to_leave_message=False,
                            message="m",
                            answers={"message": "m"},
                            consent_version="v",
                            consent_text="t",
                            suspected_automated=False,
                        )
                    )
                    connection.execute(
                        insert(TriageCase.__table__).values(
                            inquiry_id=inquiry_id,
                            status="contacted" if reached else "new",
                            priority="P2",
                            received_at=received,
                            due_at=received,
                            reached_at=received + timedelta(minutes=5) if reached else None,
                            version=1,
                        )
                    )
            flask_migrate.upgrade()
            # Its own engine: the test's session is bound to the run's database.
            with db.engine.connect() as connection:
                episodes = {
                    row.person_id: row
                    for row in connection.execute(select(Episode.__table__)).all()
                }
                links = dict(
                    connection.execute(
                        select(EpisodeInquiry.inquiry_id, EpisodeInquiry.episode_id)
                    ).all()
                )
                history = connection.execute(
                    select(
                        StageChange.episode_id, StageChange.from_stage, StageChange.to_stage
                    ).order_by(StageChange.episode_id, StageChange.id)
                ).all()
                rotation = connection.execute(select(AssignmentRotation.name)).scalars().all()
            db.engine.dispose()
    assert {pid: row.stage for pid, row in episodes.items()} == {1: "contacted", 2: "new"}
    assert links == {1: episodes[1].id, 2: episodes[1].id, 3: episodes[2].id}
    assert [tuple(row) for row in history] == [
        (episodes[1].id, None, "new"),
        (episodes[1].id, "new", "contacted"),
        (episodes[2].id, None, "new"),
    ]
    assert rotation == ["admissions"]
