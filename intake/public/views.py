"""Public pages that need no login: the inquiry form, what happens next, privacy, help."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_number
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from intake.auth.permissions import public
from intake.core.errors import audit_csrf_rejection, handle_csrf_error, render_error
from intake.core.i18n import page_language
from intake.core.types import utcnow
from intake.extensions import limiter
from intake.helplines import CLINIC_CONTACT, COUNTRIES, help_for
from intake.public import options
from intake.public.campaign import LANDING_FIELD, read_campaign
from intake.public.consent import CONSENT_VERSION, consent_text
from intake.public.form_tokens import issue_form_token, read_form_token
from intake.public.forms import InquiryPageForm, payload_from_form
from intake.public.guidance import build_guidance
from intake.public.limits import with_retry_after
from intake.public.models import Inquiry
from intake.public.services import HONEYPOT, TOO_FAST, body_hash, find_by_reference
from intake.public.validation import MESSAGE_MAX, validate_inquiry
from intake.usecases.accept_inquiry import accept_form_inquiry, triage_of
from intake.vocabulary import ContactChannel, Language

bp = Blueprint("public", __name__)

# Only the five page languages are a language prefix; any other first segment is a 404.
LANG = "/<any({}):lang>".format(", ".join(Language.codes()))
SESSION_REFERENCE = "inquiry_reference"


@bp.url_value_preprocessor
def _pick_language(endpoint: str | None, values: dict[str, Any] | None) -> None:
    lang = (values or {}).get("lang")
    if lang is not None and lang not in Language.codes():
        abort(404)
    if lang:
        g.page_language = lang


@bp.after_request
def _never_cache(response: Response) -> Response:
    # Pages a person in crisis used must not be kept in a shared computer's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _language() -> str:
    return page_language()


def _public_form_limit() -> str:
    return str(current_app.config["PUBLIC_FORM_RATE_LIMIT"])


def _render_form(
    values: dict[str, Any], errors: dict[str, Any], status: int = 200, notice: str | None = None
) -> tuple[str, int]:
    form = InquiryPageForm(formdata=None)
    form.form_token.data = issue_form_token()
    language = _language()
    # Where the visitor arrived from: the address's utm_* and path on the first view, then what
    # the form carried (a page shown again after an error keeps it).
    arrived = values if values else {**request.args.to_dict(), LANDING_FIELD: request.path}
    return render_template(
        "public/form.html",
        form=form,
        campaign=read_campaign(arrived),
        values=values,
        errors=errors,
        notice=notice,
        options=options,
        consent=consent_text(),
        consent_version=CONSENT_VERSION,
        country_help=help_for(values.get("country") or request.args.get("country"), language),
        clinic=CLINIC_CONTACT,
        message_max=MESSAGE_MAX,
        message_max_text=format_number(MESSAGE_MAX),
    ), status


def _posted_values() -> dict[str, Any]:
    """What the person typed, to show it back on the form (never logged, never in a URL)."""
    posted = request.form
    return {key: posted.getlist(key) if key == "substances" else posted[key] for key in posted}


@bp.errorhandler(TooManyRequests)
def _too_many_posts(error: TooManyRequests) -> Response:
    """Over the form's rate limit: the same page, the typed words kept, and a calm way on."""
    if request.endpoint != "public.index" or request.method != "POST":
        page, status = render_error(429)
    else:
        page, status = _render_form(
            _posted_values(),
            {},
            429,
            _(
                "Your message has not been sent yet: several were sent from this connection in "
                "a short time. Please wait a minute and send again. What you wrote is kept below."
            ),
        )
    response = page if isinstance(page, Response) else Response(page, status, mimetype="text/html")
    response.status_code = status
    return with_retry_after(response, error)


