"""A transaction sent in one flight (psycopg's pipeline mode on PostgreSQL) reads what it asks
for and fails as it would have, storing nothing.

On a session of its own over the engine, as the application's requests have (the test's usual
session works inside a savepoint, where a flight stands aside), and on a temporary table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import column, insert, table, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intake.core.pipeline import one_flight
from intake.extensions import db


@pytest.fixture
def own_session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("pipeline mode is PostgreSQL's (on SQLite a flight is the plain block)")
        session = Session(db.engine)
        try:
            session.execute(text("CREATE TEMP TABLE flight (id int PRIMARY KEY, note text)"))
            session.commit()
            yield session
        finally:
            session.rollback()
            session.execute(text("DROP TABLE IF EXISTS flight"))
            session.commit()
            session.close()


# A lightweight table: no primary key known, so no RETURNING, and its inserts are not waited for.
FLIGHT = table("flight", column("id"), column("note"))


def _notes(session: Session) -> list[str]:
    return list(session.scalars(text("SELECT note FROM flight ORDER BY id")))


def test_reads_inside_a_flight_see_the_rows_written_before_them(own_session: Session) -> None:
    with one_flight(own_session):
        own_session.execute(insert(FLIGHT).values(id=1, note="first"))
        seen = _notes(own_session)
        own_session.execute(insert(FLIGHT).values(id=2, note="second"))
        own_session.commit()
    assert seen == ["first"]
    assert _notes(own_session) == ["first", "second"]


def test_a_statement_that_fails_in_the_flight_fails_the_commit_and_stores_nothing(
    own_session: Session,
) -> None:
    with pytest.raises(IntegrityError), one_flight(own_session):
        own_session.execute(text("INSERT INTO flight VALUES (1, 'kept?')").execution_options())
        # The same id twice: refused, though nothing reads the answer until the commit.
        own_session.execute(text("INSERT INTO flight (id, note) SELECT 1, 'again' WHERE true"))
        own_session.commit()
    own_session.rollback()
    assert _notes(own_session) == []
