"""The local mail catcher of ``make run`` keeps messages and logs no addresses."""

from __future__ import annotations

import logging
import smtplib
import socket
from mailbox import Maildir
from pathlib import Path

import pytest

from intake.core.devmail import start_catcher


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_catcher_keeps_the_message_and_logs_no_address(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = _free_port()
    mailbox = tmp_path / "mailbox"
    caplog.set_level(logging.INFO)
    logging.getLogger("mail.log").disabled = False  # the migrations' log config may switch it off
    controller = start_catcher(mailbox, "127.0.0.1", port)
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.sendmail(
                "team@harbor-intake.invalid",
                ["maria.lopez@example.net"],
                "Subject: We received your message\r\n\r\nHello",
            )
    finally:
        controller.stop()
    kept = list(Maildir(mailbox))
    assert len(kept) == 1
    assert kept[0]["Subject"] == "We received your message"
    assert "maria.lopez@example.net" not in caplog.text
