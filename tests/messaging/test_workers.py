"""Celery tasks: called directly, and run by a real worker process on the real broker
(Redis when TEST_REDIS_URL is set, else the embedded SQLite broker)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from celery.beat import Scheduler
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update

from intake.core.models import WorkerHeartbeat
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging import relay
from intake.messaging.models import Alert
from tests.reliability import fixtures
from tests.reliability.support import make_inquiry
from workers import quiet_logs
from workers.schedule import BEAT_SCHEDULE
from workers.tasks import heartbeat

published = fixtures.published
rota = fixtures.rota

REPO = Path(__file__).resolve().parents[2]


def test_heartbeat_task_records_and_healthz_reports_it(app: Flask, client: FlaskClient) -> None:
    assert client.get("/healthz").json["scheduler"]["last_heartbeat_seconds_ago"] is None  # type: ignore[index]
    with app.app_context():
        assert heartbeat() == 1
        assert heartbeat() == 2
    age = client.get("/healthz").json["scheduler"]["last_heartbeat_seconds_ago"]  # type: ignore[index]
    assert age is not None and age < 60


def test_every_scheduled_task_is_registered(app: Flask) -> None:
    import workers.tasks  # noqa: F401

    celery = app.extensions["celery"]
    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in celery.tasks


def test_celery_settings_follow_the_reliability_rules(app: Flask) -> None:
    conf = app.extensions["celery"].conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_time_limit and conf.task_soft_time_limit


def _worker(app: Flask, database_url: str, loglevel: str) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "HARBOR_ENV": "testing",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": app.config["CELERY"]["broker_url"],
        "REDIS_URL": app.config.get("REDIS_URL") or "",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers.celery_app",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            loglevel,
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def worker(app: Flask, database_url: str) -> Iterator[subprocess.Popen[bytes]]:
    yield from _worker(app, database_url, "WARNING")


@pytest.fixture
def worker_at_info(app: Flask, database_url: str) -> Iterator[subprocess.Popen[bytes]]:
    yield from _worker(app, database_url, "INFO")


@pytest.mark.live
def test_a_real_worker_runs_the_heartbeat(app: Flask, worker: subprocess.Popen[bytes]) -> None:
    celery = app.extensions["celery"]
    try:
        celery.send_task("workers.tasks.heartbeat")
        deadline = time.monotonic() + 60
        beats = None
        while time.monotonic() < deadline and beats is None:
            assert worker.poll() is None, (worker.stderr.read() if worker.stderr else b"").decode()
            with app.app_context():
                beats = db.session.scalar(select(WorkerHeartbeat.beats))
            time.sleep(0.3)
        assert beats == 1
    finally:
        with app.app_context():
            db.session.execute(delete(WorkerHeartbeat))
            db.session.commit()


# Quiet sweeps -------------------------------------------------------------------------------
@pytest.fixture
def loggers_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-enable the loggers that alembic's logging config (run by the migrations in the ``app``
    fixture) disabled, so these tests see what a worker process would log."""
    names = (
        *quiet_logs.CELERY_ROUTINE_LOGGERS,
        "intake.messaging.alerts",
        "intake.messaging.relay",
        "intake.messaging.deliveries",
    )
    for name in names:
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)


def _info_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.INFO]


def _beat_sends_every_entry(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run beat's real ``apply_entry`` (which writes "Sending due task") for each entry."""
    celery = app.extensions["celery"]
    scheduler = Scheduler(app=celery, lazy=True)
    sent: list[str] = []

    def hand_to_broker(entry: Any, producer: Any = None, advance: bool = True, **_: Any) -> Any:
        sent.append(entry.task)
        return SimpleNamespace(id="not-sent")

    monkeypatch.setattr(scheduler, "apply_async", hand_to_broker)
    for name, entry in BEAT_SCHEDULE.items():
        scheduler.apply_entry(
            scheduler.Entry(name=name, task=entry["task"], schedule=entry["schedule"], app=celery)
        )
    assert sorted(sent) == sorted(entry["task"] for entry in BEAT_SCHEDULE.values())


def test_idle_sweeps_log_nothing_at_info_and_stay_visible_at_debug(
    app: Flask,
    published: list[tuple[str, int]],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    loggers_on: None,
) -> None:
    import workers.tasks  # noqa: F401  (registers the tasks)

    quiet_logs.install()  # as workers.celery_app does in the worker and beat processes
    celery = app.extensions["celery"]
    caplog.set_level(logging.INFO)
    for entry in BEAT_SCHEDULE.values():
        celery.tasks[entry["task"]].apply().get()
    _beat_sends_every_entry(app, monkeypatch)
    assert _info_lines(caplog) == []

    caplog.clear()
    caplog.set_level(logging.DEBUG)
    celery.tasks["workers.tasks.sweep_outbox"].apply().get()
    demoted = [r for r in caplog.records if "workers.tasks.sweep_outbox[" in r.getMessage()]
    assert {r.levelno for r in demoted} == {logging.DEBUG}
    assert any("succeeded" in r.getMessage() for r in demoted)
    assert _info_lines(caplog) == []


def test_a_sweep_that_did_work_logs_one_line_with_counts_and_ids(
    app: Flask,
    rota: dict[str, int],
    published: list[tuple[str, int]],
    caplog: pytest.LogCaptureFixture,
    loggers_on: None,
) -> None:
    import workers.tasks  # noqa: F401  (registers the tasks)

    quiet_logs.install()
    celery = app.extensions["celery"]
    with app.app_context():
        inquiry = make_inquiry("P0", email=None)
        db.session.commit()
        reference = inquiry.reference
        relay.process_outbox(published[0][1])
        alert_id = db.session.scalars(select(Alert.id)).one()
        db.session.execute(update(Alert).values(next_action_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    caplog.set_level(logging.INFO)
    assert celery.tasks["workers.tasks.sweep_alerts"].apply().get() == {"escalated": 1}
    lines = _info_lines(caplog)
    assert f"alert sweep escalated=1 ids=[{alert_id}]" in lines
    assert not any("workers.tasks.sweep_alerts[" in line for line in lines)
    for line in lines:
        for private in ("Maria", "person@example.net", "my private words", reference):
            assert private not in line


@pytest.mark.live
def test_a_worker_at_info_logs_ordinary_tasks_but_not_the_periodic_ones(
    app: Flask, worker_at_info: subprocess.Popen[bytes]
) -> None:
    celery = app.extensions["celery"]
    try:
        celery.send_task("workers.tasks.sweep_alerts")
        celery.send_task("workers.tasks.process_outbox", args=[0])  # nothing to do: skipped
        celery.send_task("workers.tasks.heartbeat")
        deadline = time.monotonic() + 60
        beats = None
        while time.monotonic() < deadline and beats is None:
            assert worker_at_info.poll() is None
            with app.app_context():
                beats = db.session.scalar(select(WorkerHeartbeat.beats))
            time.sleep(0.3)
        assert beats == 1
    finally:
        with app.app_context():
            db.session.execute(delete(WorkerHeartbeat))
            db.session.commit()
    worker_at_info.terminate()  # a warm shutdown: the worker finishes and flushes its log
    _out, err = worker_at_info.communicate(timeout=30)
    log = err.decode(errors="replace")
    assert " ready." in log, log[-2000:]
    assert "Task workers.tasks.process_outbox[" in log
    assert "workers.tasks.heartbeat[" not in log
    assert "workers.tasks.sweep_alerts[" not in log
