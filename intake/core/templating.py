"""Values every template may use."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask_babel import get_locale

from intake.helplines import COUNTRIES, help_for

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Español",
    "de": "Deutsch",
    "fr": "Français",
    "it": "Italiano",
}


def _context() -> dict[str, Any]:
    language = str(get_locale() or "en")
    return {
        "clinic_name": current_app.config["CLINIC_NAME"],
        "page_language": language,
        "language_names": LANGUAGE_NAMES,
        "footer_help": help_for(request.args.get("country"), language),
        "helpline_countries": COUNTRIES,
    }


def register(app: Flask) -> None:
    app.context_processor(_context)
