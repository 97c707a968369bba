"""The consent the person gives, with a version, so each inquiry records what was agreed to."""

from __future__ import annotations

from flask import current_app
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
    """The consent sentence in ``language``, as stored with each inquiry."""
    # Kept per application and language: every inquiry stores it, and switching the locale to
    # translate the same sentence again cost more than the inquiry's insert.
    cache: dict[str, str] = current_app.extensions.setdefault("harbor.consent_texts", {})
    text = cache.get(language)
    if text is None:
        with force_locale(language):
            text = cache[language] = consent_text()
    return text
