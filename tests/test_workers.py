"""Celery tasks: called directly, and run by a real worker process on the real broker
(Redis when TEST_REDIS_URL is set, else the embedded SQLite broker)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from intake.core.models import WorkerHeartbeat
from intake.extensions import db
from workers.schedule import BEAT_SCHEDULE
from workers.tasks import heartbeat

REPO = Path(__file__).resolve().parents[1]


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


@pytest.fixture
def worker(app: Flask, database_url: str) -> Iterator[subprocess.Popen[bytes]]:
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
            "WARNING",
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
