"""Values every template may use."""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _

from intake.helplines import COUNTRIES, CountryHelp, Helpline, help_for

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


def country_name(country_help: CountryHelp) -> str:
    """The country's name in the page language (Babel's CLDR data)."""
    if country_help.code not in COUNTRIES:
        return str(_("Other countries"))
    language = str(get_locale() or "en")
    return str(Locale.parse(language).territories.get(country_help.code, country_help.name))


def _note_words() -> dict[str, str]:
    return {
        "free": _("free"),
        "multilingual": _("multilingual"),
        "call, text or chat": _("call, text or chat"),
        "call or text": _("call or text"),
    }


def helpline_note(note: str) -> str:
    """A helpline's note ("free, multilingual") in the page language."""
    if not note:
        return ""
    words = _note_words()
    if note in words:
        return words[note]
    return ", ".join(words.get(part, part) for part in note.split(", "))


def helpline_name(line: Helpline) -> str:
    return line.name_in(str(get_locale() or "en"))


def register(app: Flask) -> None:
    app.add_template_filter(helpline_note, "helpline_note")
    app.add_template_filter(helpline_name, "helpline_name")
    app.context_processor(_context)
    app.add_template_filter(country_name, "country_name")
