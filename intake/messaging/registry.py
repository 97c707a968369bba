"""The message kinds this process knows, registered by the domains that own them.

Messaging itself knows no kind: each domain registers its own from its package when the app is
built (``intake.triage.messages``, ``intake.usecases.inquirer_messages``), as CTFd's
challenge types add themselves to ``CHALLENGE_CLASSES``. A kind says what to do with an outbox
row of its name (``handle_outbox``) and, for deliveries of its name, how to write the message
(``compose``) and whether it is still wanted (``stop_reason``).

A kind that is not registered is not an error to swallow: during a rolling deploy an older
worker meets rows written by a newer web process. The relay keeps such rows pending and shows
them to admins until a process that knows the kind handles them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from intake.messaging.compose import Composed
    from intake.messaging.models import Delivery


class SubjectMissing(Exception):  # noqa: N818  (a condition, not a bug)
    """What an outbox row or a delivery is about no longer exists (it was deleted).

    Raised by a kind's handler; the relay keeps the row, marks it failed and shows it to admins.
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
