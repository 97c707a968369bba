"""The migrations build the schema the models describe, so a model change without a migration
fails here (the same check as ``flask db check``)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from sqlalchemy import text
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


def test_database_is_at_the_latest_revision(app: Flask) -> None:
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    with app.app_context():
        connection = db.session.connection()
        current = MigrationContext.configure(connection).get_current_revision()
        config = app.extensions["migrate"].migrate.get_config()
        head = ScriptDirectory.from_config(config).get_current_head()
    assert isinstance(app.extensions["migrate"].migrate, Migrate)
    assert current == head


def test_audit_rows_cannot_be_changed_through_the_orm(app: Flask) -> None:
    with app.app_context():
        event = AuditEvent(tag="auth:login:failed", detail={})
        db.session.add(event)
        db.session.commit()
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
