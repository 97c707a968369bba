"""``flask dev-mail``: a local mail catcher for ``make run``, so alerts can be seen without a
real mail server. Messages are written to a maildir under the instance folder (not printed:
they can hold personal data)."""

from __future__ import annotations

import logging
import os
import time
from mailbox import Maildir
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("dev-mail")
@with_appcontext
def dev_mail_command() -> None:
    """Catch mail on MAIL_SERVER:MAIL_PORT when that is this machine; otherwise stay idle."""
    host, port = current_app.config["MAIL_SERVER"], int(current_app.config["MAIL_PORT"])
    if os.environ.get("MAIL_SERVER") or host not in {"127.0.0.1", "localhost"}:
        click.echo("MAIL_SERVER is set: using it, no local mail catcher")
        _idle()
    mailbox = Path(_instance_dir()) / "mailbox"
    try:
        controller = start_catcher(mailbox, host, port)
    except OSError as exc:
        click.echo(f"port {port} is busy ({exc.strerror}): assuming a mail catcher runs there")
        _idle()
    click.echo(f"catching mail on {host}:{port}; messages are kept in {mailbox}")
    try:
        _idle()
    finally:
        controller.stop()


def start_catcher(mailbox: Path, host: str, port: int) -> Any:
    """Start an SMTP server on ``host:port`` that keeps every message in the maildir ``mailbox``.

    aiosmtpd logs each envelope at INFO, recipients' addresses included: those lines are
    personal data and would also bury ``make run``'s banner, so its log says only warnings.
    """
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    mailbox.parent.mkdir(parents=True, exist_ok=True)
    Maildir(mailbox, create=True)  # makes tmp/, new/ and cur/ when they are missing
    controller = Controller(Mailbox(mailbox), hostname=host, port=port)
    controller.start()
    return controller


def _instance_dir() -> str:
    return os.environ.get("INSTANCE_PATH") or str(Path(__file__).resolve().parents[2] / "instance")


def _idle() -> None:
    # Honcho stops every process when one exits, so this one waits instead of exiting.
    while True:
        time.sleep(3600)
