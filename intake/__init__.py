"""Harbor Intake: admissions intake and CRM back-office for treatment clinics.

:func:`create_app` reads as the list of steps that build the application.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.engine import Engine

    from config import BaseConfig

# Flask, SQLAlchemy and the settings are imported inside the functions below, not here: the
# pure packages (``intake.triage.rules``) live under this one, and importing them must not pay
# for a web framework they do not use.

__all__ = ["create_app"]


def create_app(config_name: str | None = None, overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask application for ``config_name`` (or ``HARBOR_ENV``)."""
    from flask import Flask

    from config import load_config

    config = load_config(config_name)
    app = Flask(__name__, template_folder="../templates", static_folder="static")
    configure(app, config, overrides)
    configure_logging(app)
    register_input_guards(app)
    register_extensions(app)
    register_sessions(app)
    register_messaging(app)
    register_crm(app)
    register_clinical(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    celery_init_app(app)
    return app


def configure(app: Flask, config: BaseConfig, overrides: Mapping[str, Any] | None) -> None:
    app.config.from_mapping(config.as_mapping())
    app.config["ENV_NAME"] = config.name
    if overrides:
        for key, value in overrides.items():
            if key == "CELERY" and isinstance(value, Mapping):
                app.config["CELERY"] = {**app.config["CELERY"], **value}
                if not str(app.config["CELERY"]["broker_url"]).startswith("redis"):
                    app.config["CELERY"]["broker_transport_options"] = {}
            else:
                app.config[key] = value
    for name in config.REQUIRED:
        if name == "DATABASE_URL":
            config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        elif name in app.config:
            setattr(config, name, app.config[name])
    config.validate()


def configure_logging(app: Flask) -> None:
    # Log lines carry codes and ids only; request bodies and form data are never logged.
    logging.basicConfig(
        level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )


def register_input_guards(app: Flask) -> None:
    # Before any route exists (rules take the id converter when added) and before any other
    # request hook (a NUL byte is refused before it reaches a query).
    from intake.core.inputs import register

    register(app)


def register_extensions(app: Flask) -> None:
    import intake.models  # noqa: F401  (every table must be known before migrations run)
    from intake.extensions import babel, csrf, db, limiter, login_manager, migrate, talisman

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine)
        elif db.engine.dialect.name == "postgresql":
            from intake.core import first_write

            first_write.install(db.engine)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    csrf.init_app(app)

    from intake.core.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        strict_transport_security=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy={
            "default-src": "'self'",
            "img-src": ["'self'", "data:"],
            "style-src": "'self'",
            "script-src": "'self'",
            "object-src": "'none'",
            "base-uri": "'none'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
        },
        referrer_policy="no-referrer",
        frame_options="DENY",
    )


def _migrations_dir() -> Any:
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def _configure_sqlite(engine: Engine) -> None:
    """Make SQLite honour foreign keys and real transactions (SAVEPOINT included), and share
    the database between web, worker and beat without "database is locked" (WAL, a busy
    timeout, ``BEGIN IMMEDIATE``; see :mod:`intake.core.sqlite`).

    pysqlite's own transaction handling defers BEGIN, which breaks savepoints; the SQLAlchemy
    documentation's recipe takes it over.
    """
    from sqlalchemy import event

    from intake.core.sqlite import begin_immediately, on_connect

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        on_connect(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        begin_immediately(connection)


def register_sessions(app: Flask) -> None:
    from intake.auth.network import trust_proxies
    from intake.auth.sessions import (
        AuditedSessionInterface,
        enforce_session_limits,
        forbid_caching_of_staff_pages,
        require_enrolment_when_configured,
    )

    app.session_interface = AuditedSessionInterface()
    app.before_request(enforce_session_limits)
    app.before_request(require_enrolment_when_configured)
    app.after_request(forbid_caching_of_staff_pages)
    trust_proxies(app)


def register_messaging(app: Flask) -> None:
    # The outbox relay (publish after commit) is on in every process that builds the app, with
    # or without the messaging pages; each domain then registers the message kinds it owns.
    from intake.aftercare import messages as aftercare_messages
    from intake.crm import messages as crm_messages
    from intake.messaging import init_app
    from intake.triage import messages as triage_messages
    from intake.usecases import inquirer_messages

    init_app(app)
    triage_messages.init_app(app)
    inquirer_messages.init_app(app)
    aftercare_messages.init_app(app)
    crm_messages.init_app(app)


def register_crm(app: Flask) -> None:
    # The clinic's pipeline table (checked at start), and the CRM's listener for triage's
    # "contact reached" signal.
    from intake.crm import init_app

    init_app(app)


def register_clinical(app: Flask) -> None:
    # The clinic's level-of-care table (checked at start) and the clinical refusal page.
    from intake.clinical import init_app

    init_app(app)


def register_blueprints(app: Flask) -> None:
    from intake.aftercare.views import bp as aftercare_bp
    from intake.aftercare.views import public_bp as aftercare_public_bp
    from intake.audit.views import bp as audit_bp
    from intake.auth.admin_views import bp as admin_bp
    from intake.auth.views import bp as auth_bp
    from intake.clinical.consent_views import bp as consent_bp
    from intake.clinical.views import bp as clinical_bp
    from intake.core.views import bp as core_bp
    from intake.crm.views import bp as crm_bp
    from intake.messaging.views import bp as messaging_bp
    from intake.public.admin_views import bp as api_keys_bp
    from intake.public.api import bp as api_bp
    from intake.public.views import bp as public_bp
    from intake.triage.alert_views import bp as alerts_bp
    from intake.triage.quarantine_views import bp as quarantine_bp
    from intake.triage.views import bp as triage_bp

    for blueprint in (
        public_bp,
        api_bp,
        core_bp,
        auth_bp,
        admin_bp,
        audit_bp,
        api_keys_bp,
        triage_bp,
        quarantine_bp,
        alerts_bp,
        messaging_bp,
        crm_bp,
        clinical_bp,
        aftercare_bp,
        aftercare_public_bp,
        consent_bp,
    ):
        app.register_blueprint(blueprint)


def register_error_handlers(app: Flask) -> None:
    from intake.core.errors import register_error_handlers as register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from intake.core.templating import register as register_helpers

    register_helpers(app)


def register_commands(app: Flask) -> None:
    from intake.audit.commands import audit_group
    from intake.auth.commands import create_user_command
    from intake.core.commands import seed_demo_command
    from intake.core.devmail import dev_mail_command
    from intake.public.commands import api_keys_group
    from intake.security.commands import keys_group
    from intake.triage.commands import triage_group

    for command in (
        create_user_command,
        seed_demo_command,
        api_keys_group,
        keys_group,
        triage_group,
        dev_mail_command,
        audit_group,
    ):
        app.cli.add_command(command)


def celery_init_app(app: Flask) -> Any:
    from intake.core.celery import celery_init_app as init

    return init(app)
