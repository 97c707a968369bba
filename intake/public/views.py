"""Public pages that need no login."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale

from intake.auth.permissions import public
from intake.helplines import CLINIC_CONTACT, COUNTRIES, help_for

bp = Blueprint("public", __name__)


@bp.get("/")
@public
def index() -> str:
    language = str(get_locale() or "en")
    return render_template(
        "public/index.html",
        country_help=help_for(request.args.get("country"), language),
        all_countries=COUNTRIES.values(),
        clinic=CLINIC_CONTACT,
    )


@bp.get("/help")
@public
def crisis_help() -> str:
    language = str(get_locale() or "en")
    return render_template(
        "public/help.html",
        country_help=help_for(request.args.get("country"), language),
        all_countries=COUNTRIES.values(),
        clinic=CLINIC_CONTACT,
    )


@bp.get("/leave")
@public
def quick_exit() -> str:
    """A neutral page the quick-exit control leads to; it says nothing about the clinic."""
    return render_template("public/neutral.html")
