"""The audit log page for administrators: filter by tag, person acting, record and date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, flash, render_template, request
from flask_babel import gettext as _

from intake.audit.services import AuditFilter, record_view, search
from intake.audit.tags import AuditTag
from intake.auth.models import User
from intake.auth.permissions import Permission, require_permission
from intake.core.inputs import EARLIEST_DATE, LATEST_DATE, parse_date, parse_id, parse_page
from intake.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/staff/admin/audit")

PER_PAGE = 50


def _date_arg(name: str) -> datetime | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    day = parse_date(raw)
    if day is None:
        flash(
            _(
                "A date was left out of the filter: write it as YYYY-MM-DD, "
                "between %(earliest)s and %(latest)s.",
                earliest=EARLIEST_DATE.isoformat(),
                latest=LATEST_DATE.isoformat(),
            ),
            "warning",
        )
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@bp.get("/")
@require_permission(Permission.AUDIT_VIEW)
def index() -> str:
    tag = request.args.get("tag", "").strip()
    until = _date_arg("until")
    filters = AuditFilter(
        tag=tag if tag in {item.value for item in AuditTag} else None,
        actor_id=parse_id(request.args.get("actor")),
        target_type=request.args.get("target_type", "").strip()[:40] or None,
        target_id=request.args.get("target_id", "").strip()[:64] or None,
        since=_date_arg("since"),
        until=until + timedelta(days=1) if until else None,
    )
    page = parse_page(request.args.get("page"))
    events, total = search(filters, page=page, per_page=PER_PAGE)
    # Looking at the trail is itself recorded (after the search, so it is not in this page).
    record_view(AuditTag.AUDIT_LOG_VIEWED, detail={"page": page, "tag": filters.tag})
    actors = {user.id: user for user in db.session.query(User).all()}
    return render_template(
        "audit/index.html",
        events=events,
        total=total,
        page=page,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        tags=list(AuditTag),
        actors=actors,
        args=request.args,
    )
