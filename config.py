"""Configuration read from the environment.

One base class reads every setting from a mapping (normally ``os.environ``); the development,
testing and production variants only change defaults and what is required. Nothing here fails at
import time: a variant checks what it needs in :meth:`BaseConfig.validate`, which the app factory
calls, so a missing secret stops the app with a message that names it.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from intake.vocabulary import DEFAULT_LANGUAGE, Language, Priority

BASE_DIR = Path(__file__).resolve().parent

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
# Minutes to first contact by priority (TRIAGE.md): 15 minutes, 4 hours, 24 hours, 3 days.
CONTACT_TARGET_DEFAULTS = {
    Priority.P0: 15,
    Priority.P1: 4 * 60,
    Priority.P2: 24 * 60,
    Priority.P3: 3 * 24 * 60,
}


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


def env_bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    """Parse a boolean strictly: a known word or an error, never a silent guess."""
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(
        f"{name} must be one of {sorted(TRUE_WORDS | FALSE_WORDS)}, got {raw!r}",
    )


def env_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def normalise_database_url(url: str) -> str:
    """Point plain ``postgres://`` URLs at psycopg 3, the driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _split_keys(raw: str | None) -> list[str]:
    return [key.strip() for key in (raw or "").split(",") if key.strip()]


class BaseConfig:
    """Settings shared by every environment, read from ``environ``."""

    name = "base"
    DEBUG = False
    TESTING = False
    REQUIRED: tuple[str, ...] = (
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "ENCRYPTION_KEYS",
        "BLIND_INDEX_KEY",
        "AUDIT_CHAIN_KEY",
    )

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = dict(os.environ if environ is None else environ)
        self.environ = env
        self.instance_dir = Path(env.get("INSTANCE_PATH") or BASE_DIR / "instance")
        self.SECRET_KEY: str | None = env.get("SECRET_KEY") or self.default_secret("SECRET_KEY")
        database_url = env.get("DATABASE_URL") or self.default_database_url()
        self.SQLALCHEMY_DATABASE_URI = (
            normalise_database_url(database_url) if database_url else None
        )
        # hide_parameters keeps SQL parameters (personal data) out of error messages and logs.
        self.SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {
            "pool_pre_ping": True,
            "hide_parameters": True,
        }
        self.REDIS_URL: str | None = env.get("REDIS_URL") or None

        self.ENCRYPTION_KEYS: list[str] = _split_keys(env.get("ENCRYPTION_KEYS")) or (
            self.default_fernet_keys()
        )
        self.BLIND_INDEX_KEY: str | None = env.get("BLIND_INDEX_KEY") or self.default_secret(
            "BLIND_INDEX_KEY"
        )

        self.REQUIRE_2FA = env_bool(env, "REQUIRE_2FA", self.default_require_2fa())
        self.SESSION_COOKIE_NAME = "harbor_session"
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = env_bool(env, "SESSION_COOKIE_SECURE", self.secure_cookies())
        self.SESSION_IDLE_MINUTES = env_int(env, "SESSION_IDLE_MINUTES", 30)
        self.SESSION_ABSOLUTE_HOURS = env_int(env, "SESSION_ABSOLUTE_HOURS", 12)
        # The cookie lifetime is the idle timeout; the absolute limit is checked on the server.
        self.PERMANENT_SESSION_LIFETIME = timedelta(minutes=self.SESSION_IDLE_MINUTES)
        self.SESSION_REFRESH_EACH_REQUEST = True
        self.REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
        self.WTF_CSRF_TIME_LIMIT = 3600 * 4

        # argon2id cost of staff passwords (RFC 9106's recommendation; only tests go lower).
        self.PASSWORD_HASH_PARAMS: dict[str, int] = self.password_hash_params()
        self.LOGIN_MAX_FAILURES = env_int(env, "LOGIN_MAX_FAILURES", 5)
        self.LOGIN_LOCKOUT_MINUTES = env_int(env, "LOGIN_LOCKOUT_MINUTES", 15)
        # Sessions, lockout and audit (issue 8). Failures are counted per account *and* client
        # address: after LOGIN_MAX_FAILURES from one address that address waits
        # LOGIN_LOCKOUT_FIRST_SECONDS, doubling with each further failure up to
        # LOGIN_LOCKOUT_MINUTES. A stranger elsewhere cannot lock the real user out; only a flood
        # (LOGIN_ACCOUNT_MAX_FAILURES from anywhere) pauses the account for a short cool-down,
        # and not for addresses the account signed in from recently.
        self.LOGIN_LOCKOUT_FIRST_SECONDS = env_int(env, "LOGIN_LOCKOUT_FIRST_SECONDS", 60)
        self.LOGIN_ACCOUNT_MAX_FAILURES = env_int(env, "LOGIN_ACCOUNT_MAX_FAILURES", 50)
        self.LOGIN_ACCOUNT_COOLDOWN_MINUTES = env_int(env, "LOGIN_ACCOUNT_COOLDOWN_MINUTES", 5)
        # Reverse proxies in front of the app (0: none). With N, the N-th address from the right
        # of X-Forwarded-For is the client for rate limits, lockouts and audit rows.
        self.TRUSTED_PROXIES = env_int(env, "TRUSTED_PROXIES", 0)
        # Migrations run as the tables' owner; the app's DATABASE_URL should name a role that may
        # only INSERT and SELECT on audit_events and audit_seals (PostgreSQL; no roles on SQLite).
        migration_url = env.get("MIGRATION_DATABASE_URL") or None
        self.MIGRATION_DATABASE_URI = (
            normalise_database_url(migration_url) if migration_url else None
        )
        # Keys the HMAC chain over the audit trail (`flask audit verify`).
        self.AUDIT_CHAIN_KEY: str | None = env.get("AUDIT_CHAIN_KEY") or self.default_secret(
            "AUDIT_CHAIN_KEY"
        )
        self.LOGIN_RATE_LIMIT = env.get("LOGIN_RATE_LIMIT", "10 per minute")
        self.RATELIMIT_ENABLED = env_bool(env, "RATELIMIT_ENABLED", True)
        self.RATELIMIT_STORAGE_URI = (
            env.get("RATELIMIT_STORAGE_URI") or self.REDIS_URL or ("memory://")
        )
        self.RATELIMIT_HEADERS_ENABLED = True
        # A moving window: a fixed one lets twice the limit through across a minute's edge (and a
        # test that straddles the edge sees its limit late).
        self.RATELIMIT_STRATEGY = env.get("RATELIMIT_STRATEGY", "moving-window")
        # When Redis is down the public form must still accept an inquiry: limits fall back to
        # memory instead of failing the request.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.RATELIMIT_KEY_PREFIX = "harbor-limits"
        self.MAX_CONTENT_LENGTH = env_int(env, "MAX_CONTENT_LENGTH", 64 * 1024)
        self.PUBLIC_FORM_RATE_LIMIT = env.get("PUBLIC_FORM_RATE_LIMIT", "5 per minute; 30 per hour")
        self.API_RATE_LIMIT = env.get("API_RATE_LIMIT", "60 per minute")
        # How long a web process may keep using a verified API key without asking the database:
        # a key revoked elsewhere is refused within this many seconds (0: ask every time).
        self.API_KEY_CACHE_SECONDS = env_int(env, "API_KEY_CACHE_SECONDS", 5)
        # Bots fill the form within a second or two; people take longer.
        self.FORM_MIN_FILL_SECONDS = env_int(env, "FORM_MIN_FILL_SECONDS", 3)

        # Contact targets by priority, each from CONTACT_TARGET_P0_MINUTES ... _P3_MINUTES.
        self.CONTACT_TARGET_MINUTES = {
            priority.value: env_int(env, f"CONTACT_TARGET_{priority.value}_MINUTES", minutes)
            for priority, minutes in CONTACT_TARGET_DEFAULTS.items()
        }
        # How long past beat's 5-minute limit the reports page still adds up the day rollups
        # beat keeps (intake/crm/rollup.py) before computing a range itself; 0 turns the
        # rollup off. Tests see every change at once.
        self.REPORTS_CACHE_SECONDS = env_int(
            env, "REPORTS_CACHE_SECONDS", 0 if self.name == "testing" else 60
        )
        # The admissions pipeline table (stages, order, allowed moves) as a JSON file; the
        # default is intake.crm.pipeline.DEFAULT_TABLE. Checked when the app starts.
        self.PIPELINE_FILE: str | None = env.get("PIPELINE_FILE") or None
        # The clinic's level-of-care table (intake/clinical/level_of_care.py); none: the plain
        # default shipped beside it, which is not the ASAM Criteria.
        self.LEVEL_OF_CARE_FILE: str | None = env.get("LEVEL_OF_CARE_FILE") or None
        self.CLINIC_NAME = env.get("CLINIC_NAME", "Harbor Intake")
        self.CLINIC_TIMEZONE = env.get("CLINIC_TIMEZONE", "Europe/Zurich")
        # Links in emails: by default the address `make run` serves (it passes PORT).
        self.BASE_URL = env.get("BASE_URL") or (f"http://127.0.0.1:{env_int(env, 'PORT', 5000)}")
        self.PREFERRED_URL_SCHEME = "https" if self.SESSION_COOKIE_SECURE else "http"
        self.FORCE_HTTPS = env_bool(env, "FORCE_HTTPS", False)

        self.MAIL_SERVER = env.get("MAIL_SERVER", "127.0.0.1")
        self.MAIL_PORT = env_int(env, "MAIL_PORT", 1025)
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER", "team@harbor-intake.invalid")
        self.MAIL_USE_TLS = env_bool(env, "MAIL_USE_TLS", False)
        self.MAIL_USERNAME: str | None = env.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD: str | None = env.get("MAIL_PASSWORD") or None
        self.MAIL_TIMEOUT_SECONDS = env_int(env, "MAIL_TIMEOUT_SECONDS", 20)
        # Messaging (issue 5): the alert webhook, escalation, follow-ups, retries.
        self.ALERT_WEBHOOK_URL: str | None = env.get("ALERT_WEBHOOK_URL") or None
        self.ALERT_WEBHOOK_SECRET: str | None = env.get("ALERT_WEBHOOK_SECRET") or None
        self.ALERT_LANGUAGE = env.get("ALERT_LANGUAGE", DEFAULT_LANGUAGE.value)
        self.ESCALATION_P0_MINUTES = env_int(env, "ESCALATION_P0_MINUTES", 5)
        self.ESCALATION_P1_MINUTES = env_int(env, "ESCALATION_P1_MINUTES", 30)
        self.ESCALATION_MAX_ROUNDS = env_int(env, "ESCALATION_MAX_ROUNDS", 3)
        self.FOLLOW_UP_HOURS = env.get("FOLLOW_UP_HOURS", "24,72")
        self.SMS_PROVIDER = env.get("SMS_PROVIDER", "logging")
        self.DELIVERY_MAX_ATTEMPTS = env_int(env, "DELIVERY_MAX_ATTEMPTS", 5)
        self.DELIVERY_RETRY_BASE_SECONDS = env_int(env, "DELIVERY_RETRY_BASE_SECONDS", 30)
        self.DELIVERY_LEASE_SECONDS = env_int(env, "DELIVERY_LEASE_SECONDS", 180)
        self.OUTBOX_GRACE_SECONDS = env_int(env, "OUTBOX_GRACE_SECONDS", 10)
        self.REPUBLISH_AFTER_SECONDS = env_int(env, "REPUBLISH_AFTER_SECONDS", 60)
        # On PostgreSQL a new outbox row wakes the workers' listener with NOTIFY, sent by the
        # transaction that adds the row, instead of a Celery publish after the commit: a web
        # request then pays no broker round trip (intake.messaging.wakeup). Off: the publish.
        self.OUTBOX_NOTIFY = env_bool(env, "OUTBOX_NOTIFY", self.default_outbox_notify())
        # Aftercare check-ins (issue 13): the clinic's default schedule and its timings.
        self.AFTERCARE_FIRST_DAYS = env.get("AFTERCARE_FIRST_DAYS", "1,7,14,30")
        self.AFTERCARE_MAX_GAP_MONTHS = env_int(env, "AFTERCARE_MAX_GAP_MONTHS", 3)
        self.AFTERCARE_DURATION_MONTHS = env_int(env, "AFTERCARE_DURATION_MONTHS", 24)
        self.AFTERCARE_SEND_MINUTE = env_int(env, "AFTERCARE_SEND_MINUTE", 10 * 60)
        self.AFTERCARE_REMINDER_HOURS = env_int(env, "AFTERCARE_REMINDER_HOURS", 48)
        self.AFTERCARE_LINK_DAYS = env_int(env, "AFTERCARE_LINK_DAYS", 14)
        self.AFTERCARE_LEAD_EMAIL: str | None = env.get("AFTERCARE_LEAD_EMAIL") or None
        self.SMS_INBOUND_SECRET: str | None = env.get("SMS_INBOUND_SECRET") or None
        # Break-glass (issue 12): how long an emergency grant lasts, and who is alerted (the
        # staff account with this email; every active clinician when unset or not found).
        self.BREAK_GLASS_MINUTES = env_int(env, "BREAK_GLASS_MINUTES", 60)
        self.CLINICAL_LEAD_EMAIL: str | None = env.get("CLINICAL_LEAD_EMAIL") or None

        self.LANGUAGES = Language.codes()
        self.BABEL_DEFAULT_LOCALE = DEFAULT_LANGUAGE.value
        self.BABEL_DEFAULT_TIMEZONE = "UTC"
        self.BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "intake" / "translations")
        self.LOG_LEVEL = env.get("LOG_LEVEL", "INFO")

        broker_url = self.REDIS_URL or env.get("CELERY_BROKER_URL") or self.embedded_broker_url()
        self.CELERY: dict[str, Any] = {
            "broker_url": broker_url,
            "task_ignore_result": True,
            "result_backend": None,
            "task_serializer": "json",
            "accept_content": ["json"],
            "result_serializer": "json",
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "task_time_limit": env_int(env, "CELERY_TASK_TIME_LIMIT", 120),
            "task_soft_time_limit": env_int(env, "CELERY_TASK_SOFT_TIME_LIMIT", 90),
            "worker_prefetch_multiplier": 1,
            "broker_connection_retry_on_startup": True,
            # Redis redelivers an unacknowledged task after this long; the SQLAlchemy
            # transport hands these options to create_engine, which refuses unknown keys.
            "broker_transport_options": (
                {"visibility_timeout": 3600} if broker_url.startswith("redis") else {}
            ),
            "timezone": "UTC",
            "enable_utc": True,
            "task_always_eager": False,
        }

    # Defaults a variant may override -------------------------------------------------------
    def default_secret(self, name: str) -> str | None:
        return None

    def default_fernet_keys(self) -> list[str]:
        return []

    def default_database_url(self) -> str | None:
        return None

    def default_require_2fa(self) -> bool:
        return True

    def secure_cookies(self) -> bool:
        return True

    def password_hash_params(self) -> dict[str, int]:
        return {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}

    def default_outbox_notify(self) -> bool:
        return True

    def embedded_broker_url(self) -> str:
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        return f"sqla+sqlite:///{self.instance_dir / 'broker.sqlite'}"

    # ---------------------------------------------------------------------------------------
    def validate(self) -> None:
        """Refuse to start when a required setting is missing or malformed."""
        missing = [name for name in self.REQUIRED if not self.value_of(name)]
        if missing:
            raise ConfigError(
                f"{self.name} configuration needs these environment variables: "
                + ", ".join(missing)
            )
        for key in self.ENCRYPTION_KEYS:
            try:
                Fernet(key.encode())
            except ValueError as exc:
                raise ConfigError(
                    "ENCRYPTION_KEYS must be comma-separated Fernet keys "
                    "(the README shows how to make one)"
                ) from exc

    def value_of(self, name: str) -> Any:
        if name == "DATABASE_URL":
            return self.SQLALCHEMY_DATABASE_URI
        return getattr(self, name, None)

    def as_mapping(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in dir(self) if key.isupper()}


