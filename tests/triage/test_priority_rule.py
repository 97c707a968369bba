"""Invariant 6, in the triage service itself: anyone may raise a priority; only a clinician with a
reason may lower one. No Flask request is made: any caller (a page, a command, a future domain)
meets the same rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from intake.audit.models import AuditEvent
from intake.auth.permissions import Role
from intake.extensions import db
from intake.public.validation import validate_inquiry
from intake.triage.models import TriageCase, TriageResult
from intake.triage.services import (
    PriorityChangeRefusedError,
    PriorityRefusal,
    change_priority,
    current_result,
)
from intake.usecases.accept_inquiry import accept_inquiry
from tests.conftest import make_user


def _p2_case(app: Flask) -> int:
    with app.app_context():
        data, errors = validate_inquiry(
            {"consent": True, "email": "p@example.net", "message": "Please call me"}
        )
        assert data is not None, errors
        inquiry_id = accept_inquiry(data, source="test").inquiry.id
        case = db.session.scalars(select(TriageCase).where(TriageCase.inquiry_id == inquiry_id))
        assert case.one().priority == "P2"
        return inquiry_id


def _rows(inquiry_id: int) -> tuple[int, int]:
    results = select(func.count()).where(TriageResult.inquiry_id == inquiry_id)
    audits = select(func.count()).where(
        AuditEvent.target_type == "inquiry",
        AuditEvent.target_id == str(inquiry_id),
        AuditEvent.tag.like("triage:priority:%"),
    )
    return int(db.session.scalar(results) or 0), int(db.session.scalar(audits) or 0)


@pytest.mark.parametrize(
    ("roles", "active", "reason", "refusal"),
    [
        ({Role.ADMISSIONS}, True, "Spoke to them", PriorityRefusal.NOT_A_CLINICIAN),
        ({Role.ADMIN}, True, "Spoke to them", PriorityRefusal.NOT_A_CLINICIAN),
        ({Role.CLINICIAN}, False, "Spoke to them", PriorityRefusal.NOT_A_CLINICIAN),
        ({Role.CLINICIAN}, True, None, PriorityRefusal.NO_REASON),
        ({Role.CLINICIAN}, True, "   ", PriorityRefusal.NO_REASON),
    ],
)
def test_lowering_is_refused_without_a_clinician_and_a_reason_and_records_nothing(
    app: Flask, roles: set[Role], active: bool, reason: str | None, refusal: PriorityRefusal
) -> None:
    inquiry_id = _p2_case(app)
    user_id = make_user(app, "actor@example.org", roles, active=active)
    with app.app_context():
        case = db.session.scalars(select(TriageCase)).one()
        due_at = case.due_at
        with pytest.raises(PriorityChangeRefusedError) as refused:
            change_priority(case, "P3", user_id, reason)
        assert refused.value.refusal is refusal
        # Refused before anything was added: committing now stores no change.
        assert not db.session.new and not db.session.dirty
        db.session.commit()
        assert _rows(inquiry_id) == (1, 0)
        case = db.session.scalars(select(TriageCase)).one()
        assert (case.priority, case.due_at) == ("P2", due_at)


def test_anyone_raises_and_a_clinician_lowers_with_a_reason_each_audited_with_history(
    app: Flask,
) -> None:
    inquiry_id = _p2_case(app)
    admissions = make_user(app, "admissions@example.org", {Role.ADMISSIONS})
    clinician = make_user(app, "clinician@example.org", {Role.CLINICIAN})
    with app.app_context():
        case = db.session.scalars(select(TriageCase)).one()
        change_priority(case, "P1", admissions, None)
        db.session.commit()
        change_priority(case, "P3", clinician, "  Spoke to their GP  ")
        db.session.commit()
        assert _rows(inquiry_id) == (3, 2)
        latest = current_result(inquiry_id)
        assert latest is not None
        assert (latest.priority, latest.changed_by_id, latest.change_reason) == (
            "P3",
            clinician,
            "Spoke to their GP",
        )
        assert case.priority == "P3"
        assert case.due_at - case.received_at == timedelta(
            minutes=app.config["CONTACT_TARGET_MINUTES"]["P3"]
        )
        audits = db.session.execute(
            select(AuditEvent.tag, AuditEvent.actor_id)
            .where(AuditEvent.tag.like("triage:priority:%"))
            .order_by(AuditEvent.id)
        ).all()
        assert [tuple(row) for row in audits] == [
            ("triage:priority:raised", admissions),
            ("triage:priority:lowered", clinician),
        ]
