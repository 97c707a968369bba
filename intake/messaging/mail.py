"""Email by SMTP with the standard library, to ``MAIL_SERVER``/``MAIL_PORT``.

Errors are sorted into temporary (4xx replies, connection trouble) and permanent (5xx replies)
so the delivery service retries only what may succeed later.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from urllib.parse import urlsplit

from flask import current_app

from intake.messaging.channels import PermanentSendError, SendResult, TemporarySendError


def build_email(
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None,
    message_key: str,
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """A multipart email with the ``Date`` and ``Message-ID`` headers RFC 5322 asks for (spam
    filters mark mail without them). The Message-ID is unique per send and names the delivery;
    the delivery's idempotency key also travels in ``X-Harbor-Delivery``."""
    message = EmailMessage()
    message["From"] = formataddr(("", current_app.config["MAIL_DEFAULT_SENDER"]))
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(
        idstring=message_key.replace(":", "."), domain=message_id_domain()
    )
    message["X-Harbor-Delivery"] = message_key
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def message_id_domain() -> str:
    """The right-hand side of our Message-IDs: the sender's domain, else the host of
    ``BASE_URL``, else ``localhost``."""
    _name, address = parseaddr(str(current_app.config.get("MAIL_DEFAULT_SENDER") or ""))
    domain = address.rpartition("@")[2].strip() if "@" in address else ""
    if not domain:
        domain = urlsplit(str(current_app.config.get("BASE_URL") or "")).hostname or ""
    return domain or "localhost"


# The connection a batch of sends shares (see :func:`reuse_smtp`); None outside such a batch.
_SHARED: ContextVar[list[smtplib.SMTP] | None] = ContextVar("harbor_shared_smtp", default=None)


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(
        config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=config["MAIL_TIMEOUT_SECONDS"]
    )
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


@contextmanager
def reuse_smtp() -> Iterator[None]:
    """Within this block, emails share one SMTP connection, opened at the first send and closed
    at the end (a batch of deliveries in one worker task). A send that fails drops it: the next
    send opens a new one, so one broken connection never fails the rest of the batch."""
    holder: list[smtplib.SMTP] = []
    token = _SHARED.set(holder)
    try:
        yield
    finally:
        _SHARED.reset(token)
        for smtp in holder:
            _quit(smtp)


def _send_shared(holder: list[smtplib.SMTP], message: EmailMessage) -> dict[str, object]:
    if not holder:
        holder.append(_connect())
    try:
        return dict(holder[0].send_message(message))
    except BaseException:
        # The connection's state is unknown after a failure: never send on it again.
        _quit(holder.pop())
        raise


def send_email(message: EmailMessage) -> SendResult:
    """Hand ``message`` to the SMTP server; raise a temporary or permanent send error."""
    holder = _SHARED.get()
    try:
        if holder is not None:
            refused = _send_shared(holder, message)
        else:
            with _connect() as smtp:
                refused = dict(smtp.send_message(message))
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _reply in exc.recipients.values()]
        answer = "; ".join(f"{code} {reply!r}" for code, reply in exc.recipients.values())
        if any(400 <= code < 500 for code in codes):
            raise TemporarySendError(answer) from exc
        raise PermanentSendError(answer) from exc
    except smtplib.SMTPResponseException as exc:
        answer = f"{exc.smtp_code} {exc.smtp_error!r}"
        if 400 <= exc.smtp_code < 500:
            raise TemporarySendError(answer) from exc
        raise PermanentSendError(answer) from exc
    except (smtplib.SMTPException, OSError) as exc:
        # Refused, dropped or timed-out connections: the server may be back in a minute.
        raise TemporarySendError(f"connection: {type(exc).__name__}") from exc
    if refused:  # one recipient per message, so this is only a defensive check
        raise PermanentSendError(f"refused: {len(refused)} recipient(s)")
    return SendResult("250 accepted")