class DevelopmentConfig(BaseConfig):
    """The embedded default: SQLite and the SQLite-backed Celery broker under ``instance/``.

    Secrets are generated once and kept in ``instance/dev-secrets.json`` so sessions and
    encrypted rows survive restarts; there is never a hard-coded development secret.
    """

    name = "development"
    DEBUG = False
    REQUIRED = (
        "SECRET_KEY",
        "DATABASE_URL",
        "ENCRYPTION_KEYS",
        "BLIND_INDEX_KEY",
        "AUDIT_CHAIN_KEY",
    )

    def _dev_secrets(self) -> dict[str, Any]:
        path = self.instance_dir / "dev-secrets.json"
        stored: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
        generated = {
            "SECRET_KEY": secrets.token_urlsafe(48),
            "BLIND_INDEX_KEY": secrets.token_urlsafe(48),
            "ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
            "AUDIT_CHAIN_KEY": secrets.token_urlsafe(48),
        }
        # A secret added in a later version is generated once and kept with the others.
        missing = {name: value for name, value in generated.items() if name not in stored}
        if missing:
            self.instance_dir.mkdir(parents=True, exist_ok=True)
            stored.update(missing)
            path.write_text(json.dumps(stored, indent=2))
            path.chmod(0o600)
        return stored

    def default_secret(self, name: str) -> str | None:
        value: str = self._dev_secrets()[name]
        return value

    def default_fernet_keys(self) -> list[str]:
        keys: list[str] = self._dev_secrets()["ENCRYPTION_KEYS"]
        return keys

    def default_database_url(self) -> str:
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.instance_dir / 'intake.sqlite'}"

    def default_require_2fa(self) -> bool:
        return False

    def secure_cookies(self) -> bool:
        return False