@bp.errorhandler(CSRFError)
def _form_expired(error: CSRFError) -> tuple[str | Response, int]:
    """The form's CSRF token expired (or the session did): keep the words, ask to send again.

    Nothing is stored, since the post cannot be told from a forged one, but nothing the person
    wrote is lost either: the page comes back with their text and a fresh token.
    """
    if request.endpoint != "public.index" or request.method != "POST":
        return handle_csrf_error(error)
    audit_csrf_rejection()
    return _render_form(
        _posted_values(),
        {},
        400,
        _("This page was open for a long time. Please check and send again."),
    )


@bp.route("/", defaults={"lang": None}, methods=["GET", "POST"])
@bp.route(LANG + "/", methods=["GET", "POST"])
@public
@limiter.limit(_public_form_limit, methods=["POST"])
def index(lang: str | None) -> tuple[str, int] | Response:
    if request.method == "GET":
        return _render_form({}, {})
    language = lang or _language()
    payload = payload_from_form(request.form, language)
    data, errors = validate_inquiry(payload)
    if data is None:
        return _render_form(_posted_values(), errors, 400)
    # Past CSRF, nobody is dropped: what looks automated is stored, answered and held for staff.
    page_form = InquiryPageForm()
    reasons = []
    if (page_form.website.data or "").strip():
        reasons.append(HONEYPOT)
    token = read_form_token(page_form.form_token.data)
    if token is not None and token.age_seconds < current_app.config["FORM_MIN_FILL_SECONDS"]:
        reasons.append(TOO_FAST)
    accepted = accept_form_inquiry(
        data,
        payload_hash=body_hash(payload),
        token_nonce=token.nonce if token else None,
        session_secret=str(session.get("csrf_token", "")),
        automation_reasons=reasons,
        campaign=read_campaign(request.form),
    )
    session[SESSION_REFERENCE] = accepted.inquiry.reference
    return redirect(url_for("public.thanks", lang=language))


@bp.get("/thanks", defaults={"lang": None})
@bp.get(LANG + "/thanks")
@public
def thanks(lang: str | None) -> str | Response:
    reference = session.get(SESSION_REFERENCE)
    if not reference:
        return redirect(url_for("public.index", lang=lang))
    inquiry = find_by_reference(str(reference))
    triage = triage_of(inquiry.id) if inquiry else None
    if inquiry is None or triage is None:
        # Only a stored inquiry earns "we have your message"; anything else is the form again.
        session.pop(SESSION_REFERENCE, None)
        return redirect(url_for("public.index", lang=lang))
    language = lang or _language()
    guidance = build_guidance(
        triage.priority,
        inquiry.country,
        language,
        utcnow(),
        current_app.config["CLINIC_TIMEZONE"],
        triage.flag_codes,
    )
    return render_template(
        "public/thanks.html",
        guidance=guidance,
        reference=inquiry.reference,
        channel=_channel_words(inquiry),
        safe_message=inquiry.safe_to_leave_message,
        all_countries=COUNTRIES.values(),
    )


def _channel_words(inquiry: Inquiry) -> str:
    """How the team will make contact: the preferred channel, else what the person gave."""
    labels = dict(options.CHANNELS)
    channel = inquiry.preferred_channel or (
        ContactChannel.PHONE if inquiry.answers.get("phone") else ContactChannel.EMAIL
    )
    label = str(labels[channel])
    # German nouns keep their capital letter; the other page languages read better lower case.
    return label if inquiry.language == Language.DE else label.lower()


@bp.get("/privacy", defaults={"lang": None})
@bp.get(LANG + "/privacy")
@public
def privacy(lang: str | None) -> str:
    return render_template("public/privacy.html", clinic=CLINIC_CONTACT, version=CONSENT_VERSION)


@bp.get("/help", defaults={"lang": None})
@bp.get(LANG + "/help")
@public
def crisis_help(lang: str | None) -> str:
    return render_template(
        "public/help.html",
        country_help=help_for(request.args.get("country"), _language()),
        all_countries=COUNTRIES.values(),
        clinic=CLINIC_CONTACT,
    )


@bp.get("/leave")
@public
def quick_exit() -> str:
    """A neutral page the quick-exit control leads to; it says nothing about the clinic."""
    return render_template("public/neutral.html")
