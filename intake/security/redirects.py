"""Only follow ``next`` to a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def is_safe_next(target: str | None) -> bool:
    """True for a local path such as ``/staff/users``; false for other hosts or schemes.

    Backslashes and control characters are refused because browsers treat ``/\\evil`` as
    ``//evil``.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(char) < 32 for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
