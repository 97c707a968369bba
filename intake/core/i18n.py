"""Choosing the language of a page: the URL first, then the browser's Accept-Language."""

from __future__ import annotations

from flask import current_app, g, request
from flask_babel import get_locale

from intake.vocabulary import DEFAULT_LANGUAGE


def page_language() -> str:
    """The language code of the page being rendered (the default language outside a request)."""
    return str(get_locale() or DEFAULT_LANGUAGE)


def select_locale() -> str:
    languages: tuple[str, ...] = current_app.config["LANGUAGES"]
    explicit = (request.view_args or {}).get("lang") or request.args.get("lang")
    if explicit in languages:
        return str(explicit)
    chosen = g.get("page_language")
    if chosen in languages:
        return str(chosen)
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )
