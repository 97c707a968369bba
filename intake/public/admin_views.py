"""Administrators issue and revoke the API keys of the clinic's websites."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from intake.auth.forms import ConfirmForm
from intake.auth.permissions import Permission, require_permission
from intake.extensions import db
from intake.public.api_keys import list_api_keys
from intake.public.models import ApiKey
from intake.usecases.api_keys import issue_api_key, withdraw_api_key

bp = Blueprint("api_keys", __name__, url_prefix="/staff/admin/api-keys")


class NewApiKeyForm(FlaskForm):
    source = StringField(_l("Website or source name"), validators=[DataRequired(), Length(max=80)])


@bp.get("/")
@require_permission(Permission.API_KEYS_MANAGE)
def index() -> str:
    return render_template(
        "admin/api_keys.html", keys=list_api_keys(), form=NewApiKeyForm(), confirm=ConfirmForm()
    )


@bp.post("/")
@require_permission(Permission.API_KEYS_MANAGE)
def create() -> str | tuple[str, int]:
    form = NewApiKeyForm()
    if not form.validate_on_submit():
        return render_template(
            "admin/api_keys.html", keys=list_api_keys(), form=form, confirm=ConfirmForm()
        ), 400
    key, plaintext = issue_api_key(form.source.data or "", created_by_id=current_user.id)
    return render_template("admin/api_key_created.html", key=key, plaintext=plaintext)


@bp.post("/<int:key_id>/revoke")
@require_permission(Permission.API_KEYS_MANAGE)
def revoke(key_id: int) -> Response:
    key = db.session.get(ApiKey, key_id)
    if key is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    withdraw_api_key(key, revoked_by_id=current_user.id)
    # Other web workers may hold the key in their short cache (API_KEY_CACHE_SECONDS).
    flash(
        _(
            "Key revoked: requests with it are refused within %(seconds)d seconds.",
            seconds=int(current_app.config["API_KEY_CACHE_SECONDS"]),
        ),
        "success",
    )
    return redirect("/staff/admin/api-keys/")
