"""The alert webhook: a JSON POST to the clinic's chat or paging tool, signed with HMAC-SHA256.

The receiver checks ``X-Harbor-Signature: sha256=<hex>`` over ``<timestamp>.<body>`` with the
shared ``ALERT_WEBHOOK_SECRET`` and rejects old timestamps, so a captured request cannot be
replayed later. The body holds priority, country and a link only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any

from flask import current_app

from intake.messaging.channels import PermanentSendError, SendResult, TemporarySendError

TIMEOUT_SECONDS = 10


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Constant-time check of a received signature (for receivers and tests)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def post_webhook(payload: dict[str, Any], delivery_key: str) -> SendResult:
    """POST ``payload`` to ``ALERT_WEBHOOK_URL``; 5xx, 429 and timeouts are temporary."""
    url = current_app.config.get("ALERT_WEBHOOK_URL")
    if not url or not url.startswith(("https://", "http://")):
        raise PermanentSendError("no webhook URL configured")
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "harbor-intake-alerts",
        "X-Harbor-Timestamp": timestamp,
        # Receivers deduplicate on this: a retry after a lost answer carries the same key.
        "Idempotency-Key": delivery_key,
    }
    secret = current_app.config.get("ALERT_WEBHOOK_SECRET")
    if secret:
        headers["X-Harbor-Signature"] = sign(secret, timestamp, body)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return SendResult(f"{response.status}")
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code == 429:
            raise TemporarySendError(f"http {exc.code}") from exc
        raise PermanentSendError(f"http {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise TemporarySendError(f"connection: {type(exc).__name__}") from exc
