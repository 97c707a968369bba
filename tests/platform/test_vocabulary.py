"""The closed vocabularies are spelt once, in ``intake/vocabulary.py``, and keep their stored codes.

The walk reads the source (``ast`` for Python, the quoted strings of templates), so a comment or
a docstring that mentions ``P0`` is not mistaken for a use; a string constant that *is* a code
(``"P0"``, ``"claimed"``) outside the vocabulary module is.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from intake import vocabulary
from intake.public.openapi import OPENAPI_DOCUMENT
from intake.vocabulary import (
    AlertStatus,
    AlertStop,
    CaseStatus,
    ClockState,
    CloseReason,
    ConsentEnd,
    ConsentPurpose,
    ConsentScope,
    ContactChannel,
    ContactOutcome,
    DeliveryChannel,
    Disclosure,
    DisclosureChannel,
    EpisodeCloseReason,
    ForWhom,
    GuidanceLevel,
    InquirySource,
    Language,
    Priority,
    RequestChannel,
    SignatureMethod,
    Stage,
)

ROOT = Path(__file__).resolve().parents[2]

# Every code of these vocabularies but a few common words that cannot be told apart from a code
# by reading the source: "phone" and "email" are also the inquiry's contact fields, "ok" is every
# health check's word and "stopped" a signal of the triage lexicons.
_VOCABULARIES = (
    Priority,
    CaseStatus,
    ContactChannel,
    ContactOutcome,
    ForWhom,
    Language,
    GuidanceLevel,
    InquirySource,
    CloseReason,
    ClockState,
    DeliveryChannel,
    AlertStop,
    AlertStatus,
    Stage,
    EpisodeCloseReason,
    Disclosure,
    # The consent ledger and disclosure log (issue 12).
    ConsentPurpose,
    ConsentScope,
    SignatureMethod,
    ConsentEnd,
    RequestChannel,
    DisclosureChannel,
)
SPELT_ONCE = frozenset(code for vocab in _VOCABULARIES for code in vocab.codes()) - {
    ContactChannel.PHONE,
    ContactChannel.EMAIL,
    ClockState.OK,
    ClockState.STOPPED,
}

# Where a code may still be spelt, and why.
ALLOWED_FILES = {
    "intake/vocabulary.py",  # the definitions themselves
}
ALLOWED_PACKAGES: tuple[str, ...] = ()
ALLOWED_USES = {
    # A word the screens read leniently as "decline", not a contact outcome.
    ("intake/triage/rules/screens.py", "declined"),
    # CLDR's English data lists the country codes; the page language plays no part.
    ("intake/public/validation.py", "en"),
    # A CSS class, not a guidance level.
    ("templates/macros/help.html", "emergency"),
    # An API key's state in a command's listing, not how a consent ended.
    ("intake/public/commands.py", "revoked"),
    # The quick-exit decoy page is a fixed page, declared English.
    ("templates/public/neutral.html", "en"),
}


def _python_sources() -> Iterator[Path]:
    yield ROOT / "config.py"
    yield from sorted((ROOT / "intake").rglob("*.py"))
    yield from sorted((ROOT / "workers").rglob("*.py"))


def _code_constants(source: str) -> Iterator[tuple[int, str]]:
    """Every string constant in ``source`` that is one of the codes, with its line."""
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value in SPELT_ONCE
        ):
            yield node.lineno, node.value


# A quoted word, unless it is the message of a ``_("...")`` call (words, not a code).
_QUOTED = re.compile(r"""(?<!_\()(["'])([A-Za-z0-9_-]+)\1""")


def _template_codes(text: str) -> Iterator[tuple[int, str]]:
    """Every quoted string in a template that is one of the codes, with its line."""
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _QUOTED.finditer(line):
            if match.group(2) in SPELT_ONCE:
                yield number, match.group(2)


def _allowed(relative: str, code: str) -> bool:
    return (
        relative in ALLOWED_FILES
        or relative.startswith(ALLOWED_PACKAGES)
        or (relative, code) in ALLOWED_USES
    )


def test_the_walk_finds_a_spelt_code_and_ignores_comments_and_docstrings() -> None:
    python = (
        '"""P0 in a docstring."""\n'
        "# 'claimed' in a comment\n"
        "URGENT = {'P0', 'P1'}\n"
        'if case.status == "claimed": pass\n'
        "label = 'P0 imminent'\n"
    )
    assert sorted(_code_constants(python)) == [(3, "P0"), (3, "P1"), (4, "claimed")]
    template = (
        "{# the P0 checklist #}\n"
        "{% if case.priority in (\"P0\", 'P1') %}{{ _('New P0 inquiry') }}{% endif %}\n"
        "{{ _('reached') }}\n"
    )
    assert list(_template_codes(template)) == [(2, "P0"), (2, "P1")]


def test_priority_status_and_other_codes_are_spelt_only_in_the_vocabulary() -> None:
    offences = []
    for path in _python_sources():
        relative = path.relative_to(ROOT).as_posix()
        for line, code in _code_constants(path.read_text(encoding="utf-8")):
            if not _allowed(relative, code):
                offences.append(f"{relative}:{line} spells {code!r}")
    for path in sorted((ROOT / "templates").rglob("*.html")):
        relative = path.relative_to(ROOT).as_posix()
        for line, code in _template_codes(path.read_text(encoding="utf-8")):
            if not _allowed(relative, code):
                offences.append(f"{relative}:{line} spells {code!r}")
    assert offences == [], "use the enum from intake.vocabulary:\n" + "\n".join(offences)


def test_the_stored_codes_are_the_ones_already_in_the_database() -> None:
    """Renaming a code is a data migration, not an edit of this module."""
    assert Priority.codes() == ("P0", "P1", "P2", "P3")
    assert Language.codes() == ("en", "es", "de", "fr", "it")
    assert ContactChannel.codes() == ("phone", "email", "sms", "whatsapp")
    assert ContactOutcome.codes() == (
        "reached",
        "no_answer",
        "left_message",
        "wrong_number",
        "declined",
    )
    assert CaseStatus.codes() == ("new", "claimed", "contacted", "closed")
    assert ForWhom.codes() == ("self", "someone_else", "professional")
    assert InquirySource.codes() == ("web-form", "demo", "aftercare-check-in", "phone", "walk-in")
    assert GuidanceLevel.codes() == ("emergency", "urgent", "routine")
    assert CloseReason.codes() == ("discarded_automated",)
    # Not stored, but the queue script and the stylesheet spell these.
    assert ClockState.codes() == ("ok", "amber", "red", "stopped")


def test_priorities_rank_most_urgent_first() -> None:
    assert sorted(Priority, key=lambda priority: priority.rank) == sorted(Priority)
    assert Priority.P2.is_lower_than("P1") and not Priority.P1.is_lower_than(Priority.P2)
    assert {p for p in Priority if p.is_urgent} == vocabulary.URGENT_PRIORITIES
    # Stored strings compare and hash like the members.
    assert "P0" in vocabulary.URGENT_PRIORITIES and "P2" not in vocabulary.URGENT_PRIORITIES


def test_the_api_schema_lists_the_vocabularies() -> None:
    schemas = OPENAPI_DOCUMENT["components"]["schemas"]
    inquiry = schemas["Inquiry"]["properties"]
    assert inquiry["language"]["enum"] == list(Language.codes())
    assert inquiry["language"]["default"] == "en"
    assert inquiry["for_whom"]["enum"] == list(ForWhom.codes())
    assert inquiry["for_whom"]["default"] == "self"
    assert inquiry["preferred_channel"]["enum"] == list(ContactChannel.codes())
    level = schemas["Guidance"]["properties"]["level"]
    assert level["enum"] == list(GuidanceLevel.codes())
