"""One validation for every way an inquiry arrives (web form, JSON API, demo data).

Input is the shape in ``docs/api.md``; output is either a clean :class:`InquiryInput` or a
mapping of field name to messages, each message in the person's language (lazy strings, resolved
when rendered). Nothing here touches the database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import phonenumbers
from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from intake.vocabulary import (
    AUDIT_C_ITEMS,
    AUDIT_C_SEX,
    DEFAULT_LANGUAGE,
    RISK_ITEMS,
    SCREEN_ANSWERS,
    SCREEN_ITEMS,
    SCREEN_THOUGHTS_NOW,
    SCREEN_TRIED_WHEN,
    SUBSTANCES,
    TRIED_WHEN,
    ContactChannel,
    ForWhom,
    Language,
)

MESSAGE_MAX = 5000
NAME_MAX = 120
BEST_TIME_MAX = 200
EMAIL_MAX = 254
PHONE_MAX = 40
IDEMPOTENCY_KEY_MAX = 200

DEFAULT_FOR_WHOM = ForWhom.SELF
FIELDS = (
    "message",
    "name",
    "email",
    "phone",
    "preferred_channel",
    "safe_to_leave_message",
    "best_time",
    "country",
    "language",
    "for_whom",
    "substances",
    "screen",
    "risk",
    "consent",
    "audit_c",
)
# CLDR lists some two-letter territories that are not ISO 3166-1 countries.
_NOT_ISO_3166 = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
)
COUNTRY_CODES = (
    frozenset(
        str(code)
        for code in Locale("en").territories
        if len(str(code)) == 2 and str(code).isalpha()
    )
    - _NOT_ISO_3166
)
_ALLOWED_CONTROL = {"\n", "\r", "\t"}

Errors = dict[str, list[LazyString | str]]


@dataclass(frozen=True)
class InquiryInput:
    """A validated inquiry, normalised: phone in E.164, email normalised, defaults applied."""

    message: str
    consent: bool
    language: str = DEFAULT_LANGUAGE.value
    for_whom: str = DEFAULT_FOR_WHOM.value
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    preferred_channel: str | None = None
    safe_to_leave_message: bool = False
    best_time: str | None = None
    country: str | None = None
    substances: tuple[str, ...] = ()
    screen: dict[str, str] = field(default_factory=dict)
    risk: dict[str, bool] = field(default_factory=dict)
    audit_c: dict[str, Any] = field(default_factory=dict)

    def as_answers(self) -> dict[str, Any]:
        """The inquiry in the API.md shape, without empty optional fields."""
        # Field by field, each dict copied (dataclasses.asdict copies recursively, at ten times
        # the cost, and every inquiry calls this); the answers hold flat values only.
        answers: dict[str, Any] = {}
        for name in _INPUT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, dict):
                value = dict(value)
            elif isinstance(value, tuple):
                value = list(value)
            if value not in (None, [], {}):
                answers[name] = value
        return answers


_INPUT_FIELDS = tuple(item.name for item in fields(InquiryInput))


def _control_characters() -> re.Pattern[str]:
    # Unicode's Cc is U+0000-U+001F and U+007F-U+009F, Cs the surrogates; one character class
    # scans a message in C instead of a Python call per character.
    banned = [
        chr(code)
        for code in [*range(0xA0), *range(0xD800, 0xE000)]
        if unicodedata.category(chr(code)) in {"Cc", "Cs"} and chr(code) not in _ALLOWED_CONTROL
    ]
    return re.compile("[" + "".join(re.escape(char) for char in banned) + "]")


_CONTROL_CHARACTERS = _control_characters()


def _has_control_characters(text: str) -> bool:
    return _CONTROL_CHARACTERS.search(text) is not None


class _Collector:
    def __init__(self) -> None:
        self.errors: Errors = {}

    def add(self, name: str, message: LazyString | str) -> None:
        self.errors.setdefault(name, []).append(message)

    def text(
        self, data: Mapping[str, Any], name: str, max_length: int, *, required: bool = False
    ) -> str | None:
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(name, _l("Please write a few words, even just: I need help."))
            return None
        if not isinstance(value, str):
            self.add(name, _l("This must be text."))
            return None
        # The limit counts what was sent, as the form's counter and the API schema's maxLength
        # do; spaces around it are then trimmed.
        if len(value) > max_length:
            self.add(
                name,
                _l(
                    "Please keep this under %(max)d characters (it has %(n)d).",
                    max=max_length,
                    n=len(value),
                ),
            )
            return None
        value = unicodedata.normalize("NFC", value.strip())
        if _has_control_characters(value):
            self.add(name, _l("This contains invisible control characters. Please retype it."))
            return None
        return value

    def choice(self, data: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
        value = data.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str) or value not in allowed:
            self.add(name, _l("Choose one of: %(choices)s.", choices=", ".join(allowed)))
            return None
        return value

    def boolean(self, data: Mapping[str, Any], name: str) -> bool | None:
        value = data.get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.add(name, _l("This must be true or false."))
            return None
        return value


def _email(collector: _Collector, raw: str | None) -> str | None:
    if raw is None:
        return None
    if len(raw) > EMAIL_MAX:
        collector.add("email", _l("This email address is too long."))
        return None
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        collector.add("email", _l("This does not look like an email address. Please check it."))
        return None


def _phone(collector: _Collector, raw: str | None, country: str | None) -> str | None:
    if raw is None:
        return None
    try:
        number = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        collector.add(
            "phone",
            _l("We could not read this phone number. Please include the country code, like +34."),
        )
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _substances(collector: _Collector, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        collector.add("substances", _l("This must be a list of substance codes."))
        return ()
    unknown = [item for item in value if item not in SUBSTANCES]
    if unknown:
        collector.add(
            "substances", _l("Unknown substance codes: %(codes)s.", codes=", ".join(unknown[:5]))
        )
        return ()
    return tuple(dict.fromkeys(value))


def _screen(collector: _Collector, value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        collector.add("screen", _l("This must be an object of answers."))
        return {}
    allowed = {*SCREEN_ITEMS, SCREEN_TRIED_WHEN, SCREEN_THOUGHTS_NOW}
    unknown = sorted(str(key) for key in value if key not in allowed)
    if unknown:
        collector.add("screen", _l("Unknown questions: %(names)s.", names=", ".join(unknown[:5])))
    screen: dict[str, str] = {}
    for key in (*SCREEN_ITEMS, SCREEN_THOUGHTS_NOW):
        answer = value.get(key)
        if answer is None or answer == "":
            continue
        if answer not in SCREEN_ANSWERS:
            collector.add("screen", _l("Answer %(name)s with yes, no or decline.", name=key))
            continue
        screen[key] = answer
    tried_when = value.get(SCREEN_TRIED_WHEN)
    if tried_when not in (None, ""):
        if tried_when in TRIED_WHEN:
            screen[SCREEN_TRIED_WHEN] = tried_when
        else:
            collector.add("screen", _l("tried_when must be past_3_months or longer."))
    return screen


def _risk(collector: _Collector, value: Any) -> dict[str, bool]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        collector.add("risk", _l("This must be an object of true/false answers."))
        return {}
    unknown = sorted(str(key) for key in value if key not in RISK_ITEMS)
    if unknown:
        collector.add("risk", _l("Unknown questions: %(names)s.", names=", ".join(unknown[:5])))
    risk = {}
    for key in RISK_ITEMS:
        answer = value.get(key)
        if answer is None:
            continue
        if not isinstance(answer, bool):
            collector.add("risk", _l("Answer %(name)s with true or false.", name=key))
            continue
        risk[key] = answer
    return risk


def _audit_c(collector: _Collector, value: Any) -> dict[str, Any]:
    """The optional AUDIT-C alcohol screen: q1-q3 scored 0-4, and sex for the cut-off."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        collector.add("audit_c", _l("This must be an object of answers."))
        return {}
    unknown = sorted(str(key) for key in value if key not in (*AUDIT_C_ITEMS, "sex"))
    if unknown:
        collector.add("audit_c", _l("Unknown questions: %(names)s.", names=", ".join(unknown[:5])))
    answers: dict[str, Any] = {}
    for key in AUDIT_C_ITEMS:
        item = value.get(key)
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 4:
            collector.add("audit_c", _l("Answer %(name)s with a score from 0 to 4.", name=key))
            continue
        answers[key] = item
    sex = value.get("sex")
    if sex is not None:
        if sex in AUDIT_C_SEX:
            answers["sex"] = sex
        else:
            collector.add("audit_c", _l("sex must be male or female."))
    return answers


