"""Column types that encrypt on the way in and decrypt on the way out.

Every personal field uses one of these, so plaintext never reaches the database. They need an
application context (the keys live in the app's configuration).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from intake.security.encryption import decrypt_text, encrypt_text


class EncryptedText(TypeDecorator[str]):
    """A string stored as a MultiFernet token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt_text(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else decrypt_text(value)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON document stored as a MultiFernet token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return encrypt_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(decrypt_text(value))


ENCRYPTED_TYPES = (EncryptedText, EncryptedJSON)
