"""The migrations build the schema the models describe, so a model change without a migration
fails here (the same check as ``flask db check``)."""

from __future__ import annotations

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from intake.audit.models import AuditEvent, AuditTrailIsAppendOnlyError
from intake.extensions import db


def test_models_and_migrations_agree(app: Flask) -> None:
    # The test's own connection: on SQLite another one would wait for its write lock.
    with app.app_context():
        connection = db.session.connection()
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_form_one_chain_that_downgrades_and_upgrades_again(
    app: Flask, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """On a database of its own: one head, and every step down and back up works.

    A migration whose downgrade is broken, or a second head left by a merge, fails here.
    """
    from alembic.script import ScriptDirectory

    from intake import create_app
    from tests.conftest import temporary_database

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"more than one migration head: {heads}"
    with temporary_database(tmp_path_factory, "migrations") as url:
        other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None})
        with other.app_context():
            flask_migrate.upgrade()
            assert _current_revision() == heads[0]
            flask_migrate.downgrade(revision="base")
            assert _current_revision() is None
            flask_migrate.upgrade()
            assert _current_revision() == heads[0]
            db.engine.dispose()


def _current_revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_audit_rows_cannot_be_changed_through_the_orm(app: Flask) -> None:
    with app.app_context():
        sealed = AuditEvent(tag="auth:login:failed", detail={})
        db.session.add(sealed)
        db.session.commit()
        # The chain writes the row with a plain INSERT; what the ORM loads back is protected.
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.row_hmac == sealed.row_hmac)
        ).one()
        event.tag = "something else"
        with pytest.raises(AuditTrailIsAppendOnlyError):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.get(AuditEvent, event.id))
        with pytest.raises(AuditTrailIsAppendOnlyError):
            db.session.commit()
        db.session.rollback()


def test_postgres_refuses_raw_updates_to_the_audit_trail(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the trigger exists on PostgreSQL only")
        db.session.add(AuditEvent(tag="auth:login:failed", detail={}))
        db.session.commit()
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text("UPDATE audit_events SET tag = 'x'"))
        db.session.rollback()


def test_0011_moves_each_deliverys_subject_and_back(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deliveries written before 0011 keep what they were about, both ways: an alert's waves
    become about the alert, the person's messages about the inquiry, rounds become waves.

    On a database of its own, committed for real (no ``app`` fixture, so no rolled-back
    session): the migrations run on their own connections."""
    from intake import create_app
    from intake.auth.permissions import Role
    from intake.messaging import relay
    from intake.messaging.models import Alert
    from tests.conftest import make_user, temporary_database
    from tests.reliability.support import make_inquiry

    monkeypatch.setattr(relay, "publish", lambda _task, _id: True)
    monkeypatch.setattr(relay, "publish_many", lambda _task, ids: len(ids))
    with temporary_database(tmp_path_factory, "subjects") as url:
        other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None})
        with other.app_context():
            flask_migrate.upgrade()
        make_user(other, "clinician@example.org", {Role.CLINICIAN})
        with other.app_context():
            inquiry = make_inquiry("P0", email="someone@example.net")
            db.session.commit()
            inquiry_id = inquiry.id
            for row_id in db.session.scalars(text("SELECT id FROM outbox_messages")).all():
                relay.process_outbox(row_id)
            alert_id = db.session.scalars(db.select(Alert.id)).one()
            db.session.execute(
                text("UPDATE deliveries SET status = 'held' WHERE kind = 'follow_up'")
            )
            db.session.commit()
            before = _subjects()
            assert {row[1:4] for row in before} == {
                # Nobody is on call: the first wave goes to everyone (wave 2).
                ("alert", alert_id, 2),
                ("inquiry", inquiry_id, None),
            }
            db.session.remove()

            flask_migrate.downgrade(revision="0010")
            with db.engine.connect() as connection:
                old = connection.execute(
                    text(
                        "SELECT id, inquiry_id, alert_id, alert_round, status FROM deliveries "
                        "ORDER BY id"
                    )
                ).all()
            assert [row[0] for row in old] == [row[0] for row in before]
            for (_id, kind, _subject, wave, delivery_kind), row in zip(before, old, strict=True):
                assert row[1] == inquiry_id, "every message of the inquiry is found by it again"
                assert row[2] == (alert_id if kind == "alert" else None)
                assert row[3] == wave
                if delivery_kind == "follow_up":
                    assert row[4] == "retry", "the older code does not know held"

            flask_migrate.upgrade()
            assert [row[:4] for row in _subjects()] == [row[:4] for row in before]
            db.session.remove()
            db.engine.dispose()


def _subjects() -> list[tuple[int, str, int, int | None, str]]:
    rows = db.session.execute(
        text("SELECT id, subject_kind, subject_id, wave, kind FROM deliveries ORDER BY id")
    ).all()
    return [(row[0], row[1], row[2], row[3], row[4]) for row in rows]
