"""Emergency numbers and crisis helplines by country, from the clinic's public page.

Source: ``shared/seeds/`` (the clinic's "Talk to someone now" section) plus each country's
emergency number. This module is plain data with no Flask or database import, so the error pages
can show it even when nothing else works. Reviewed by a person when the seed page changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from intake.vocabulary import Language


@dataclass(frozen=True)
class Helpline:
    name: str
    number: str
    hours: str
    note: str = ""
    # The line's own name in other languages, where it has one (language code -> name).
    local_names: tuple[tuple[str, str], ...] = ()

    def name_in(self, language: str | None) -> str:
        """The line's name as a caller in ``language`` would know it."""
        return dict(self.local_names).get(language or "", self.name)

    @property
    def tel(self) -> str:
        """The number as a ``tel:`` target (digits and a leading +)."""
        return "".join(char for char in self.number if char.isdigit() or char == "+")


@dataclass(frozen=True)
class CountryHelp:
    code: str
    name: str
    emergency_number: str
    helplines: tuple[Helpline, ...]
    emergency_note: str = ""
    # The emergency note in other languages (language code -> note); English is the default.
    emergency_notes: tuple[tuple[str, str], ...] = ()

    def emergency_note_in(self, language: str | None) -> str:
        """The note under the emergency number, in ``language`` where it has been written."""
        return dict(self.emergency_notes).get(language or "", self.emergency_note)

    def in_language(self, language: str | None) -> CountryHelp:
        """This country's help with its texts in ``language`` (for templates that print them)."""
        return _in_language(self, language or "")


H24 = "24/7"

COUNTRIES: dict[str, CountryHelp] = {
    "ES": CountryHelp(
        "ES",
        "Spain",
        "112",
        (
            Helpline(
                "Suicide & emotional crisis line",
                "024",
                H24,
                "free, multilingual",
                ((Language.ES, "Línea 024 de atención a la conducta suicida"),),
            ),
            Helpline("Samaritans in Spain", "900 525 100", H24),
        ),
    ),
    "CH": CountryHelp(
        "CH",
        "Switzerland",
        "144",
        (
            Helpline(
                "Die Dargebotene Hand / La Main Tendue",
                "143",
                H24,
                "",
                (
                    (Language.DE, "Die Dargebotene Hand"),
                    (Language.FR, "La Main Tendue"),
                    (Language.IT, "Telefono Amico"),
                ),
            ),
            Helpline(
                "Pro Juventute (young people)",
                "147",
                H24,
                "",
                (
                    (Language.DE, "Pro Juventute (Jugendliche)"),
                    (Language.FR, "Pro Juventute (jeunes)"),
                    (Language.IT, "Pro Juventute (giovani)"),
                ),
            ),
        ),
        emergency_note="144 ambulance; 112 also works",
        emergency_notes=(
            (Language.ES, "144 ambulancia; también funciona el 112"),
            (Language.DE, "144 Rettungsdienst; auch die 112 funktioniert"),
            (Language.FR, "144 ambulance ; le 112 fonctionne aussi"),
            (Language.IT, "144 ambulanza; funziona anche il 112"),
        ),
    ),
    "GB": CountryHelp(
        "GB",
        "United Kingdom",
        "999",
        (
            Helpline("Samaritans", "116 123", H24, "free"),
            Helpline("NHS urgent mental health support", "111", H24),
        ),
    ),
    "US": CountryHelp(
        "US",
        "United States",
        "911",
        (Helpline("988 Suicide & Crisis Lifeline", "988", H24, "call, text or chat"),),
    ),
    "CA": CountryHelp(
        "CA",
        "Canada",
        "911",
        (
            Helpline(
                "9-8-8 Suicide Crisis Helpline",
                "988",
                H24,
                "call or text",
                ((Language.FR, "9-8-8 : Ligne d'aide en cas de crise de suicide"),),
            ),
            Helpline(
                "Talk Suicide Canada",
                "1-833-456-4566",
                H24,
                "",
                ((Language.FR, "Parlons suicide Canada"),),
            ),
        ),
    ),
    "FR": CountryHelp(
        "FR",
        "France",
        "112",
        (
            Helpline(
                "National suicide prevention line",
                "3114",
                H24,
                "free",
                ((Language.FR, "Numéro national de prévention du suicide"),),
            ),
        ),
        emergency_note="15 SAMU medical emergencies",
        emergency_notes=(
            (Language.ES, "15 SAMU, urgencias médicas"),
            (Language.DE, "15 SAMU, medizinische Notfälle"),
            (Language.FR, "15 SAMU, urgences médicales"),
            (Language.IT, "15 SAMU, emergenze mediche"),
        ),
    ),
    "DE": CountryHelp(
        "DE",
        "Germany",
        "112",
        # One service, three numbers: the European 116 123 and the two original free lines,
        # which callers know by the churches that run them. The names tell them apart.
        (
            Helpline("TelefonSeelsorge", "116 123", H24),
            Helpline(
                "TelefonSeelsorge (Protestant line)",
                "0800 111 0 111",
                H24,
                "",
                (
                    (Language.DE, "TelefonSeelsorge (evangelisch)"),
                    (Language.ES, "TelefonSeelsorge (línea protestante)"),
                    (Language.FR, "TelefonSeelsorge (ligne protestante)"),
                    (Language.IT, "TelefonSeelsorge (linea protestante)"),
                ),
            ),
            Helpline(
                "TelefonSeelsorge (Catholic line)",
                "0800 111 0 222",
                H24,
                "",
                (
                    (Language.DE, "TelefonSeelsorge (katholisch)"),
                    (Language.ES, "TelefonSeelsorge (línea católica)"),
                    (Language.FR, "TelefonSeelsorge (ligne catholique)"),
                    (Language.IT, "TelefonSeelsorge (linea cattolica)"),
                ),
            ),
        ),
    ),
    "IT": CountryHelp(
        "IT",
        "Italy",
        "112",
        (
            Helpline("Telefono Amico Italia", "800 860 022", ""),
            Helpline("Telefono Amico Italia", "02 2327 2327", ""),
        ),
    ),
}

