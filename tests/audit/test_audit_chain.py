"""The audit trail holds: every row carries its own MAC and is then sealed into a chain by HMAC
after the one before, `flask audit verify` names the first row that was changed or removed, every
row slipped in without the key and every row left unsealed too long, and on PostgreSQL the
application's own role can neither empty, change, delete nor unprotect the trail."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError

from intake import create_app
from intake.audit.models import AuditChainHead, AuditEvent, AuditSeal
from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.auth.permissions import Role
from intake.extensions import db
from tests.conftest import ROLE_EMAILS, AuthActions, base_overrides, temporary_database


def _verify(app: Flask) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def _seal(app: Flask) -> str:
    """What the worker does every couple of seconds."""
    result = app.test_cli_runner().invoke(args=["audit", "seal"])
    assert result.exit_code == 0, result.output
    return result.output


def _ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def _as_owner_without_the_trigger(
    statement: str, table: str = "audit_events", **params: object
) -> None:
    """What someone with the owner's SQL prompt could do (the test's own transaction)."""
    postgres = db.engine.dialect.name == "postgresql"
    trigger = f"{table}_no_change"
    if postgres:
        db.session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}"))
    db.session.execute(text(statement), params)
    if postgres:
        db.session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}"))
    db.session.commit()


@pytest.fixture
def some_history(app: Flask, client: FlaskClient, staff: dict[Role, int]) -> list[int]:
    auth = AuthActions(client)
    auth.login(ROLE_EMAILS[Role.ADMIN])
    client.get(f"/staff/admin/users/{staff[Role.CLINICIAN]}")
    auth.logout()
    auth.login(ROLE_EMAILS[Role.CLINICIAN], "wrong password")
    _seal(app)
    ids = _ids(app)
    assert len(ids) >= 4
    return ids


def test_the_chain_verifies_after_ordinary_work(app: Flask, some_history: list[int]) -> None:
    code, output = _verify(app)
    assert code == 0, output
    assert f"audit chain OK: {len(some_history)} events" in output
    with app.app_context():
        rows = db.session.execute(
            select(AuditSeal.seq, AuditSeal.hmac, AuditSeal.event_id).order_by(AuditSeal.seq)
        ).all()
    assert [seq for seq, _, _ in rows] == list(range(1, len(rows) + 1))
    assert all(len(value) == 64 for _, value, _ in rows)
    # Sealed in the order the rows were written.
    assert [event_id for _, _, event_id in rows] == some_history


def test_a_changed_row_is_named(app: Flask, some_history: list[int]) -> None:
    target = some_history[2]
    with app.app_context():
        _as_owner_without_the_trigger(
            "UPDATE audit_events SET actor_id = NULL WHERE id = :id", id=target
        )
    code, output = _verify(app)
    assert code == 1
    assert f"BROKEN at event id {target}: this row was changed" in output


def test_a_removed_row_is_noticed_at_the_next_one(app: Flask, some_history: list[int]) -> None:
    with app.app_context():
        _as_owner_without_the_trigger("DELETE FROM audit_events WHERE id = :id", id=some_history[1])
    code, output = _verify(app)
    assert code == 1
    assert f"BROKEN at event id {some_history[2]}: a row before this one is missing" in output


def test_rows_cut_from_the_end_are_noticed(app: Flask, some_history: list[int]) -> None:
    with app.app_context():
        _as_owner_without_the_trigger(
            "DELETE FROM audit_events WHERE id = :id", id=some_history[-1]
        )
    code, output = _verify(app)
    assert code == 1
    assert f"BROKEN at event id {some_history[-2]}: rows after this one are missing" in output


def test_a_row_forged_without_the_key_is_named(app: Flask, some_history: list[int]) -> None:
    with app.app_context():
        _as_owner_without_the_trigger(
            "UPDATE audit_seals SET hmac = :forged WHERE event_id = :id",
            "audit_seals",
            forged="f" * 64,
            id=some_history[0],
        )
    code, output = _verify(app)
    assert code == 1
    assert f"BROKEN at event id {some_history[0]}: this row was changed" in output


def test_a_rolled_back_savepoint_takes_its_audit_rows_with_it(app: Flask) -> None:
    with app.app_context():
        record(AuditTag.KEYS_ROTATED, detail={"kept": True})
        try:
            with db.session.begin_nested():
                record(AuditTag.KEYS_ROTATED, detail={"kept": False})
                raise RuntimeError("the action failed")
        except RuntimeError:
            pass
        db.session.commit()
        details = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.tag == AuditTag.KEYS_ROTATED.value)
        ).all()
    assert details == [{"kept": True}]
    _seal(app)
    assert _verify(app)[0] == 0


# Sealing after the fact ----------------------------------------------------------------------


def _head_seq(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(AuditChainHead.last_seq)) or 0)


def test_a_row_is_written_without_the_chain_lock_and_sealed_a_moment_later(app: Flask) -> None:
    head_before = _head_seq(app)
    with app.app_context():
        record(AuditTag.KEYS_ROTATED, detail={"n": 1})
        db.session.commit()
    # The request's transaction left the chain alone: nothing for two requests to queue on.
    assert _head_seq(app) == head_before
    code, output = _verify(app)
    assert code == 0, output
    assert "(1 more awaiting their seal)" in output
    assert "sealed 1 audit events" in _seal(app)
    assert _head_seq(app) == head_before + 1
    code, output = _verify(app)
    assert code == 0, output
    assert "awaiting" not in output


def test_a_row_left_unsealed_too_long_is_named(app: Flask) -> None:
    with app.app_context():
        late = record(AuditTag.KEYS_ROTATED)
        late.occurred_at = datetime.now(UTC) - timedelta(minutes=2)
        db.session.commit()
        late_id = db.session.scalar(select(func.max(AuditEvent.id)))
    code, output = _verify(app)
    assert code == 1
    assert f"unsealed for more than 60 s (is the sealer running?), event ids: {late_id}" in output
    _seal(app)
    assert _verify(app)[0] == 0


def test_a_row_slipped_in_without_the_key_is_never_sealed_and_is_named(app: Flask) -> None:
    with app.app_context():
        record(AuditTag.KEYS_ROTATED)
        db.session.commit()
        db.session.execute(
            text(
                "INSERT INTO audit_events (occurred_at, tag, detail, row_hmac) "
                "VALUES (:at, 'auth:login:failed', '{}', :forged)"
            ),
            {"at": datetime.now(UTC), "forged": "0" * 64},
        )
        db.session.commit()
        forged_id = db.session.scalar(select(func.max(AuditEvent.id)))
        record(AuditTag.KEYS_ROTATED)
        db.session.commit()
    output = _seal(app)
    assert "sealed 2 audit events" in output
    assert "1 rows refused" in output
    with app.app_context():
        assert db.session.get(AuditSeal, forged_id) is None
    code, output = _verify(app)
    assert code == 1
    assert f"written or changed without the key), event ids: {forged_id}" in output


def test_a_row_changed_while_it_waits_for_its_seal_is_named(app: Flask) -> None:
    with app.app_context():
        record(AuditTag.KEYS_ROTATED, detail={"n": 1})
        db.session.commit()
        target = db.session.scalar(select(func.max(AuditEvent.id)))
        _as_owner_without_the_trigger(
            "UPDATE audit_events SET detail = :detail WHERE id = :id", detail='{"n": 2}', id=target
        )
    assert "1 rows refused" in _seal(app)
    code, output = _verify(app)
    assert code == 1
    assert f"event ids: {target}" in output


def test_the_worker_seals_on_its_beat(app: Flask) -> None:
    import workers.tasks  # noqa: F401  (registers the tasks, as the worker does)
    from workers.schedule import BEAT_SCHEDULE

    assert any(entry["task"] == "workers.tasks.seal_audit" for entry in BEAT_SCHEDULE.values())
    with app.app_context():
        record(AuditTag.KEYS_ROTATED)
        record(AuditTag.KEYS_ROTATED)
        db.session.commit()
    task = app.extensions["celery"].tasks["workers.tasks.seal_audit"]
    assert task.apply().get() == 2
    code, output = _verify(app)
    assert code == 0, output
    assert "awaiting" not in output


# Committed data: concurrent writers and the PostgreSQL roles -------------------------------


def _fresh_app(url: str, tmp_dir: str, **extra: object) -> Flask:
    overrides = {**base_overrides(url, None, tmp_dir), **extra}
    return create_app("testing", overrides)


@pytest.mark.live
def test_concurrent_writers_keep_one_unbroken_chain(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with temporary_database(tmp_path_factory, "chain-db") as url:
        application = _fresh_app(url, str(tmp_path_factory.mktemp("chain")))
        with application.app_context():
            flask_migrate.upgrade()
        errors: list[BaseException] = []
        writers, commits = 4, 15

        def write(worker: int) -> None:
            try:
                for n in range(commits):
                    with application.app_context():
                        record(AuditTag.KEYS_ROTATED, detail={"worker": worker, "n": n})
                        record(AuditTag.KEYS_ROTATED, detail={"worker": worker, "n": -n})
                        db.session.commit()
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(worker,)) for worker in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        _seal(application)
        code, output = _verify(application)
        assert code == 0, output
        assert f"OK: {writers * commits * 2} events" in output
        with application.app_context():
            db.engine.dispose()


@dataclass
class RoleSplit:
    app: Flask
    owner: Engine
    app_role: Engine
    role: str


@pytest.fixture(scope="module")
def role_split(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RoleSplit]:
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        pytest.skip("roles exist on PostgreSQL only (TEST_DATABASE_URL)")
    role = f"harbor_app_{uuid.uuid4().hex[:10]}"
    password = uuid.uuid4().hex
    server = make_url(server_url).set(drivername="postgresql+psycopg", database="postgres")
    cluster = create_engine(server, isolation_level="AUTOCOMMIT")
    # Roles are cluster-wide: this one is unique to the run and dropped at the end.
    with cluster.connect() as connection:
        connection.execute(text(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'"))
    try:
        with temporary_database(tmp_path_factory, "roles-db") as owner_url:
            app_url = (
                make_url(owner_url)
                .set(username=role, password=password)
                .render_as_string(hide_password=False)
            )
            application = _fresh_app(
                app_url, str(tmp_path_factory.mktemp("roles")), MIGRATION_DATABASE_URI=owner_url
            )
            with application.app_context():
                flask_migrate.upgrade()  # as the owner; grants the app role what it needs
            owner = create_engine(owner_url, isolation_level="AUTOCOMMIT")
            app_role = create_engine(app_url, isolation_level="AUTOCOMMIT")
            try:
                yield RoleSplit(application, owner, app_role, role)
            finally:
                with application.app_context():
                    db.engine.dispose()
                owner.dispose()
                app_role.dispose()
    finally:
        with cluster.connect() as connection:
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        cluster.dispose()


@pytest.mark.live
def test_the_app_role_writes_and_reads_the_trail_through_the_app(role_split: RoleSplit) -> None:
    with role_split.app.app_context():
        assert db.session.scalar(text("SELECT current_user")) == role_split.role
        record(AuditTag.KEYS_ROTATED, detail={"by": "app role"})
        db.session.commit()
        count = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert count and count >= 1
    _seal(role_split.app)  # as the app role, as the worker does
    code, output = _verify(role_split.app)
    assert "awaiting" not in output
    assert code == 0, output


@pytest.mark.live
@pytest.mark.parametrize(
    ("statement", "error"),
    [
        ("TRUNCATE audit_events", "permission denied"),
        ("UPDATE audit_events SET tag = 'x'", "permission denied"),
        ("DELETE FROM audit_events", "permission denied"),
        ("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change", "must be owner"),
        ("ALTER TABLE audit_events DISABLE TRIGGER ALL", "must be owner"),
        ("DROP TABLE audit_events", "must be owner"),
        ("DELETE FROM audit_chain_head", "permission denied"),
        ("UPDATE audit_seals SET hmac = 'x'", "permission denied"),
        ("DELETE FROM audit_seals", "permission denied"),
        ("TRUNCATE audit_seals", "permission denied"),
        ("ALTER TABLE audit_seals DISABLE TRIGGER audit_seals_no_change", "must be owner"),
        ("CREATE TABLE scratch (id int)", "permission denied"),
    ],
)
def test_the_app_role_cannot_wipe_or_unprotect_the_trail(
    role_split: RoleSplit, statement: str, error: str
) -> None:
    with role_split.app.app_context():
        record(AuditTag.KEYS_ROTATED)
        db.session.commit()
    _seal(role_split.app)
    with role_split.app_role.connect() as connection, pytest.raises(DBAPIError, match=error):
        connection.exec_driver_sql(statement)
    assert _verify(role_split.app)[0] == 0


@pytest.mark.live
def test_even_the_owner_cannot_truncate_and_tampering_is_named(role_split: RoleSplit) -> None:
    with role_split.app.app_context():
        record(AuditTag.KEYS_ROTATED, detail={"n": 1})
        record(AuditTag.KEYS_ROTATED, detail={"n": 2})
        db.session.commit()
        target = db.session.scalar(select(func.max(AuditEvent.id)))
    _seal(role_split.app)
    with role_split.owner.connect() as connection:
        with pytest.raises(DBAPIError, match="append-only"):
            connection.exec_driver_sql("TRUNCATE audit_events")
        connection.exec_driver_sql(
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change"
        )
        connection.exec_driver_sql(
            f"UPDATE audit_events SET detail = '{{\"n\": 3}}' WHERE id = {int(target or 0)}"
        )
        connection.exec_driver_sql("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change")
    code, output = _verify(role_split.app)
    assert code == 1
    assert f"BROKEN at event id {target}: this row was changed" in output


@pytest.mark.live
def test_rows_written_before_the_chain_are_chained_by_the_migration(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with temporary_database(tmp_path_factory, "backfill-db") as url:
        application = _fresh_app(url, str(tmp_path_factory.mktemp("backfill")))
        with application.app_context():
            flask_migrate.upgrade(revision="0005")
            for n in range(3):
                db.session.execute(
                    text(
                        "INSERT INTO audit_events (occurred_at, tag, detail) "
                        "VALUES (:at, 'auth:login:failed', :detail)"
                    ),
                    {"at": f"2026-01-0{n + 1} 10:00:00.123456", "detail": f'{{"n": {n}}}'},
                )
            db.session.commit()
            flask_migrate.upgrade()
            record(AuditTag.KEYS_ROTATED)
            db.session.commit()
        _seal(application)
        code, output = _verify(application)
        assert code == 0, output
        assert "audit chain OK: 4 events" in output
        # And back down and up again, as a rollback of a release would.
        with application.app_context():
            flask_migrate.downgrade(revision="0005")
            flask_migrate.upgrade()
        assert _verify(application)[0] == 0
        with application.app_context():
            db.engine.dispose()
