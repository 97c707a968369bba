"""Administrators invite staff, change their roles, and deactivate or reactivate accounts."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from intake.audit.services import record_view
from intake.audit.tags import AuditTag
from intake.auth import services, use_cases
from intake.auth.forms import ConfirmForm, InviteUserForm, RolesForm
from intake.auth.models import User
from intake.auth.permissions import Permission, Role, require_permission
from intake.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _invite_link(token: str) -> str:
    return url_for("auth.accept_invite", token=token, _external=True)


@bp.get("/users")
@require_permission(Permission.USERS_MANAGE)
def users() -> str:
    return render_template("admin/users.html", users=services.list_users(), form=ConfirmForm())


@bp.route("/users/invite", methods=["GET", "POST"])
@require_permission(Permission.USERS_MANAGE)
def invite() -> str | tuple[str, int]:
    form = InviteUserForm()
    if form.validate_on_submit():
        if services.email_taken(form.email.data or ""):
            form.email.errors = [_("There is already an account with this email.")]
        else:
            user, token = use_cases.invite_staff_member(
                email=form.email.data or "",
                display_name=form.display_name.data or "",
                roles={Role(value) for value in form.roles.data or []},
            )
            return render_template("admin/invited.html", user=user, invite_link=_invite_link(token))
    return render_template("admin/invite.html", form=form), 400 if form.errors else 200


@bp.get("/users/<int:user_id>")
@require_permission(Permission.USERS_MANAGE)
def user_detail(user_id: int) -> str:
    user = _user_or_404(user_id)
    record_view(AuditTag.USER_VIEWED, target_type="user", target_id=user.id)
    form = RolesForm(data={"roles": sorted(user.roles)})
    return render_template("admin/user_detail.html", user=user, form=form, confirm=ConfirmForm())


@bp.post("/users/<int:user_id>/roles")
@require_permission(Permission.USERS_MANAGE)
def change_roles(user_id: int) -> Response | tuple[str, int]:
    user = _user_or_404(user_id)
    form = RolesForm()
    if not form.validate_on_submit():
        return render_template(
            "admin/user_detail.html", user=user, form=form, confirm=ConfirmForm()
        ), 400
    roles = {Role(value) for value in form.roles.data or []}
    if user.id == current_user.id and Role.ADMIN not in roles:
        flash(_("You cannot remove your own administrator role."), "error")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    use_cases.change_roles(user, roles)
    flash(_("Roles updated."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/deactivate")
@require_permission(Permission.USERS_MANAGE)
def deactivate(user_id: int) -> Response:
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    use_cases.set_active(user, False)
    flash(_("Account deactivated; its sessions have ended."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/reactivate")
@require_permission(Permission.USERS_MANAGE)
def reactivate(user_id: int) -> Response:
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    use_cases.set_active(user, True)
    flash(_("Account reactivated."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/reinvite")
@require_permission(Permission.USERS_MANAGE)
def reinvite(user_id: int) -> str:
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token = use_cases.reissue_invite(user)
    return render_template("admin/invited.html", user=user, invite_link=_invite_link(token))
