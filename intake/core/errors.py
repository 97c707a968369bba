"""Error pages. Every one shows the crisis helplines, and the 500 page renders with no database.

A person in crisis may land on any error. So each page names what went wrong in plain words and
then gives the emergency number and helplines, taken from the pure data module. If even the
template fails, a fixed HTML page built from the same data is returned.
"""

from __future__ import annotations

import logging
from html import escape

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.i18n import page_language
from intake.extensions import db, login_manager
from intake.helplines import COUNTRIES, help_for

log = logging.getLogger(__name__)


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("We could not read that request"),
            _("Please go back, check the form and try again."),
        ),
        403: (_("You do not have access to this page"), _("Ask an administrator if you need it.")),
        404: (_("Page not found"), _("The address may be mistyped, or the page has moved.")),
        405: (_("That action is not allowed here"), _("Please go back and try again.")),
        413: (
            _("That was too much to send at once"),
            _("Please shorten your message and try again."),
        ),
        429: (
            _("Too many attempts"),
            _("Please wait a minute before trying again."),
        ),
        500: (
            _("Something went wrong on our side"),
            _("Your request may not have been saved. Please try again in a few minutes."),
        ),
    }


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _is_staff_page() -> bool:
    """Staff addresses keep the staff layout (its menu, no quick-exit button); the crisis lines
    are on both."""
    return request.path == "/staff" or request.path.startswith("/staff/")


def render_error(status: int, detail: str | None = None) -> tuple[str | Response, int]:
    if _wants_json():
        return jsonify(error=_titles().get(status, ("Error", ""))[0]), status
    title, explanation = _titles().get(status, _titles()[500])
    country = request.args.get("country")
    try:
        return render_template(
            "errors/error.html",
            staff_page=_is_staff_page(),
            status=status,
            title=title,
            explanation=detail or explanation,
            country_help=help_for(country, page_language()),
            all_countries=COUNTRIES.values(),
        ), status
    except Exception:
        log.error("error page template failed; serving the fixed page")
        return fallback_page(status), status


def fallback_page(status: int) -> str:
    """A page made only from the helplines data: it cannot fail for want of a service."""
    items = "".join(
        f"<li><strong>{escape(c.name)}</strong>: emergency {escape(c.emergency_number)}; "
        + "; ".join(f"{escape(h.name)} {escape(h.number)}" for h in c.helplines)
        + "</li>"
        for c in COUNTRIES.values()
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Error {status}</title></head><body><main>"
        f"<h1>Something went wrong ({status})</h1>"
        "<p>If you are in danger now, call your local emergency number (112 in Europe, "
        "999 in the UK, 911 in the US and Canada).</p>"
        f"<h2>Crisis helplines</h2><ul>{items}</ul></main></body></html>"
    )


def handle_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if status == 429 and request.endpoint in {"auth.login", "auth.second_factor"}:
        _audit_safely(AuditTag.LOGIN_RATE_LIMITED, {"endpoint": request.endpoint or ""})
    response = make_response(render_error(status))
    # Keep what the error itself says in headers (a 405's Allow, a 401's WWW-Authenticate).
    for name, value in error.get_headers(request.environ):
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def audit_csrf_rejection() -> None:
    """Record a refused CSRF token (codes only), without letting the audit fail the page."""
    _audit_safely(AuditTag.CSRF_REJECTED, {"endpoint": request.endpoint or ""})


def handle_csrf_error(error: CSRFError) -> tuple[str | Response, int]:
    audit_csrf_rejection()
    return render_error(
        400,
        _(
            "This form has expired or did not come from this site. "
            "Please go back, reload the page and try again."
        ),
    )


def handle_server_error(error: InternalServerError) -> tuple[str | Response, int]:
    original = getattr(error, "original_exception", None)
    log.error("unhandled error: %s", type(original or error).__name__)
    try:
        db.session.rollback()
    except Exception:  # the database may be the thing that failed
        log.warning("rollback failed while handling an error")
    if "_login_user" not in g:
        # Flask-Login's template context loads the user from the database; the error page
        # must not depend on the database, so it renders as for an anonymous visitor.
        g._login_user = login_manager.anonymous_user()
    return render_error(500)


def _audit_safely(tag: AuditTag, detail: dict[str, str]) -> None:
    try:
        db.session.rollback()
        record(tag, detail=detail)
        db.session.commit()
    except Exception:  # auditing must not turn a 4xx into a 500
        log.warning("could not audit %s", tag.value)
        db.session.rollback()


def register_error_handlers(app: Flask) -> None:
    for status in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(status, handle_http_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(InternalServerError, handle_server_error)
