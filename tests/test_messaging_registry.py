"""Messaging as a platform: the relay is switched on by ``messaging.init_app``, kinds come from
a registry, and work this process cannot do (an unknown kind, a deleted subject, a channel with
no transport) is kept and shown on the failed-sends page, never lost and never a 500."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from intake import messaging
from intake.extensions import db
from intake.messaging import relay
from intake.messaging.outbox import OutboxMessage
from tests.reliability import fixtures

published = fixtures.published


# The relay is installed by init_app ------------------------------------------------------------
def _relay_installed() -> bool:
    return all(event.contains(Session, name, fn) for name, fn in relay._LISTENERS)


def test_init_app_installs_the_relay_without_any_blueprint(
    app: Flask, published: list[tuple[str, int]]
) -> None:
    for name, listener in relay._LISTENERS:
        event.remove(Session, name, listener)
    try:
        assert not _relay_installed()
        bare = Flask("no_messaging_pages")
        messaging.init_app(bare)
        assert "messaging" not in bare.blueprints
        assert _relay_installed()
        with app.app_context():
            row = OutboxMessage(kind="staff_alert", target_type="inquiry", target_id=1)
            db.session.add(row)
            db.session.commit()
            assert published == [(relay.PROCESS_OUTBOX, row.id)]
    finally:
        relay.install()