class TestingConfig(BaseConfig):
    """Used by the test suite; the fixtures supply the database URL and fresh random keys."""

    name = "testing"
    TESTING = True
    REQUIRED = (
        "SECRET_KEY",
        "DATABASE_URL",
        "ENCRYPTION_KEYS",
        "BLIND_INDEX_KEY",
        "AUDIT_CHAIN_KEY",
    )

    def default_secret(self, name: str) -> str:
        return secrets.token_urlsafe(32)

    def default_fernet_keys(self) -> list[str]:
        return [Fernet.generate_key().decode()]

    def default_require_2fa(self) -> bool:
        return False

    def secure_cookies(self) -> bool:
        return False

    def default_outbox_notify(self) -> bool:
        # Most tests watch the after-commit publish; the wake-up's own tests switch this on.
        return False

    def password_hash_params(self) -> dict[str, int]:
        # The cheapest argon2id allows: test logins hash and verify hundreds of times a run.
        return {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


class ProductionConfig(BaseConfig):
    """Production: every secret and service URL must come from the environment."""

    name = "production"


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None, environ: Mapping[str, str] | None = None) -> BaseConfig:
    """Build the configuration named by ``name`` or the ``HARBOR_ENV`` variable."""
    env = os.environ if environ is None else environ
    chosen = name or env.get("HARBOR_ENV", "development")
    try:
        config_class = CONFIGS[chosen]
    except KeyError as exc:
        raise ConfigError(f"HARBOR_ENV must be one of {sorted(CONFIGS)}, got {chosen!r}") from exc
    return config_class(env)
