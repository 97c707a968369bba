"""Values every template may use."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from babel import Locale
from flask import Flask, current_app, request
from flask_babel import gettext as _
from flask_login import current_user

from intake.auth import access
from intake.auth.access import FieldGroup, Guarded
from intake.auth.permissions import Permission
from intake.core.i18n import page_language
from intake.core.labels import label
from intake.helplines import COUNTRIES, LANGUAGE_DEFAULT_COUNTRY, CountryHelp, Helpline, help_for
from intake.triage.labels import flag_reason
from intake.vocabulary import URGENT_PRIORITIES, ClockState, GuidanceLevel, Language, Priority

# Each language by its own name, as the language switcher and the staff filters show it.
LANGUAGE_NAMES: dict[str, str] = {
    Language.EN: "English",
    Language.ES: "Español",
    Language.DE: "Deutsch",
    Language.FR: "Français",
    Language.IT: "Italiano",
}
# The vocabularies templates compare stored codes with, instead of spelling the codes.
VOCABULARY_GLOBALS = {
    "Priority": Priority,
    "URGENT_PRIORITIES": URGENT_PRIORITIES,
    "GuidanceLevel": GuidanceLevel,
    "ClockState": ClockState,
}


def _context() -> dict[str, Any]:
    language = page_language()
    return {
        "clinic_name": current_app.config["CLINIC_NAME"],
        "page_language": language,
        "language_names": LANGUAGE_NAMES,
        "footer_help": help_for(request.args.get("country"), language),
        "helpline_countries": COUNTRIES,
        # Templates check permissions by name, the same names the views check.
        "Permission": Permission,
    }


_TIME_FORMATS = {
    "datetime": "%Y-%m-%d %H:%M %Z",
    "seconds": "%Y-%m-%d %H:%M:%S %Z",
    "time": "%H:%M %Z",
    "date": "%Y-%m-%d",
}


def clinic_time(moment: datetime | None, part: str = "datetime") -> str:
    """A stored time as staff read it: the clinic's zone, labelled ("2026-03-02 14:05 CET").

    ``part="time"`` gives the time alone ("14:05 CEST"), ``part="seconds"`` adds seconds (the
    audit log). Every time a staff page shows goes
    through here, so no page mixes UTC with local time or leaves the zone unsaid.
    """
    if moment is None:
        return ""
    if moment.tzinfo is None:  # stored times are UTC (intake.core.types.UTCDateTime)
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(ZoneInfo(current_app.config["CLINIC_TIMEZONE"]))
    return local.strftime(_TIME_FORMATS.get(part, _TIME_FORMATS["datetime"]))


def country_label(code: str | None) -> str:
    """A country code ("ES") as the country's name in the page language ("Spain", "España")."""
    if not code:
        return ""
    language = page_language()
    return str(Locale.parse(language).territories.get(code.upper(), code))


def language_label(code: str | None) -> str:
    """A language code ("de") as the language's own name ("Deutsch")."""
    return LANGUAGE_NAMES.get(code or "", code or "")


def example_phone(language: str | None = None, country: str | None = None) -> str:
    """An example phone number for the person's country, else the page language's country.

    Drawn from libphonenumber's example numbers, in international format, so a German page
    shows a German mobile number ("+49 1512 3456789") rather than a Spanish one.
    """
    language = language or page_language()
    region = (country or "").upper()
    if region not in COUNTRIES:
        region = LANGUAGE_DEFAULT_COUNTRY.get(language, "GB")
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if number is None:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def country_name(country_help: CountryHelp) -> str:
    """The country's name in the page language (Babel's CLDR data)."""
    if country_help.code not in COUNTRIES:
        return str(_("Other countries"))
    language = page_language()
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
    return line.name_in(page_language())


def may_read(record: Guarded, group: str = FieldGroup.RECORD) -> bool:
    """In a template: whether the signed-in user may see ``group`` of ``record``."""
    return access.may_read(current_user, record, FieldGroup(group))


def register(app: Flask) -> None:
    app.add_template_filter(helpline_note, "helpline_note")
    app.add_template_filter(helpline_name, "helpline_name")
    app.context_processor(_context)
    app.add_template_filter(country_name, "country_name")
    # Registered after the blueprints, so this is the one `clinic_time` every template uses.
    app.add_template_filter(clinic_time, "clinic_time")
    app.add_template_filter(label, "label")
    app.add_template_filter(flag_reason, "flag_reason")
    app.add_template_filter(country_label, "country_label")
    app.add_template_filter(language_label, "language_label")
    app.add_template_global(example_phone, "example_phone")
    app.add_template_global(may_read, "may_read")
    app.jinja_env.globals.update(VOCABULARY_GLOBALS)
