"""Input that must be refused before it reaches the database.

Ids, page numbers and dates come from URLs and query strings. Left to themselves they fail deep
inside the database driver (an id beyond the column's range, a NUL byte PostgreSQL cannot store,
a date that overflows once a day is added) and surface as 500s. These helpers turn such input
into a 404, a 400 or a filter left out with a message, before any query runs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, abort, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter, Map
from wtforms.validators import ValidationError

# Every id column is an INTEGER, which PostgreSQL (production) keeps in 32 bits; SQLite shares
# the schema. A larger id cannot name a row, and binding it fails on both databases.
ID_MAX = 2**31 - 1
# Fifty rows a page: this is far beyond any real page, and the offset still fits any integer.
PAGE_MAX = 100_000
# Dates typed into staff filters and forms. Nothing the clinic records is older or newer, and a
# day added at either end still stays inside what Python and both databases can hold.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def is_ascii_number(text: str) -> bool:
    """Whether ``text`` is made of ASCII digits 0-9 only.

    ``str.isdigit`` also accepts superscripts ("²") that ``int`` refuses, and ``int`` accepts
    other scripts' digits ("١٢") that nobody types in a URL on purpose.
    """
    return text.isascii() and text.isdecimal()


def parse_id(raw: str | None) -> int | None:
    """An id from a query string, or None when it is empty, not a number or out of range."""
    text = (raw or "").strip()
    if not is_ascii_number(text) or len(text) > len(str(ID_MAX)):
        return None
    value = int(text)
    return value if 0 < value <= ID_MAX else None


def parse_page(raw: str | None) -> int:
    """A page number from a query string: 1 unless it is a sensible positive number."""
    text = (raw or "").strip()
    if not is_ascii_number(text) or len(text) > len(str(PAGE_MAX)):
        return 1
    return min(max(int(text), 1), PAGE_MAX)


def parse_date(raw: str | None) -> date | None:
    """A ``YYYY-MM-DD`` date between :data:`EARLIEST_DATE` and :data:`LATEST_DATE`, else None."""
    text = (raw or "").strip()
    if not text.isascii():
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None
    return day if EARLIEST_DATE <= day <= LATEST_DATE else None


def date_in_range(moment: date | datetime) -> bool:
    """Whether a date (or the date of a datetime) lies within the accepted range."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return EARLIEST_DATE <= day <= LATEST_DATE


class BoundedIdConverter(IntegerConverter):
    """The app's ``<int:...>`` converter: ASCII digits only, and never beyond :data:`ID_MAX`.

    Werkzeug's own converter matches ``\\d``, which includes other scripts' digits, and accepts
    any size; an out-of-range id then fails in the database. Here it simply does not match the
    route, so the answer is a 404 like any id that names no row.
    """

    regex = r"[0-9]+"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        # The parameter names are werkzeug's (rules may pass them by name).
        upper = ID_MAX if max is None or max > ID_MAX else max
        lower = -ID_MAX - 1 if min is None and signed else min
        super().__init__(map, fixed_digits=fixed_digits, min=lower, max=upper, signed=signed)


FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _has_nul(values: Any) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values)


def refuse_nul_bytes() -> None:
    """Answer 400 to a request carrying a NUL byte in its path, query, headers or staff form.

    No person types one; PostgreSQL cannot store one in text, and comparing with one fails.
    """
    if "\x00" in request.path or _has_nul(request.args.items(multi=True)):
        abort(400)
    if _has_nul(request.headers.items()):
        abort(400)
    # Staff forms only. The inquiry form and the API check every field for control characters
    # themselves and answer with a message on the field, keeping what the person typed.
    if request.method in {"GET", "HEAD", "OPTIONS"} or not request.path.startswith("/staff/"):
        return
    if request.mimetype in FORM_TYPES and _has_nul(request.form.items(multi=True)):
        abort(400)


def register(app: Flask) -> None:
    """Install the id converter (before any route is added) and the NUL-byte check."""
    app.url_map.converters["int"] = BoundedIdConverter
    app.before_request(refuse_nul_bytes)


def exists_on_the_clock(local: datetime, timezone: str) -> bool:
    """Whether a wall-clock time was ever shown by clocks in ``timezone``.

    When clocks go forward (02:00 becomes 03:00 in Europe/Zurich) the hour between never
    happens; such a time would be stored as an hour that is not the one typed.
    """
    zone = ZoneInfo(timezone)
    naive = local.replace(tzinfo=None)
    round_trip = naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    return round_trip.replace(tzinfo=None) == naive


def check_wall_clock(moment: datetime | None) -> None:
    """A form check (WTForms): refuse a time outside the accepted dates, or inside the hour
    skipped when clocks go forward: stored, it would be an hour off, and could even end a shift
    before it starts."""
    if moment is None:
        return
    if not date_in_range(moment):
        raise ValidationError(
            _l(
                "Choose a date between %(earliest)s and %(latest)s.",
                earliest=EARLIEST_DATE.isoformat(),
                latest=LATEST_DATE.isoformat(),
            )
        )
    if not exists_on_the_clock(moment, str(current_app.config["CLINIC_TIMEZONE"])):
        raise ValidationError(
            _l("The clocks go forward at this time, so it does not exist. Choose a later time.")
        )
