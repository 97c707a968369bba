"""The admissions pipeline: one table (configurable) says which moves are allowed; an inquiry
opens or joins an episode; "contacted" comes from the first contact that reaches the person;
every move is history and audit; refusals are clear and change nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from intake.crm import use_cases
from intake.crm.episodes import stage_spans
from intake.crm.errors import CloseRefusedError, MoveRefusedError
from intake.crm.models import Episode, StageChange
from intake.crm.pipeline import (
    DEFAULT_TABLE,
    PipelineConfigError,
    load_pipeline,
    pipeline_from,
)
from intake.crm.vocabulary import CLOSED, CloseReason, Stage, counts_for_conversion
from intake.extensions import db
from intake.public.models import Inquiry
from intake.triage import use_cases as triage_use_cases
from intake.triage.services import case_for
from tests.conftest import audit_tags
from tests.factories import UserFactory, accepted_inquiry, episode_of


def _history(episode: Episode) -> list[tuple[str | None, str]]:
    return [
        (row.from_stage, row.to_stage)
        for row in db.session.scalars(
            select(StageChange).where(StageChange.episode_id == episode.id).order_by(StageChange.id)
        )
    ]


# The table -------------------------------------------------------------------------------


def test_the_pipeline_module_imports_without_flask_or_sqlalchemy() -> None:
    code = (
        "import sys, intake.crm.pipeline, intake.crm.vocabulary;"
        "bad = [m for m in ('flask', 'sqlalchemy', 'config') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_the_default_table_has_the_stages_in_order_and_its_moves() -> None:
    pipeline = load_pipeline()
    assert [stage.value for stage in pipeline.stages] == [
        "new",
        "contacted",
        "pre_assessment",
        "clinical_review",
        "offer",
        "admitted",
        "discharged",
        "alumni",
    ]
    assert pipeline.can_move("offer", "admitted")
    assert not pipeline.can_move("new", "admitted")
    assert not pipeline.can_move("new", "no-such-stage")


def test_duplicate_and_not_real_are_left_out_of_conversion_reports() -> None:
    assert not counts_for_conversion(CloseReason.DUPLICATE)
    assert not counts_for_conversion(CloseReason.NOT_REAL)
    assert counts_for_conversion(CloseReason.COST)
    assert counts_for_conversion(None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"stages": ["new", "waitlist"]}, "unknown stage 'waitlist'"),
        ({"moves": {"new": ["alumni", "nowhere"]}}, "unknown stage 'nowhere'"),
        ({"stages": []}, "non-empty"),
        ({"closable": ["admitted", "ghost"]}, "unknown stage 'ghost'"),
    ],
)
def test_a_malformed_table_is_refused_with_where(change: dict[str, object], message: str) -> None:
    with pytest.raises(PipelineConfigError, match=message):
        pipeline_from({**DEFAULT_TABLE, **change})


def test_a_clinic_changes_the_moves_with_a_file(tmp_path: Path) -> None:
    table = {**DEFAULT_TABLE, "moves": {**DEFAULT_TABLE["moves"], "contacted": ["offer"]}}
    path = tmp_path / "pipeline.json"
    path.write_text(json.dumps(table), encoding="utf-8")
    pipeline = load_pipeline(str(path))
    assert pipeline.can_move("contacted", "offer")
    assert not pipeline.can_move("contacted", "pre_assessment")


def test_the_app_uses_the_configured_table(app: Flask, staff: dict) -> None:
    table = {**DEFAULT_TABLE, "moves": {**DEFAULT_TABLE["moves"], "new": ["contacted", "offer"]}}
    with app.app_context():
        previous = app.extensions["crm.pipeline"]
        app.extensions["crm.pipeline"] = pipeline_from(table)
        try:
            episode = episode_of(accepted_inquiry())
            use_cases.move(episode, "offer", next(iter(staff.values())))
            assert episode.stage == "offer"
        finally:
            app.extensions["crm.pipeline"] = previous


# Episodes --------------------------------------------------------------------------------


def test_an_inquiry_opens_an_episode_at_new_and_a_second_one_joins_it(app: Flask) -> None:
    with app.app_context():
        first = accepted_inquiry(email="one@example.net", name="Ana Ruiz")
        second = accepted_inquiry(email="one@example.net", name="Ana Ruiz", message="again")
        episode = episode_of(first)
        assert episode.stage == "new"
        assert episode_of(second).id == episode.id
        assert _history(episode) == [(None, "new")]
        assert audit_tags(app, target_type="episode", target_id=str(episode.id)) == [
            "crm:episode:opened",
            "crm:episode:joined",
        ]


def test_staff_move_an_episode_along_the_table_and_each_move_is_history_and_audit(
    app: Flask, staff: dict
) -> None:
    actor = next(iter(staff.values()))
    with app.app_context():
        inquiry_id = accepted_inquiry()
        case = case_for(inquiry_id)
        assert case is not None
        triage_use_cases.record_contact_attempt(case, actor, "phone", "reached", None)
        episode = episode_of(inquiry_id)
        for stage in ("pre_assessment", "clinical_review", "offer", "admitted"):
            use_cases.move(episode, stage, actor)
        assert episode.stage == "admitted"
        assert _history(episode)[-1] == ("offer", "admitted")
        tags = audit_tags(app, target_type="episode", target_id=str(episode.id))
        assert tags.count("crm:episode:moved") == 5
        spans = stage_spans(episode)
        assert [span.stage for span in spans] == [
            "new",
            "contacted",
            "pre_assessment",
            "clinical_review",
            "offer",
            "admitted",
        ]
        assert spans[-1].left_at is None
        assert all(span.duration() >= timedelta(0) for span in spans)


def test_contacted_is_reached_by_the_first_contact_that_reaches_the_person(
    app: Flask, staff: dict
) -> None:
    actor = next(iter(staff.values()))
    with app.app_context():
        inquiry_id = accepted_inquiry()
        case = case_for(inquiry_id)
        assert case is not None
        triage_use_cases.record_contact_attempt(case, actor, "phone", "no_answer", None)
        episode = episode_of(inquiry_id)
        assert episode.stage == "new"
        triage_use_cases.record_contact_attempt(case, actor, "phone", "reached", None)
        assert episode.stage == "contacted"
        change = db.session.scalars(
            select(StageChange).where(
                StageChange.episode_id == episode.id, StageChange.to_stage == "contacted"
            )
        ).one()
        assert change.changed_at == case.reached_at
        assert change.actor_id == actor
        assert change.cause == "contact_attempt"


def test_contacted_cannot_be_clicked(app: Flask, staff: dict) -> None:
    with app.app_context():
        episode = episode_of(accepted_inquiry())
        with pytest.raises(MoveRefusedError, match="automatic_stage") as refused:
            use_cases.move(episode, "contacted", next(iter(staff.values())))
        assert episode.stage == "new"
    with app.test_request_context("/staff/"):
        assert str(refused.value.message) == (
            "Contacted is reached by logging a contact attempt that reaches the person."
        )


@pytest.mark.parametrize("target", ["admitted", "alumni", "nowhere", "new"])
def test_a_move_the_table_forbids_is_refused_and_changes_nothing(
    app: Flask, staff: dict, target: str
) -> None:
    with app.app_context():
        episode = episode_of(accepted_inquiry())
        with pytest.raises(MoveRefusedError) as refused:
            use_cases.move(episode, target, next(iter(staff.values())))
        assert episode.stage == "new"
        assert _history(episode) == [(None, "new")]
    with app.test_request_context("/staff/"):
        message = str(refused.value.message)
    assert (
        message
        == {
            "admitted": "An episode at New cannot move to Admitted. Allowed next: Contacted.",
            "alumni": "An episode at New cannot move to Alumni. Allowed next: Contacted.",
            "nowhere": "There is no such stage.",
            "new": "The episode is already at New.",
        }[target]
    )


def test_closing_needs_a_known_reason_and_a_referral_when_referred_elsewhere(
    app: Flask, staff: dict
) -> None:
    actor = next(iter(staff.values()))
    with app.app_context():
        episode = episode_of(accepted_inquiry())
        with pytest.raises(CloseRefusedError, match="referral_missing"):
            use_cases.close(episode, "referred_elsewhere", actor)
        with pytest.raises(CloseRefusedError, match="unknown_reason"):
            use_cases.close(episode, "bored", actor)
        assert episode.closed_at is None
        use_cases.close(episode, "referred_elsewhere", actor, referred_to="Clinica Sol, Malaga")
        assert episode.close_reason == "referred_elsewhere"
        assert episode.referred_to == "Clinica Sol, Malaga"
        assert _history(episode)[-1] == ("new", CLOSED)
        with pytest.raises(CloseRefusedError, match="already_closed"):
            use_cases.close(episode, "cost", actor)
        with pytest.raises(MoveRefusedError, match="closed"):
            use_cases.move(episode, "pre_assessment", actor)


def test_an_admitted_episode_cannot_be_closed_it_is_discharged(app: Flask, staff: dict) -> None:
    actor = next(iter(staff.values()))
    with app.app_context():
        episode = episode_of(accepted_inquiry())
        episode.stage = Stage.ADMITTED.value
        with pytest.raises(CloseRefusedError, match="not_closable"):
            use_cases.close(episode, "cost", actor)


def test_a_readmission_is_a_new_episode_under_the_same_person(app: Flask, staff: dict) -> None:
    actor = next(iter(staff.values()))
    with app.app_context():
        first = accepted_inquiry(email="back@example.net", name="Luc")
        episode = episode_of(first)
        episode.stage = Stage.ADMITTED.value
        use_cases.move(episode, "discharged", actor)
        second = accepted_inquiry(email="back@example.net", name="Luc", message="again")
        readmission = episode_of(second)
        assert readmission.id != episode.id
        assert readmission.person_id == episode.person_id
        assert readmission.stage == "new"
        person = db.session.get(Inquiry, second).person
        use_cases.close(readmission, "not_real", actor)
        third = accepted_inquiry(email="back@example.net", name="Luc", message="third")
        assert episode_of(third).id not in {episode.id, readmission.id}
        assert db.session.get(Inquiry, third).person is person


def test_two_staff_moving_one_episode_at_once_one_is_refused(app: Flask) -> None:
    with app.app_context():
        actor = UserFactory().id
        episode = episode_of(accepted_inquiry())
        db.session.commit()
        # Another worker moved it first: the version this session read is stale.
        db.session.execute(
            Episode.__table__.update()
            .where(Episode.id == episode.id)
            .values(version=Episode.version + 1, stage="pre_assessment")
        )
        episode.stage = "contacted"  # what this worker still believes
        with pytest.raises(MoveRefusedError, match="changed_meanwhile"):
            use_cases.move(episode, "pre_assessment", actor)
