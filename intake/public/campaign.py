"""Where a visitor arrived from: the landing page and the campaign parameters (``utm_*``) of the
address they opened the form by, carried through the form as hidden fields.

Bounded and checked here, so nothing odd reaches the database: a value that is too long, holds
control characters, or (for the landing page) is not a path on this site is left out. It is never
a reason to refuse an inquiry: these fields are the clinic's bookkeeping, not the person's words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from intake.vocabulary import CAMPAIGN_FIELDS

CAMPAIGN_VALUE_MAX = 100
LANDING_PAGE_MAX = 300
LANDING_FIELD = "landing_page"
HIDDEN_FIELDS = (*CAMPAIGN_FIELDS, LANDING_FIELD)

# Printable characters only (no control characters, no line breaks).
_PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f]+$")
# A path on this site: one leading slash (never "//", a host), no spaces, ASCII.
_PATH = re.compile(r"^/(?!/)[!-~]*$")


def clean_campaign_value(value: object) -> str | None:
    """A ``utm_*`` value as stored, or None when it cannot be kept."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > CAMPAIGN_VALUE_MAX or not _PRINTABLE.match(value):
        return None
    return value


def clean_landing_page(value: object) -> str | None:
    """The landing page as a path on this site without its query, or None."""
    if not isinstance(value, str):
        return None
    path = value.strip().split("?", 1)[0].split("#", 1)[0]
    if not path or len(path) > LANDING_PAGE_MAX or not _PATH.match(path):
        return None
    return path


def read_campaign(values: Mapping[str, object]) -> dict[str, str]:
    """The hidden fields' values that can be kept (from a query string or a posted form)."""
    found: dict[str, str] = {}
    for name in CAMPAIGN_FIELDS:
        cleaned = clean_campaign_value(values.get(name))
        if cleaned is not None:
            found[name] = cleaned
    landing = clean_landing_page(values.get(LANDING_FIELD))
    if landing is not None:
        found[LANDING_FIELD] = landing
    return found