INTERNATIONAL = CountryHelp(
    "INT",
    "Other countries",
    "112",
    tuple(
        Helpline(f"{country.name}: {line.name}", line.number, line.hours)
        for country in COUNTRIES.values()
        for line in country.helplines[:1]
    ),
    emergency_note="112 works in every EU country and on most mobile phones",
    emergency_notes=(
        (Language.ES, "el 112 funciona en todos los países de la UE y desde casi cualquier móvil"),
        (Language.DE, "die 112 funktioniert in allen EU-Ländern und von fast jedem Handy"),
        (
            Language.FR,
            "le 112 fonctionne dans tous les pays de l'UE et depuis presque tout portable",
        ),
        (Language.IT, "il 112 funziona in tutti i paesi dell'UE e da quasi ogni cellulare"),
    ),
)

# The country to assume from the page language when the person has not said.
LANGUAGE_DEFAULT_COUNTRY: dict[str, str] = {
    Language.EN: "GB",
    Language.ES: "ES",
    Language.DE: "DE",
    Language.FR: "FR",
    Language.IT: "IT",
}


@dataclass(frozen=True)
class ClinicContact:
    phone: str
    email: str
    hours: str
    timezone: str
    opens_at: str
    closes_at: str

    def hours_in(self, language: str | None) -> str:
        """The contact hours as a reader of ``language`` writes them ("Mo.-So. 07:00-22:00 ...")."""
        from intake.public.hours import describe_hours

        return describe_hours(language, self.timezone, self.opens_at, self.closes_at)

    def in_language(self, language: str | None) -> ClinicContact:
        """The contact details with the hours in ``language`` (for templates that print them)."""
        return replace(self, hours=self.hours_in(language))


CLINIC_CONTACT = ClinicContact(
    phone="+41445005111",
    email="help@thebalance.clinic",
    hours="Mon-Sun 07:00-22:00 CET",
    timezone="Europe/Zurich",
    opens_at="07:00",
    closes_at="22:00",
)


@lru_cache(maxsize=256)
def _in_language(country_help: CountryHelp, language: str) -> CountryHelp:
    note = country_help.emergency_note_in(language)
    return (
        country_help
        if note == country_help.emergency_note
        else replace(country_help, emergency_note=note)
    )


def help_for(country: str | None, language: str | None = None) -> CountryHelp:
    """Help for a country code, else for the page language's country, else international.

    The result's texts (the note under the emergency number) are in ``language``.
    """
    code = (country or "").strip().upper()
    if code in COUNTRIES:
        found = COUNTRIES[code]
    elif not code and language in LANGUAGE_DEFAULT_COUNTRY:
        found = COUNTRIES[LANGUAGE_DEFAULT_COUNTRY[language or ""]]
    else:
        found = INTERNATIONAL
    return found.in_language(language)
