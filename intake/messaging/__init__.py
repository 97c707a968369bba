"""Messaging: the on-call rota, alerts, the outbox and deliveries, for domains to plug into.

Messaging imports no domain package (tests/platform/test_architecture.py checks): each domain
registers its message kinds, alert policy and subject links (:mod:`intake.messaging.registry`)
from its own package, and each channel is a transport (:mod:`intake.messaging.transports`).

:func:`init_app` switches the subsystem on for an application (web, worker and beat alike), in
the manner of the Flask tutorial's ``db.init_app``: nothing here happens as a side effect of
importing a module or registering a blueprint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Install the publish-after-commit relay (once per process, whatever the number of apps)
    and register this app's transports, one per channel its configuration sets up."""
    from intake.messaging import relay, transports

    relay.install()
    transports.install(app)