def _country(collector: _Collector, payload: Mapping[str, Any]) -> str | None:
    """The optional country: absent is fine; present, it must be a real ISO 3166-1 code.

    ``null`` or ``""`` is refused like ``"AA"``: a website that sends it has lost the visitor's
    country somewhere, and saying so beats silently showing another country's helplines.
    """
    if "country" not in payload:
        return None
    value = payload["country"]
    if value is None or (isinstance(value, str) and not value.strip()):
        collector.add(
            "country",
            _l("Leave country out, or give a two-letter country code, like ES or GB."),
        )
        return None
    raw_country = collector.text(payload, "country", 2)
    country = raw_country.upper() if raw_country else None
    if country and country not in COUNTRY_CODES:
        collector.add("country", _l("Use a two-letter country code, like ES or GB."))
        return None
    return country


def validate_inquiry(payload: Any) -> tuple[InquiryInput | None, Errors]:
    """Check an inquiry; return ``(InquiryInput, {})`` or ``(None, errors by field)``."""
    collector = _Collector()
    if not isinstance(payload, Mapping):
        collector.add("_body", _l("Send one JSON object describing the inquiry."))
        return None, collector.errors
    for unknown in sorted(str(key) for key in payload if key not in FIELDS)[:20]:
        collector.add(unknown, _l("This field is not part of an inquiry."))

    message = collector.text(payload, "message", MESSAGE_MAX, required=True)
    name = collector.text(payload, "name", NAME_MAX)
    best_time = collector.text(payload, "best_time", BEST_TIME_MAX)
    country = _country(collector, payload)
    email = _email(collector, collector.text(payload, "email", EMAIL_MAX + 10))
    phone = _phone(collector, collector.text(payload, "phone", PHONE_MAX), country)
    if email is None and phone is None and not {"email", "phone"} & set(collector.errors):
        reach = _l("Give an email address or a phone number so the team can reach you.")
        collector.add("email", reach)
        collector.add("phone", reach)
    language = collector.choice(payload, "language", Language.codes()) or DEFAULT_LANGUAGE.value
    for_whom = collector.choice(payload, "for_whom", ForWhom.codes()) or DEFAULT_FOR_WHOM.value
    channel = collector.choice(payload, "preferred_channel", ContactChannel.codes())
    safe = collector.boolean(payload, "safe_to_leave_message")
    consent = payload.get("consent")
    if consent is not True:
        collector.add(
            "consent",
            _l("Please tick the consent box: we need it to contact you about your health."),
        )
    substances = _substances(collector, payload.get("substances"))
    screen = _screen(collector, payload.get("screen"))
    risk = _risk(collector, payload.get("risk"))
    audit_c = _audit_c(collector, payload.get("audit_c"))

    if collector.errors or message is None:
        return None, collector.errors
    return (
        InquiryInput(
            message=message,
            consent=True,
            language=language,
            for_whom=for_whom,
            name=name,
            email=email,
            phone=phone,
            preferred_channel=channel,
            safe_to_leave_message=bool(safe),
            best_time=best_time,
            country=country,
            substances=substances,
            screen=screen,
            risk=risk,
            audit_c=audit_c,
        ),
        {},
    )
