"""The health endpoint and the staff home page."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from intake.auth.permissions import Permission, public, require_permission
from intake.core.health import check_broker, check_database, last_heartbeat_age_seconds
from intake.extensions import limiter

bp = Blueprint("core", __name__)


@bp.get("/healthz")
@public
@limiter.exempt
def healthz() -> tuple[Response, int]:
    database = check_database()
    broker = check_broker(current_app.config["CELERY"]["broker_url"])
    healthy = database["ok"] and broker["ok"]
    body = {
        "status": "ok" if healthy else "degraded",
        "database": database,
        "broker": broker,
        "scheduler": {"last_heartbeat_seconds_ago": last_heartbeat_age_seconds()},
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503


@bp.get("/staff/")
@require_permission(Permission.STAFF_HOME_VIEW)
def staff_home() -> str:
    from intake.core.types import utcnow
    from intake.crm.queries import home_counts
    from intake.messaging.oncall import shift_at

    return render_template(
        "staff/home.html",
        user=current_user,
        on_call=shift_at(),
        counts=home_counts(current_user.id, utcnow()),
    )
