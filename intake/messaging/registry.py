"""The message kinds, alert subjects and subject links this process knows, registered by the
domains that own them.

Messaging itself knows no kind: each domain registers its own from its package when the app is
built (``intake.triage.messages``, ``intake.usecases.inquirer_messages``), as CTFd's
challenge types add themselves to ``CHALLENGE_CLASSES``. A kind says what to do with an outbox
row of its name (``handle_outbox``) and, for deliveries of its name, how to write the message
(``compose``) and whether it is still wanted (``stop_reason``).

A kind that is not registered is not an error to swallow: during a rolling deploy an older
worker meets rows written by a newer web process. The relay keeps such rows pending and shows
them to admins until a process that knows the kind handles them.

The paging machinery (:mod:`intake.messaging.alerts`) asks the domain an alert is about the
questions only that domain can answer (has someone taken it, has the follow-through happened),
through the :class:`AlertPolicy` that domain registers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from intake.messaging.compose import Composed
    from intake.messaging.models import Alert, Delivery


class SubjectMissing(Exception):  # noqa: N818  (a condition, not a bug)
    """What an outbox row or a delivery is about no longer exists (it was deleted).

    Raised by a kind's handler or composer; the relay (or the sender) keeps the row, marks it
    failed and shows it to admins.
    """


@dataclass(frozen=True)
class KindSpec:
    """One message kind and the functions that serve it; any of them may be absent."""

    name: str
    # Handle an outbox row of this kind (the row's target id); the relay owns the transaction.
    handle_outbox: Callable[[int], object] | None = None
    # Write a delivery of this kind in its language, with its recipient's address.
    compose: Callable[[Delivery], Composed] | None = None
    # Why a delivery of this kind should no longer go out, or None to send it.
    stop_reason: Callable[[Delivery], str | None] | None = None
    # When a delivery of this kind may not go out now (the recipient's quiet hours), the instant
    # it may; None to send it now. Asked at every send, first or retried.
    defer_until: Callable[[Delivery], datetime | None] | None = None
    # Load what a batch of this kind's deliveries is about into the session at once (one query
    # per table, not per delivery), so ``compose`` and ``stop_reason`` find it there. It returns
    # what it loaded: the session's identity map holds rows weakly, the caller holds them.
    preload: Callable[[Sequence[Delivery]], object] | None = None


_KINDS: dict[str, KindSpec] = {}


def register_kind(spec: KindSpec) -> KindSpec:
    """Make ``spec`` known to this process (registering a name again replaces it)."""
    _KINDS[spec.name] = spec
    return spec


def unregister_kind(name: str) -> None:
    """Forget a kind (tests, and a domain that withdraws one)."""
    _KINDS.pop(name, None)


def find_kind(name: str) -> KindSpec | None:
    """The registered kind called ``name``, or None when this process does not know it."""
    return _KINDS.get(name)


def kind_names() -> list[str]:
    return sorted(_KINDS)


# Alerts ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Taken:
    """Someone took what an alert is about (claimed it); ``by`` is who, when known."""

    by: int | None = None


@dataclass(frozen=True)
class AlertPolicy:
    """What the domain that alerts are about decides for the paging machinery.

    An alert pages in waves (``wave_kind`` deliveries) until its subject is ``taken``; then a
    *watch* may follow it: from ``watch_check_at`` the same waves page again (``watch_kind``,
    starting with the person who took it) until ``watch_stop`` gives a reason to stop.
    """

    # The delivery kinds of an alert's waves and of its watch's waves.
    wave_kind: str
    watch_kind: str
    # Who took the alert's subject, or None while nobody has (escalation goes on).
    taken: Callable[[Alert], Taken | None]
    # When to check the follow-through of a stopped alert, or None when nothing needs watching.
    watch_check_at: Callable[[Alert, datetime], datetime | None]
    # Why a watch has nothing left to do (a short code), or None while it must go on.
    watch_stop: Callable[[Alert], str | None]
    # The subject's priority now (it may have changed since the alert opened).
    priority: Callable[[Alert], str]


_ALERT_POLICY: list[AlertPolicy] = []


def register_alert_policy(policy: AlertPolicy) -> AlertPolicy:
    """Make ``policy`` the one alerts follow (registering again replaces it)."""
    _ALERT_POLICY[:] = [policy]
    return policy


def alert_policy() -> AlertPolicy:
    """The registered alert policy; a process that pages without one is misconfigured."""
    if not _ALERT_POLICY:
        raise LookupError("no alert policy registered")
    return _ALERT_POLICY[0]


# Subjects --------------------------------------------------------------------------------------
_SUBJECT_LINKS: dict[str, Callable[[int], str | None]] = {}


def register_subject(kind: str, link: Callable[[int], str | None]) -> None:
    """Say where staff read about a subject of ``kind`` (a delivery's or an outbox row's)."""
    _SUBJECT_LINKS[kind] = link


def subject_link(kind: str | None, subject_id: int | None) -> str | None:
    """The staff page about a subject, or None when no domain registered its kind."""
    if kind is None or subject_id is None:
        return None
    link = _SUBJECT_LINKS.get(kind)
    return link(subject_id) if link is not None else None
