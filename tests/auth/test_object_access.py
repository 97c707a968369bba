"""Object-level checks receive the record and the field group (intake.auth.access).

The clinical issue builds on this: admissions staff may read who a person is and what they
wrote, never what clinicians wrote; one record may refuse one reader (a wall), whatever the
reader's role; and a part of a record nobody has decided about is refused.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_login import login_user
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from intake.audit.models import AuditEvent
from intake.audit.tags import AuditTag
from intake.auth.access import FieldGroup, GuardedRecord
from intake.auth.models import User
from intake.auth.permissions import Permission, Role, require_access
from intake.extensions import db
from intake.public.models import Inquiry
from tests.conftest import submit_inquiry_form


@pytest.fixture
def inquiry_id(app: Flask, client: FlaskClient) -> int:
    response = submit_inquiry_form(
        client, message="I would like to know about admission.", email="ana@example.org"
    )
    assert response.status_code == 302
    with app.app_context():
        return db.session.scalars(select(Inquiry.id)).one()


def _check(app: Flask, user_id: int, record: Any, group: FieldGroup | None = None) -> bool:
    """Run require_access as the view would; True when allowed."""
    with app.test_request_context("/staff/"):
        login_user(db.session.get(User, user_id))
        try:
            require_access(record, group)
        except Forbidden:
            return False
        finally:
            db.session.remove()
        return True


def _inquiry(app: Flask, inquiry_id: int) -> Inquiry:
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiry_id)
        assert inquiry is not None
        db.session.expunge(inquiry)
        return inquiry


def _denials(app: Flask) -> list[dict[str, Any]]:
    with app.app_context():
        query = select(AuditEvent.detail).where(AuditEvent.tag == AuditTag.ACCESS_DENIED.value)
        return [dict(detail or {}) for detail in db.session.scalars(query)]


def test_admissions_reads_contact_and_intake_but_not_clinical_fields(
    app: Flask, staff: dict[Role, int], inquiry_id: int
) -> None:
    inquiry = _inquiry(app, inquiry_id)
    admissions = staff[Role.ADMISSIONS]
    assert _check(app, admissions, inquiry)
    assert _check(app, admissions, inquiry, FieldGroup.CONTACT)
    assert _check(app, admissions, inquiry, FieldGroup.INTAKE)
    assert not _check(app, admissions, inquiry, FieldGroup.CLINICAL)
    assert _check(app, staff[Role.CLINICIAN], inquiry, FieldGroup.CLINICAL)
    assert _denials(app) == [
        {
            "permission": Permission.CLINICAL_READ.value,
            "field_group": "clinical",
            "record": "Inquiry",
            "record_id": inquiry_id,
            "reason": "missing_permission",
        }
    ]


class _WalledNote(GuardedRecord):
    """A record that one clinician may not read, whatever their role says (an ethical wall)."""

    field_permissions = {FieldGroup.CLINICAL: Permission.CLINICAL_READ}

    def __init__(self, walled_user_id: int) -> None:
        self.id = 7
        self.walled_user_id = walled_user_id

    def access_refusal(self, reader: Any, group: FieldGroup) -> str | None:
        return "wall" if reader.id == self.walled_user_id else None


def test_one_record_can_refuse_one_reader_that_the_role_would_allow(
    app: Flask, staff: dict[Role, int]
) -> None:
    colleague = staff[Role.CLINICIAN]
    walled = _WalledNote(walled_user_id=colleague)
    open_note = _WalledNote(walled_user_id=-1)
    assert _check(app, colleague, open_note, FieldGroup.CLINICAL)
    assert not _check(app, colleague, walled, FieldGroup.CLINICAL)
    assert [d["reason"] for d in _denials(app)] == ["wall"]


def test_a_group_the_record_does_not_declare_is_refused_even_to_an_admin(
    app: Flask, staff: dict[Role, int]
) -> None:
    note = _WalledNote(walled_user_id=-1)
    assert not _check(app, staff[Role.ADMIN], note, FieldGroup.CONTACT)
    assert [d["reason"] for d in _denials(app)] == ["group_not_declared"]


def test_templates_leave_out_what_the_reader_may_not_see(
    app: Flask, staff: dict[Role, int], inquiry_id: int
) -> None:
    inquiry = _inquiry(app, inquiry_id)
    page = "{% if may_read(inquiry, 'clinical') %}clinical notes{% endif %}|{{ inquiry.reference }}"
    shown = {}
    for role in (Role.ADMISSIONS, Role.CLINICIAN):
        with app.test_request_context("/staff/"):
            login_user(db.session.get(User, staff[role]))
            shown[role] = render_template_string(page, inquiry=inquiry)
    assert shown[Role.ADMISSIONS] == f"|{inquiry.reference}"
    assert shown[Role.CLINICIAN] == f"clinical notes|{inquiry.reference}"
