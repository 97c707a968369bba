"""The consent the person gives, with a version, so each inquiry records what was agreed to."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

CONSENT_VERSION = "2026-11-v1"


def consent_text() -> str:
    """The consent sentence in the current language (shown on the form and stored)."""
    return _(
        "I agree that the clinic's admissions team may store what I wrote, including "
        "information about my health, and use it only to contact me about care. I can ask "
        "for it to be deleted at any time."
    )


def consent_text_in(language: str) -> str:
    with force_locale(language):
        return consent_text()
