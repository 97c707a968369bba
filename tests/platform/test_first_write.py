"""Transactions that begin at their first write (``intake.core.first_write``, PostgreSQL).

An inquiry from someone already known is read (the person) and written in one statement, with
no BEGIN or COMMIT; an inquiry that writes more (a new person first) is one transaction as
before, and a failure anywhere leaves nothing behind. These run on a committed database of their
own: the suite's usual sessions live inside a connection's transaction, where nothing is
deferred.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, cast

import flask_migrate
import pytest
import time_machine
from flask import Flask
from psycopg import pq
from sqlalchemy import Table, event, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from intake import create_app
from intake.audit.models import AuditEvent
from intake.core.first_write import OUTSIDE_TRANSACTION, begin_at_first_write
from intake.core.types import utcnow
from intake.crm.models import Person
from intake.crm.services import find_person
from intake.extensions import db
from intake.messaging.outbox import OutboxMessage
from intake.public.api_keys import create_api_key
from intake.public.models import Inquiry
from intake.triage.models import TriageResult
from tests.conftest import base_overrides, temporary_database
from tests.factories import inquiry_payload

pytestmark = pytest.mark.live

API = "/api/v1/inquiries"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("a transaction begins at its first write on PostgreSQL only")
    with temporary_database(tmp_path_factory, "first-write") as url:
        application = create_app(
            "testing", base_overrides(url, None, str(tmp_path_factory.mktemp("first-write")))
        )
        with application.app_context():
            flask_migrate.upgrade()
            _key, plaintext = create_api_key("first-write-site")
            db.session.commit()
        try:
            yield application, plaintext
        finally:
            with application.app_context():
                db.engine.dispose()


@pytest.fixture(autouse=True)
def _one_clock_minute() -> Iterator[None]:
    # The API key's last use is written once per clock minute (an UPDATE, which begins a
    # transaction); every request here runs in the same minute, so only the first one writes it.
    with time_machine.travel(datetime(2026, 12, 3, 9, 0, tzinfo=UTC), tick=True):
        yield


class Statements:
    """Each statement's first word and whether it ran inside a transaction block."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bool]] = []

    def __call__(
        self,
        _connection: Connection,
        cursor: Any,
        statement: str,
        _parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        driver = cursor.connection
        # Without autocommit psycopg sends BEGIN before the statement if none is open.
        in_block = (not driver.autocommit) or driver.info.transaction_status != (
            pq.TransactionStatus.IDLE
        )
        self.seen.append((statement.split(None, 1)[0].upper(), in_block))


def _post(application: Flask, key: str, **fields: Any) -> dict[str, Any]:
    body = inquiry_payload(**fields)
    response = application.test_client().post(
        API,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return dict(response.get_json())


def _recorded(application: Flask, key: str, **fields: Any) -> tuple[dict[str, Any], Statements]:
    statements = Statements()
    with application.app_context():
        event.listen(db.engine, "before_cursor_execute", statements)
        try:
            answer = _post(application, key, **fields)
        finally:
            event.remove(db.engine, "before_cursor_execute", statements)
    return answer, statements


def _count(application: Flask, model: type[Any], *where: Any) -> int:
    with application.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _inquiry_id(application: Flask, reference: str) -> int:
    with application.app_context():
        return int(
            db.session.scalars(select(Inquiry.id).where(Inquiry.reference == reference)).one()
        )


def _take_the_next_inquiry_id(application: Flask, reference: str) -> None:
    """Write a row under the id that comes next in this process's block (as ``flask seed-demo``
    does with ids of its own), so that the next inquiry's write fails once."""
    inquiries = cast(Table, Inquiry.__table__)
    with application.app_context():
        row = dict(
            db.session.execute(select(inquiries).where(inquiries.c.reference == reference))
            .mappings()
            .one()
        )
        row.update(id=row["id"] + 1, reference=f"TK{row['id'] % 100:02d}-TAKN-22")
        db.session.execute(inquiries.insert().values(**row))
        db.session.commit()


def _complete(application: Flask, reference: str) -> None:
    """The inquiry is stored with everything it causes: one triage result, its
    acknowledgement in the outbox, its audit row."""
    inquiry_id = _inquiry_id(application, reference)
    assert _count(application, TriageResult, TriageResult.inquiry_id == inquiry_id) == 1
    assert (
        _count(
            application,
            OutboxMessage,
            OutboxMessage.target_type == "inquiry",
            OutboxMessage.target_id == inquiry_id,
        )
        == 1
    )
    assert (
        _count(
            application,
            AuditEvent,
            AuditEvent.tag == "public:inquiry:received",
            AuditEvent.target_id == str(inquiry_id),
        )
        == 1
    )


def test_a_known_persons_inquiry_is_read_and_written_without_a_transaction_block(
    fresh: tuple[Flask, str],
) -> None:
    application, key = fresh
    _post(application, key, email="known@example.org")

    answer, statements = _recorded(application, key, email="known@example.org")

    # The person, then the one write; before them the API key's lookup when it is not cached.
    assert statements.seen[-2:] == [("SELECT", False), ("WITH", False)]
    assert not any(in_block for _word, in_block in statements.seen)
    _complete(application, answer["reference"])


def test_a_new_person_and_their_inquiry_are_one_transaction(fresh: tuple[Flask, str]) -> None:
    application, key = fresh
    first = _post(application, key, email="before-new@example.org")
    _take_the_next_inquiry_id(application, first["reference"])
    people_before = _count(application, Person)

    answer, statements = _recorded(application, key, email="someone-new@example.org")

    # The person's INSERT opened the transaction; the failed batch took it back with it, and
    # the second attempt stored the person once.
    writes = [in_block for word, in_block in statements.seen if word in {"INSERT", "WITH"}]
    assert writes and all(writes)
    assert _count(application, Person) == people_before + 1
    with application.app_context():
        assert find_person("someone-new@example.org", None) is not None
    _complete(application, answer["reference"])


def test_a_lone_write_that_fails_leaves_nothing_and_the_retry_stores_everything(
    fresh: tuple[Flask, str],
) -> None:
    application, key = fresh
    first = _post(application, key, email="retry@example.org")
    _take_the_next_inquiry_id(application, first["reference"])
    inquiries_before = _count(application, Inquiry)
    results_before = _count(application, TriageResult)

    answer, statements = _recorded(application, key, email="retry@example.org")

    # Both attempts' writes ran alone; the first failed and wrote nothing.
    assert [in_block for word, in_block in statements.seen if word == "WITH"] == [False, False]
    assert _count(application, Inquiry) == inquiries_before + 1
    assert _count(application, TriageResult) == results_before + 1
    _complete(application, answer["reference"])


def test_the_connection_goes_back_to_the_pool_as_it_came(fresh: tuple[Flask, str]) -> None:
    application, key = fresh
    _post(application, key, email="pool@example.org")
    _post(application, key, email="pool@example.org")
    people = _count(application, Person)
    with application.app_context():
        # An ordinary unit of work afterwards is a transaction again: its rollback undoes it.
        db.session.execute(
            insert(Person).values(name="Not Kept", language="en", created_at=utcnow())
        )
        db.session.rollback()
    assert _count(application, Person) == people


def test_a_read_not_declared_as_one_begins_the_transaction(fresh: tuple[Flask, str]) -> None:
    application, _key = fresh
    people = _count(application, Person)
    with application.app_context():
        session = db.session()
        assert begin_at_first_write(session)
        driver: Any = session.connection().connection.driver_connection
        session.execute(select(Person.id).execution_options(**{OUTSIDE_TRANSACTION: True}))
        assert driver.autocommit  # declared a read: still no transaction
        session.execute(select(Person.id))  # not declared (it might lock): it begins one
        assert not driver.autocommit
        session.execute(insert(Person).values(name="Rolled", language="en", created_at=utcnow()))
        session.rollback()
    assert _count(application, Person) == people


def test_a_session_already_begun_or_bound_to_a_connection_is_left_as_it_is(
    fresh: tuple[Flask, str],
) -> None:
    application, _key = fresh
    with application.app_context():
        db.session.execute(select(Person.id))
        assert not begin_at_first_write(db.session())
        db.session.rollback()
        with db.engine.connect() as connection:
            bound = Session(bind=connection)  # as the suite's isolated sessions are
            assert not begin_at_first_write(bound)
            bound.close()
