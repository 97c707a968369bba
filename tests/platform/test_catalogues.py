"""Every message staff or a person can read exists in every language, with the same placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

CATALOGUES = Path(__file__).resolve().parents[2] / "intake" / "translations"
LANGUAGES = ("es", "de", "fr", "it")


def _key(message: Message) -> tuple[str, str]:
    """A message's context and (singular) text: the same words in two contexts are two messages."""
    return (
        message.context or "",
        str(message.id if isinstance(message.id, str) else message.id[0]),
    )


def _template_keys() -> set[tuple[str, str]]:
    with (CATALOGUES / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    return {_key(message) for message in template if message.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_its_placeholders(language: str) -> None:
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    translated = {
        _key(message)
        for message in catalogue
        if message.id
        and all(message.string if isinstance(message.string, tuple) else (message.string,))
    }
    missing = sorted(_template_keys() - translated)
    assert missing == [], f"{language}: {len(missing)} untranslated, first: {missing[:5]}"
    # Babel's own checks: a translation keeps every %(name)s placeholder of its message.
    problems = [
        (message.id, [str(error) for error in errors]) for message, errors in catalogue.check()
    ]
    assert problems == []


def test_the_template_holds_every_message_the_code_and_templates_use() -> None:
    """`make translations-update` was run: no new message is left out of the catalogues."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = CATALOGUES.parents[1]
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "FlagSpec": (3,)}
    with (root / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    used = {
        (context or "", str(message if isinstance(message, str) else message[0]))
        for _file, _line, message, _comments, context in extract_from_dir(
            str(root), method_map=method_map, options_map=options_map, keywords=keywords
        )
    }
    assert sorted(used - _template_keys()) == []
