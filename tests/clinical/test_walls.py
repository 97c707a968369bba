"""The wall between admissions and clinical records.

Every clinical route, for every role: only a role holding ``clinical:record:read`` gets in;
everyone else gets 403 and an audit row (found by walking ``url_map``, as the route-guard test
does, so a new clinical route is covered the day it is added). And every other page, list,
search, export, API response and email of the application, opened by each role on a person whose
records hold marked clinical text, shows none of it.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from intake.clinical import services
from intake.crm.models import Episode, EpisodeInquiry
from intake.extensions import db
from intake.messaging import registry
from intake.messaging.models import Delivery
from intake.messaging.outbox import OutboxMessage
from intake.public.models import Inquiry
from tests.clinical.helpers import assessment_data, episode_in_review, post_form
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags, csrf_from
from tests.factories import PASSWORD

SECRET_WORDS = "ZEBRA-CLINICAL-7731"


def _clinical_rules(app: Flask) -> list[Any]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("clinical.")]


def _world(app: Flask, client: FlaskClient) -> dict[str, int]:
    """A person with a signed assessment, a draft note and a review decision, each holding the
    marked words; the ids every route needs."""
    episode_id = episode_in_review(app, message="please call", name="Wall Person")
    AuthActions(client).login(ROLE_EMAILS[Role.CLINICIAN])
    page = f"/staff/clinical/episodes/{episode_id}/assessments/new"
    response = post_form(client, page, page, **assessment_data(summary=SECRET_WORDS))
    assessment_id = int(response.headers["Location"].rsplit("/", 1)[1])
    record_page = f"/staff/clinical/records/{assessment_id}"
    assert post_form(client, record_page, f"{record_page}/sign", secret=PASSWORD).status_code == 302
    page = f"/staff/clinical/episodes/{episode_id}/notes/new"
    response = post_form(client, page, page, body=f"note {SECRET_WORDS}")
    note_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = f"/staff/clinical/review/{episode_id}"
    post_form(client, page, f"{page}/decision", decision="proceed", reason=SECRET_WORDS)
    AuthActions(client).logout()
    with app.app_context():
        episode = db.session.get(Episode, episode_id)
        assert episode is not None
        inquiry_id = db.session.scalar(
            select(EpisodeInquiry.inquiry_id).where(EpisodeInquiry.episode_id == episode_id)
        )
        return {
            "episode_id": episode_id,
            "person_id": episode.person_id,
            "inquiry_id": int(inquiry_id or 0),
            "record_id": note_id,
            "number": 1,
            "assessment_id": assessment_id,
        }


def test_every_clinical_route_needs_clinical_read(app: Flask) -> None:
    rules = _clinical_rules(app)
    assert len(rules) >= 8
    for rule in rules:
        guard = app.view_functions[rule.endpoint].required_permissions
        assert Permission.CLINICAL_READ in guard, rule.endpoint


def test_admin_gets_no_clinical_permission_by_default() -> None:
    # Reading or writing clinical records; an admin's only way in is a break-glass grant.
    records = {Permission.CLINICAL_READ, Permission.CLINICAL_WRITE}
    assert not records & ROLE_PERMISSIONS[Role.ADMIN]
    assert not records & ROLE_PERMISSIONS[Role.ADMISSIONS]


@pytest.mark.parametrize("role", list(Role))
def test_every_clinical_route_for_every_role(
    app: Flask, client: FlaskClient, staff: dict[Role, int], role: Role
) -> None:
    ids = _world(app, client)
    AuthActions(client).login(ROLE_EMAILS[role])
    token = csrf_from(client.get("/staff/"))
    allowed = Permission.CLINICAL_READ in ROLE_PERMISSIONS[role]
    seen = 0
    for rule in _clinical_rules(app):
        path = rule.build({k: ids[k] for k in rule.arguments}, append_unknown=False)[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, data={"csrf_token": token})
            seen += 1
            body = response.get_data(as_text=True)
            if allowed:
                assert response.status_code != 403 and response.status_code < 500, (path, method)
            else:
                assert response.status_code == 403, (path, method, response.status_code)
                assert SECRET_WORDS not in body, path
    assert seen >= 10
    denied = audit_tags(app, actor_id=staff[role]).count("auth:permission:denied")
    assert (denied == 0) if allowed else (denied == seen)


def _fill(rule: Any, ids: dict[str, int]) -> str | None:
    if not set(rule.arguments) <= set(ids):
        return None
    return rule.build({k: ids[k] for k in rule.arguments}, append_unknown=False)[1]


@pytest.mark.parametrize("role", list(Role))
def test_no_other_page_list_search_export_or_api_shows_a_clinical_field(
    app: Flask, client: FlaskClient, staff: dict[Role, int], role: Role
) -> None:
    ids = _world(app, client)
    with app.app_context():
        reference = db.session.get(Inquiry, ids["inquiry_id"]).reference  # type: ignore[union-attr]
    AuthActions(client).login(ROLE_EMAILS[role])
    opened = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("clinical.") or rule.endpoint == "static":
            continue
        # A page guarded by clinical read is a clinical page (the consent package's summary):
        # the wall is about every other one.
        guard = getattr(app.view_functions[rule.endpoint], "required_permissions", frozenset())
        if Permission.CLINICAL_READ in guard:
            continue
        if "GET" not in (rule.methods or set()) or rule.endpoint == "auth.logout":
            continue
        path = _fill(rule, ids)
        if path is None:
            continue
        for query in ("", f"?q={reference}", "?q=Wall+Person"):
            response = client.get(path + query)
            # Bytes, not text: an export may be a PDF.
            assert SECRET_WORDS.encode() not in response.get_data(), (role, path + query)
        opened.append(rule.endpoint)
    # The pages that show this person are among those opened.
    for endpoint in (
        "crm.episode",
        "crm.person",
        "crm.pipeline",
        "crm.search_people",
        "triage.detail",
        "triage.queue_json",
        "alerts.inquiry_messages",
    ):
        assert endpoint in opened, endpoint


def test_no_email_composed_for_the_person_carries_a_clinical_field(
    app: Flask, client: FlaskClient, staff: dict[Role, int]
) -> None:
    _world(app, client)
    with app.app_context():
        for row in db.session.scalars(select(OutboxMessage)).all():
            spec = registry.find_kind(row.kind)
            if spec is not None and spec.handle_outbox is not None:
                spec.handle_outbox(row.target_id)
        deliveries = db.session.scalars(select(Delivery)).all()
        assert deliveries, "the inquiry's acknowledgement is composed"
        for delivery in deliveries:
            spec = registry.find_kind(delivery.kind)
            if spec is None or spec.compose is None:
                continue
            composed = spec.compose(delivery)
            assert SECRET_WORDS not in repr(composed), delivery.kind
        db.session.rollback()
    assert services  # the records exist: the wall, not their absence, keeps them out
