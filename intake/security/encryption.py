"""Encryption at rest with MultiFernet, and blind indexes for lookups without decrypting.

The first key in ``ENCRYPTION_KEYS`` encrypts; every key decrypts, so keys can be rotated by
adding a new first key and re-encrypting rows. Blind indexes are HMAC-SHA256 under their own key.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class DecryptionError(RuntimeError):
    """A stored value could not be decrypted with any configured key."""


def _multi_fernet() -> MultiFernet:
    """The app's MultiFernet, built once per set of keys: building it (decoding and checking
    every key) cost as much as the decryption itself on pages that show a few hundred fields."""
    keys = tuple(current_app.config["ENCRYPTION_KEYS"])
    cached = current_app.extensions.get("harbor.fernet")
    if cached is None or cached[0] != keys:
        fernet = MultiFernet(
            [Fernet(key.encode() if isinstance(key, str) else key) for key in keys]
        )
        cached = current_app.extensions["harbor.fernet"] = (keys, fernet)
    result: MultiFernet = cached[1]
    return result


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
