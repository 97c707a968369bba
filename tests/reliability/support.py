"""Shared helpers for the messaging tests: a real SMTP server, an own Redis, worker processes,
and inquiries made without going through the triage rules (so these tests do not depend on
which words score what)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from intake.crm.services import match_or_create_person
from intake.extensions import db
from intake.messaging.outbox import OutboxKind, add_to_outbox
from intake.public.models import Inquiry
from tests.factories import InquiryFactory

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], Any], timeout: float, step: float = 0.1) -> Any:
    """Poll ``predicate`` until it returns something truthy or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


# SMTP ----------------------------------------------------------------------------------------
@dataclass
class Inbox:
    """What the local SMTP server received, and how it should behave."""

    messages: list[EmailMessage] = field(default_factory=list)
    # A reply such as "451 4.3.0 Try later" or "550 5.1.1 <x@y> unknown" to refuse recipients.
    refuse_with: str | None = None
    # While set, RCPT hangs: a send is "in the middle" and nothing has been delivered yet.
    hold: threading.Event = field(default_factory=threading.Event)
    holding: threading.Event = field(default_factory=threading.Event)
    # Once this many messages arrived, RCPT hangs as with ``hold`` (until set back to None):
    # a batch is stopped in the middle, after some of its sends.
    hold_after: int | None = None
    rcpt_calls: int = 0
    # SMTP sessions opened (one EHLO each): how many connections the sends used.
    sessions: int = 0

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        self.messages.clear()
        self.rcpt_calls = 0
        self.sessions = 0
        self.hold_after = None

    def _holding(self) -> bool:
        return self.hold.is_set() or (
            self.hold_after is not None and len(self.messages) >= self.hold_after
        )

    async def handle_EHLO(  # noqa: N802  (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(  # noqa: N802  (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.rcpt_calls += 1
        if self._holding():
            self.holding.set()
            while self._holding():
                await asyncio.sleep(0.05)
            return "421 4.3.0 Closing"
        if self.refuse_with:
            return self.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted"


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        inbox.hold.clear()
        controller.stop()


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


# Redis ---------------------------------------------------------------------------------------
REDIS_SERVER = shutil.which("redis-server")


class OwnRedis:
    """A ``redis-server`` of our own on a free port, without persistence; never the shared one."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS_SERVER
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        assert wait_for(up, 10), "own redis-server did not start"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


# Workers -------------------------------------------------------------------------------------
class Worker:
    """A real ``celery worker`` process in its own process group (so SIGKILL takes the pool
    children with it)."""

    def __init__(self, env: dict[str, str], concurrency: int = 2, beat: bool = False) -> None:
        args = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers.celery_app",
            "worker",
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        if beat:
            args += ["--beat", "--schedule", env["INSTANCE_PATH"] + "/beat-schedule"]
        self.process = subprocess.Popen(
            args,
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def errors(self) -> str:
        if self.process.stderr is None or self.alive():
            return ""
        return self.process.stderr.read().decode(errors="replace")[-3000:]

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children) at once."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if not self.alive():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


# Data ----------------------------------------------------------------------------------------
def make_inquiry(
    priority: str = "P0",
    *,
    email: str | None = "person@example.net",
    phone: str | None = None,
    language: str = "en",
    country: str | None = "GB",
    name: str | None = "Maria Example",
    message: str = "my private words",
) -> Inquiry:
    """An inquiry with its triage case and the outbox rows accept_inquiry would write (P0/P1
    alert, acknowledgement when there is an email), flushed; the caller commits."""
    # The person match, as the front door does it: the same person writing again is one person.
    person = match_or_create_person(
        name=name, email=email, phone=phone, language=language, country=country
    ).person
    inquiry: Inquiry = InquiryFactory(person=person, priority=priority, message=message)
    if priority in ("P0", "P1"):
        add_to_outbox(OutboxKind.STAFF_ALERT, "inquiry", inquiry.id)
    if email:
        add_to_outbox(OutboxKind.ACKNOWLEDGEMENT, "inquiry", inquiry.id)
    db.session.flush()
    return inquiry


# The embedded default as `make run` starts it ---------------------------------------------------
class Service:
    """One process of the application (web server, worker, beat) in its own process group, its
    output kept in a file (a pipe nobody reads would fill up and stall a chatty server)."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            args,
            cwd=REPO,
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def terminate(self) -> None:
        """Ask the process group to stop (SIGTERM), without waiting."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)

    def stop(self, timeout: float = 15) -> None:
        self.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        if not self._log.closed:
            self._log.close()


def web_service(env: dict[str, str], port: int, log_path: Path) -> Service:
    """The web process of the Procfile: Flask's threaded server on 127.0.0.1."""
    args = [sys.executable, "-m", "flask", "--app", "wsgi", "run"]
    args += ["--host", "127.0.0.1", "--port", str(port), "--no-reload", "--with-threads"]
    return Service(args, env, log_path)


def worker_service(env: dict[str, str], log_path: Path, concurrency: int = 2) -> Service:
    """The worker process of the Procfile (prefork, two children)."""
    args = [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker"]
    args += ["--concurrency", str(concurrency), "--loglevel", "INFO"]
    args += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return Service(args, env, log_path)


def beat_service(env: dict[str, str], log_path: Path) -> Service:
    """The scheduler process of the Procfile, sending the sweeps on their real schedule."""
    args = [sys.executable, "-m", "celery", "-A", "workers.celery_app", "beat"]
    args += ["--loglevel", "INFO", "--schedule", env["INSTANCE_PATH"] + "/beat-schedule"]
    return Service(args, env, log_path)
