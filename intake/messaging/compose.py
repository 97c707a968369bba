"""Composing deliveries: the helpers every kind's composer uses, and the dispatch by kind.

What a delivery of a kind says, to whom, and when it stops being wanted belongs to the domain
that registered the kind (:mod:`intake.messaging.registry`); this module holds what they share.
Messages are rendered at the moment of sending, from ids: the address is read (and decrypted)
only then and never stored on the delivery. Templates are one file per language
(``templates/email/<kind>.<lang>.txt`` and ``.html``), translated whole rather than string by
string, because tone matters more than reuse in these messages. Each text template sets
``subject`` and ``preview`` at its top; the HTML one receives them.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from babel import Locale
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import exists, select

from intake.extensions import db
from intake.messaging.channels import TemporarySendError
from intake.messaging.models import Delivery, UnsubscribeToken
from intake.messaging.registry import find_kind
from intake.vocabulary import DEFAULT_LANGUAGE, Language

TEMPLATE_LANGUAGES = Language.codes()
UNSUBSCRIBE_PATH = "/{lang}/unsubscribe/{token}"


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str | None = None
    email_to: str | None = None
    phone_to: str | None = None
    unsubscribe_url: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    # Rows to store with the outcome (the unsubscribe token), written only if the send succeeds.
    new_rows: tuple[object, ...] = ()


@dataclass(frozen=True)
class Rendered:
    subject: str
    preview: str
    text: str
    html: str


def render_message(
    kind: str, language: str, context: dict[str, Any], *, by_babel: bool = False
) -> Rendered:
    """Render ``email/<kind>.<language>`` (text and HTML); unknown languages fall back to English.

    With ``by_babel`` there is one template, ``email/<kind>.en``, whose words are Babel messages,
    rendered in ``language`` (``force_locale``): for short messages to staff, where the words
    are few and the catalogues already carry the staff pages' languages.

    The Jinja environment is used directly rather than ``render_template``: a worker has no
    request, and the app's context processors read one.
    """
    lang = language if language in TEMPLATE_LANGUAGES else DEFAULT_LANGUAGE
    if by_babel:
        with force_locale(str(lang)):
            return _render(f"email/{kind}.{DEFAULT_LANGUAGE.value}", str(lang), context)
    return _render(f"email/{kind}.{lang}", str(lang), context)


def _render(name: str, lang: str, context: dict[str, Any]) -> Rendered:
    """Render ``<name>.txt`` and ``<name>.html``, the page saying it is written in ``lang``."""
    env = current_app.jinja_env
    module = env.get_template(f"{name}.txt").make_module(context)
    subject = str(getattr(module, "subject", "")).strip()
    preview = str(getattr(module, "preview", "")).strip()
    text = str(module).strip() + "\n"
    html = env.get_template(f"{name}.html").render(
        **context, subject=subject, preview=preview, lang=lang
    )
    return Rendered(subject=subject, preview=preview, text=text, html=html)


def base_url() -> str:
    """``BASE_URL`` without its trailing slash: links in messages are built on it."""
    return str(current_app.config["BASE_URL"]).rstrip("/")


def country_label(code: str | None, language: str) -> str:
    """The country's name in ``language`` (CLDR), or a neutral word when unknown."""
    if not code:
        return "-"
    try:
        return str(Locale.parse(language).territories.get(code.upper(), code.upper()))
    except ValueError:
        return code.upper()


# Unsubscribing -------------------------------------------------------------------------------
def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_unsubscribe_link(person_id: int, language: str) -> tuple[str, UnsubscribeToken]:
    """An opaque, random unsubscribe link for a person, and the row to store (only its hash).

    The caller stores the row with the send's outcome, so a failed send leaves no token behind.
    """
    token = secrets.token_urlsafe(24)
    row = UnsubscribeToken(token_hash=hash_token(token), person_id=person_id, language=language)
    lang = language if language in TEMPLATE_LANGUAGES else DEFAULT_LANGUAGE
    return base_url() + UNSUBSCRIBE_PATH.format(lang=lang, token=token), row


# A batch of sends asks once for all its recipients (see :func:`opt_outs_known`).
_KNOWN_OPT_OUTS: ContextVar[tuple[frozenset[int], frozenset[int]] | None] = ContextVar(
    "known_opt_outs", default=None
)


@contextlib.contextmanager
def opt_outs_known(person_ids: Iterable[int]) -> Iterator[None]:
    """Within the block, :func:`opted_out` answers for ``person_ids`` from one query made now
    (a batch of sends is composed in one reading transaction, so the answer is as fresh)."""
    asked = frozenset(person_ids)
    out = (
        frozenset(
            db.session.scalars(
                select(UnsubscribeToken.person_id)
                .where(UnsubscribeToken.person_id.in_(asked), UnsubscribeToken.used_at.is_not(None))
                .distinct()
            )
        )
        if asked
        else frozenset()
    )
    reset = _KNOWN_OPT_OUTS.set((asked, out))
    try:
        yield
    finally:
        _KNOWN_OPT_OUTS.reset(reset)


def opted_out(person_id: int) -> bool:
    """Whether the person has used any of their unsubscribe links."""
    known = _KNOWN_OPT_OUTS.get()
    if known is not None and person_id in known[0]:
        return person_id in known[1]
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    UnsubscribeToken.person_id == person_id, UnsubscribeToken.used_at.is_not(None)
                )
            )
        )
    )


# Dispatch ------------------------------------------------------------------------------------
def stop_reason(delivery: Delivery) -> str | None:
    """Why a delivery should no longer go out, or None to send it.

    A person who opted out gets nothing, whatever the kind; then the kind's own rule (from the
    registry) decides.
    """
    if delivery.recipient_person_id is not None and opted_out(delivery.recipient_person_id):
        return "stopped: opted out"
    spec = find_kind(delivery.kind)
    if spec is None or spec.stop_reason is None:
        return None
    return spec.stop_reason(delivery)


def compose(delivery: Delivery) -> Composed:
    """Render ``delivery`` in its language and find its recipient's address, as its kind (from
    the registry) says.

    A kind this process does not know is a temporary failure: a newer worker may know it, and
    the retries are bounded, after which the delivery is failed and shown to admins.
    """
    spec = find_kind(delivery.kind)
    if spec is None or spec.compose is None:
        raise TemporarySendError(f"unknown kind {delivery.kind}")
    return spec.compose(delivery)
