"""PreparedSQL (the hot path's statements run on the driver's connection, PostgreSQL only): the
same rows as SQLAlchemy's own execution, column types applied both ways (an encrypted column is
encrypted going in and decrypted coming out), fixed parameters kept, driver errors raised as
SQLAlchemy's, listeners still told, and the session's transaction used."""

from __future__ import annotations

from typing import Any, cast

import pytest
from flask import Flask
from sqlalchemy import String, Table, bindparam, event, func, insert, literal, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError

from intake.core.prepared import PreparedSQL, prepared
from intake.core.types import utcnow
from intake.crm.models import Person
from intake.extensions import db
from intake.public.models import Inquiry

PEOPLE = cast(Table, Person.__table__)
INQUIRIES = cast(Table, Inquiry.__table__)


@pytest.fixture(autouse=True)
def _postgres_only(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PreparedSQL runs on PostgreSQL only")


def _add_person(name: str, email_index: str) -> int:
    values = {
        "name": name,
        "email_index": email_index,
        "language": "en",
        "created_at": utcnow(),
    }
    statement = (
        insert(PEOPLE)
        .values({key: bindparam(key, type_=PEOPLE.c[key].type) for key in values})
        .returning(PEOPLE.c.id)
    )
    connection = db.session.connection()
    ((person_id,),) = PreparedSQL(statement, connection.dialect).rows(connection, values)
    return int(person_id)


def test_encrypted_columns_are_encrypted_in_and_decrypted_out(app: Flask) -> None:
    with app.app_context():
        person_id = _add_person("Ana Prepared", "prepared-index-1")
        stored = db.session.execute(
            select(sql_cast(PEOPLE.c.name, String)).where(PEOPLE.c.id == person_id)
        ).scalar_one()
        assert stored != "Ana Prepared"  # the column holds ciphertext
        query = (
            select(PEOPLE.c.id, PEOPLE.c.name)
            .where(PEOPLE.c.email_index == bindparam("wanted"))
            .where(PEOPLE.c.language.in_(["en", "es"]))  # an IN of fixed values
            .limit(5)
        )
        connection = db.session.connection()
        rows = prepared(query, connection.dialect).rows(connection, {"wanted": "prepared-index-1"})
        assert rows == [(person_id, "Ana Prepared")]
        assert rows == [
            tuple(row) for row in connection.execute(query, {"wanted": "prepared-index-1"})
        ]
        db.session.rollback()


def test_a_rollback_of_the_session_takes_the_rows_back(app: Flask) -> None:
    with app.app_context():
        _add_person("Rolled Back", "prepared-index-2")
        db.session.rollback()
        assert (
            db.session.scalar(
                select(func.count()).where(PEOPLE.c.email_index == "prepared-index-2")
            )
            == 0
        )


def test_a_driver_error_is_sqlalchemys_integrity_error(app: Flask) -> None:
    with app.app_context():
        statement = insert(INQUIRIES).values(id=bindparam("id"), reference=literal("X"))
        connection = db.session.connection()
        with pytest.raises(IntegrityError):  # the other columns are NOT NULL
            PreparedSQL(statement, connection.dialect).rows(connection, {"id": 10_000_001})
        db.session.rollback()


def test_listeners_still_see_the_statement(app: Flask) -> None:
    seen: list[str] = []

    def listen(*arguments: Any) -> None:
        seen.append(arguments[2])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            query = select(literal(1).label("one"))
            connection = db.session.connection()
            assert prepared(query, connection.dialect).rows(connection, {}) == [(1,)]
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
            db.session.rollback()
    assert seen and seen[-1].startswith("SELECT")
