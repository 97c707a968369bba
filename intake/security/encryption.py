"""Encryption at rest with MultiFernet, and blind indexes for lookups without decrypting.

The first key in ``ENCRYPTION_KEYS`` encrypts; every key decrypts, so keys can be rotated by
adding a new first key and re-encrypting rows. Blind indexes are HMAC-SHA256 under their own key.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class DecryptionError(RuntimeError):
    """A stored value could not be decrypted with any configured key."""


def _multi_fernet() -> MultiFernet:
    return _fernet_for(tuple(current_app.config["ENCRYPTION_KEYS"]))


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str | bytes, ...]) -> MultiFernet:
    # One instance per set of keys (every encrypted field of every request used to build its
    # own); a rotation configures another tuple of keys and so gets another instance.
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def encrypt_text(plaintext: str) -> str:
    """Encrypt a string under the first configured key."""
    return _multi_fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    """Decrypt a string encrypted by :func:`encrypt_text` under any configured key."""
    try:
        return _multi_fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise DecryptionError("value cannot be decrypted with the configured keys") from exc


def rotate_token(token: str) -> str:
    """Re-encrypt a token under the current first key."""
    return _multi_fernet().rotate(token.encode("ascii")).decode("ascii")


def blind_index(normalised_value: str) -> str:
    """A keyed hash of an already normalised value, for equality lookups."""
    key = str(current_app.config["BLIND_INDEX_KEY"]).encode()
    return hmac.new(key, normalised_value.encode("utf-8"), hashlib.sha256).hexdigest()
