"""Configuration is read strictly from the environment; production refuses to start without
its secrets, and no secret has a default outside development."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_config
from intake import create_app

PRODUCTION_ENV = {
    "HARBOR_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "DATABASE_URL": "postgresql://db.invalid/harbor",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "ENCRYPTION_KEYS": "0pR2wG5Z0b6m6Yy2d1q0d9aJ9Xo6o1mY8m0Z5oN2XgE=",
    "BLIND_INDEX_KEY": "b" * 40,
    "AUDIT_CHAIN_KEY": "c" * 40,
}


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "ENCRYPTION_KEYS",
        "BLIND_INDEX_KEY",
        "AUDIT_CHAIN_KEY",
    ],
)
def test_production_refuses_to_start_without_each_required_setting(missing: str) -> None:
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    config = load_config(environ=env)
    with pytest.raises(ConfigError, match=missing):
        config.validate()


def test_production_with_everything_set_is_strict_about_cookies_and_2fa() -> None:
    config = load_config(environ=PRODUCTION_ENV)
    config.validate()
    assert config.SESSION_COOKIE_SECURE is True
    assert config.REQUIRE_2FA is True
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://db.invalid/harbor"
    assert config.CELERY["broker_url"] == "redis://redis.invalid:6379/0"


def test_malformed_encryption_key_is_named() -> None:
    config = load_config(environ={**PRODUCTION_ENV, "ENCRYPTION_KEYS": "not-a-key"})
    with pytest.raises(ConfigError, match="ENCRYPTION_KEYS"):
        config.validate()


@pytest.mark.parametrize("word", ["maybe", "2", "enabled"])
def test_booleans_are_parsed_strictly(word: str) -> None:
    with pytest.raises(ConfigError, match="REQUIRE_2FA"):
        load_config(environ={**PRODUCTION_ENV, "REQUIRE_2FA": word})


def test_unknown_environment_name_is_refused() -> None:
    with pytest.raises(ConfigError, match="HARBOR_ENV"):
        load_config(environ={"HARBOR_ENV": "staging"})


def test_create_app_stops_on_missing_production_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARBOR_ENV", "production")
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ENCRYPTION_KEYS", "BLIND_INDEX_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError):
        create_app()


def test_development_generates_secrets_once_and_keeps_them(tmp_path: Path) -> None:
    env = {"HARBOR_ENV": "development", "INSTANCE_PATH": str(tmp_path)}
    first = load_config(environ=env)
    second = load_config(environ=env)
    first.validate()
    assert first.SECRET_KEY and first.SECRET_KEY == second.SECRET_KEY
    assert first.ENCRYPTION_KEYS == second.ENCRYPTION_KEYS
    assert (tmp_path / "dev-secrets.json").stat().st_mode & 0o077 == 0
    assert f"sqlite:///{tmp_path / 'intake.sqlite'}" == first.SQLALCHEMY_DATABASE_URI
    assert first.CELERY["broker_url"].startswith("sqla+sqlite:///")
    assert first.REQUIRE_2FA is False


def test_testing_keys_are_random_per_run() -> None:
    assert (
        load_config("testing", environ={}).SECRET_KEY
        != load_config("testing", environ={}).SECRET_KEY
    )


def test_development_adds_a_new_secret_to_an_existing_secrets_file(tmp_path: Path) -> None:
    import json

    env = {"HARBOR_ENV": "development", "INSTANCE_PATH": str(tmp_path)}
    first = load_config(environ=env)
    stored = json.loads((tmp_path / "dev-secrets.json").read_text())
    # A secrets file from before the audit chain existed.
    del stored["AUDIT_CHAIN_KEY"]
    (tmp_path / "dev-secrets.json").write_text(json.dumps(stored))
    second = load_config(environ=env)
    third = load_config(environ=env)
    second.validate()
    assert second.SECRET_KEY == first.SECRET_KEY
    assert second.AUDIT_CHAIN_KEY and second.AUDIT_CHAIN_KEY == third.AUDIT_CHAIN_KEY


def test_migrations_and_proxies_settings() -> None:
    config = load_config(
        environ={
            **PRODUCTION_ENV,
            "MIGRATION_DATABASE_URL": "postgres://owner@db.invalid/harbor",
            "TRUSTED_PROXIES": "2",
        }
    )
    assert config.MIGRATION_DATABASE_URI == "postgresql+psycopg://owner@db.invalid/harbor"
    assert config.TRUSTED_PROXIES == 2
    assert load_config(environ=PRODUCTION_ENV).MIGRATION_DATABASE_URI is None
    assert load_config(environ=PRODUCTION_ENV).TRUSTED_PROXIES == 0
