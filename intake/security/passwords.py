"""Password hashing with argon2id.

The cost comes from ``PASSWORD_HASH_PARAMS``: RFC 9106's recommendation (argon2-cffi's
defaults) everywhere except the testing configuration, whose logins would otherwise spend most
of the suite's time hashing. A hash made with other parameters than the configured ones is
re-made at the next sign-in (:func:`needs_rehash`).
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

MIN_PASSWORD_LENGTH = 12
# RFC 9106's second recommended option, argon2-cffi's defaults: what production uses.
STRONG_PARAMS = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    # Verifying against this keeps the time of "unknown user" close to "wrong password".
    return hasher, hasher.hash("an unused password for timing")


def _hasher() -> tuple[PasswordHasher, str]:
    params = STRONG_PARAMS
    if has_app_context():
        params = current_app.config.get("PASSWORD_HASH_PARAMS") or STRONG_PARAMS
    return _hasher_for(params["time_cost"], params["memory_cost"], params["parallelism"])


def hash_password(password: str) -> str:
    """Hash a password with argon2id at the configured cost."""
    return _hasher()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash still costs one verification."""
    hasher, dummy = _hasher()
    try:
        return hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher()[0].check_needs_rehash(password_hash)
