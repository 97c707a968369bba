"""The request's catalogue is looked up once, and a page still speaks the right language when
part of it is written in another (``force_locale``, as the consent text and guidance do)."""

from __future__ import annotations

from flask import Flask, g, render_template_string
from flask_babel import force_locale, gettext, refresh

TEMPLATE = "{{ _('Privacy') }}"


def test_a_forced_language_is_used_inside_and_the_pages_own_after(app: Flask) -> None:
    with app.test_request_context("/es/"):
        assert gettext("Privacy") == "Privacidad"
        assert render_template_string(TEMPLATE) == "Privacidad"
        with force_locale("de"):
            assert gettext("Privacy") == "Datenschutz"
            assert render_template_string(TEMPLATE) == "Datenschutz"
        assert gettext("Privacy") == "Privacidad"
        assert render_template_string(TEMPLATE) == "Privacidad"


def test_each_request_has_its_own_language(app: Flask) -> None:
    for lang, word in (("fr", "Confidentialité"), ("es", "Privacidad"), ("en", "Privacy")):
        with app.test_request_context(f"/{lang}/"):
            assert render_template_string(TEMPLATE) == word


def test_refresh_forgets_the_catalogue_with_the_locale(app: Flask) -> None:
    with app.test_request_context("/"):
        g.page_language = "es"
        assert gettext("Privacy") == "Privacidad"
        g.page_language = "de"
        refresh()
        assert gettext("Privacy") == "Datenschutz"
        assert render_template_string(TEMPLATE) == "Datenschutz"
