"""Choosing the language of a page: the URL first, then the browser's Accept-Language; and a
Babel whose catalogue lookup is done once per request and locale."""

from __future__ import annotations

from functools import cached_property

from babel.support import NullTranslations
from flask import current_app, g, request
from flask_babel import Babel, Domain, get_locale

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


class RequestCachedDomain(Domain):
    """Flask-Babel's domain, with the request's catalogue kept beside its locale.

    Flask-Babel looks the locale and the catalogue up again for every string (a page of the
    inquiry form translates about a hundred). This keeps the answer in Flask-Babel's own
    per-request state and uses it while the locale there is the same object, so ``force_locale``
    (a new locale, then the old one back) and ``refresh`` (the locale forgotten) are obeyed.
    """

    def get_translations(self) -> NullTranslations:
        state = g.get("_flask_babel") if g else None
        if state is not None:
            kept = getattr(state, "harbor_translations", None)
            if kept is not None and kept[0] is getattr(state, "babel_locale", None):
                return kept[1]
        translations: NullTranslations = super().get_translations()
        state = g.get("_flask_babel") if g else None
        locale = getattr(state, "babel_locale", None)
        if state is not None and locale is not None:
            state.harbor_translations = (locale, translations)
        return translations


class HarborBabel(Babel):
    """Flask-Babel with :class:`RequestCachedDomain` as its default domain."""

    @cached_property
    def domain_instance(self) -> Domain:
        return RequestCachedDomain(domain=self.domain)
