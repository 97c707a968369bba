"""Each new episode gets an owner in turn among the admissions staff on shift (all admissions
staff when nobody is), from a rotation kept in the database; staff reassign by hand; tasks are
created and completed, never due in the past."""

from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import delete, text, update

from intake.auth.models import User
from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.crm import use_cases
from intake.crm.assignment import ADMISSIONS_ROTATION, take_turn
from intake.crm.errors import AssignmentRefusedError, TaskRefusedError
from intake.crm.models import AssignmentRotation
from intake.extensions import db
from intake.messaging.models import OnCallShift
from tests.conftest import audit_tags
from tests.factories import UserFactory, accepted_inquiry, episode_of


def _on_shift(user: User) -> None:
    now = utcnow()
    db.session.add(
        OnCallShift(
            user_id=user.id, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
        )
    )


def _owners(count: int, prefix: str = "rr") -> list[int | None]:
    """Owners of ``count`` new episodes (one new person each)."""
    return [
        episode_of(accepted_inquiry(email=f"{prefix}{n}@example.net")).owner_id
        for n in range(count)
    ]


def test_new_episodes_go_round_robin_among_admissions_staff_on_shift(app: Flask) -> None:
    with app.app_context():
        first, second, off_duty = (UserFactory(roles={Role.ADMISSIONS}) for _ in range(3))
        clinician = UserFactory(roles={Role.CLINICIAN})
        for user in (first, second, clinician):
            _on_shift(user)
        db.session.commit()
        owners = _owners(4)
        assert owners in (
            [first.id, second.id, first.id, second.id],
            [second.id, first.id, second.id, first.id],
        )
        assert off_duty.id not in owners and clinician.id not in owners


def test_with_nobody_on_shift_every_active_admissions_user_takes_turns(app: Flask) -> None:
    with app.app_context():
        users = [UserFactory(roles={Role.ADMISSIONS}) for _ in range(3)]
        UserFactory(roles={Role.ADMISSIONS}, active=False)
        db.session.commit()
        owners = _owners(6)
        assert sorted(owners[:3]) == sorted(user.id for user in users)
        assert owners[3:] == owners[:3]


def test_the_turn_is_kept_in_the_database(app: Flask) -> None:
    with app.app_context():
        users = [UserFactory(roles={Role.ADMISSIONS}) for _ in range(2)]
        db.session.commit()
        (owner,) = _owners(1)
        row = db.session.get(AssignmentRotation, ADMISSIONS_ROTATION)
        assert row is not None and row.last_user_id == owner
        # A new process (or a Redis flush) reads the same row: the next one is the other user.
        db.session.expire_all()
        assert _owners(1, "later") == [next(user.id for user in users if user.id != owner)]


def test_an_episode_is_reassigned_by_hand_and_audited(app: Flask) -> None:
    with app.app_context():
        UserFactory(roles={Role.ADMISSIONS})
        other = UserFactory(roles={Role.ADMISSIONS})
        inactive = UserFactory(roles={Role.ADMISSIONS}, active=False)
        actor = UserFactory(roles={Role.ADMIN})
        db.session.commit()
        episode = episode_of(accepted_inquiry())
        with pytest.raises(AssignmentRefusedError, match="not_eligible"):
            use_cases.reassign(episode, inactive.id, actor.id)
        use_cases.reassign(episode, other.id, actor.id)
        assert episode.owner_id == other.id
        assert "crm:episode:assigned" in audit_tags(
            app, target_type="episode", target_id=str(episode.id)
        )


@pytest.mark.live
def test_two_workers_taking_turns_at_once_never_get_the_same_one(app: Flask) -> None:
    """Two connections on PostgreSQL: the second waits on the rotation row's lock until the
    first commits, then gets the next person."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("row locks between two connections are a PostgreSQL test")
    with app.app_context():
        users = [UserFactory(roles={Role.ADMISSIONS}, email=f"turn{n}@example.org") for n in (1, 2)]
        db.session.commit()
        user_ids = [user.id for user in users]
    results: dict[str, int | None] = {}
    first_took = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with app.app_context():
                results["first"] = take_turn()
                first_took.set()
                # Commit only once the second worker is waiting for the row.
                for _ in range(500):
                    waiting = db.session.scalar(
                        text("SELECT count(*) FROM pg_locks WHERE NOT granted")
                    )
                    if waiting:
                        break
                    threading.Event().wait(0.01)
                db.session.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            first_took.set()
            errors.append(exc)

    def second() -> None:
        try:
            first_took.wait(10)
            with app.app_context():
                results["second"] = take_turn()
                db.session.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        assert sorted([results["first"], results["second"]]) == sorted(user_ids)
    finally:
        with app.app_context():
            db.session.execute(
                update(AssignmentRotation).values(last_user_id=None, updated_at=None)
            )
            db.session.execute(delete(User).where(User.id.in_(user_ids)))
            db.session.commit()


# Tasks -----------------------------------------------------------------------------------


def test_a_task_is_created_for_the_owner_and_completed(app: Flask) -> None:
    with app.app_context():
        owner = UserFactory(roles={Role.ADMISSIONS})
        db.session.commit()
        episode = episode_of(accepted_inquiry())
        assert episode.owner_id == owner.id
        task = use_cases.add_task(
            episode, "callback", utcnow() + timedelta(hours=2), owner.id, note="after 6pm"
        )
        assert (task.owner_id, task.kind, task.done_at) == (owner.id, "callback", None)
        use_cases.finish_task(task, owner.id)
        assert task.done_at is not None and task.done_by_id == owner.id
        with pytest.raises(TaskRefusedError, match="already_done"):
            use_cases.finish_task(task, owner.id)
        tags = audit_tags(app, target_type="task", target_id=str(task.id))
        assert tags == ["crm:task:created", "crm:task:completed"]


def test_a_task_due_in_the_past_is_refused_with_a_clear_message(app: Flask) -> None:
    with app.app_context():
        actor = UserFactory().id
        episode = episode_of(accepted_inquiry())
        db.session.commit()
        with pytest.raises(TaskRefusedError, match="due_in_past") as refused:
            use_cases.add_task(episode, "call", utcnow() - timedelta(hours=1), actor)
        with pytest.raises(TaskRefusedError, match="unknown_kind"):
            use_cases.add_task(episode, "lunch", utcnow() + timedelta(hours=1), actor)
        with pytest.raises(TaskRefusedError, match="naive_time"):
            use_cases.add_task(
                episode, "call", (utcnow() + timedelta(hours=1)).replace(tzinfo=None), actor
            )
    with app.test_request_context("/staff/"):
        assert str(refused.value.message) == (
            "The due time is in the past. Choose a time from now on."
        )
    assert refused.value.status_code == 422
