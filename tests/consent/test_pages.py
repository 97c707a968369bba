"""The consent pages as each role sees them, through the real forms (CSRF included).

Who sees what: admissions staff see the "what may we tell whom today" panel and the ledger, and
record or revoke consents; they never see what was disclosed, the intake summary or the export.
Clinicians do all of it. Every refusal is a message, never a 500, and changes nothing.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intake.auth.permissions import Role
from intake.clinical import consent_use_cases, summary
from intake.clinical.consent_models import Consent, Disclosure
from intake.extensions import db
from intake.vocabulary import ConsentPurpose, ConsentScope
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags, csrf_from
from tests.consent.helpers import (
    consent_input,
    mother_consent_input,
    person_with_mother,
)


def _setup(app: Flask, staff: dict, *, consent: bool = True) -> tuple[int, int, int | None]:
    """A person, their mother, and (optionally) a live consent to tell the mother their
    admission status. Returns (person id, mother's contact id, consent id)."""
    with app.test_request_context():
        person, mother = person_with_mother()
        consent_id = None
        if consent:
            consent_id = consent_use_cases.record_consent(
                person,
                mother_consent_input(
                    mother,
                    information="Whether Lena has been admitted, and when",
                ),
                staff[Role.CLINICIAN],
            ).id
        db.session.commit()
        return person.id, mother.id, consent_id


def _login(client: FlaskClient, role: Role) -> None:
    assert AuthActions(client).login(ROLE_EMAILS[role]).status_code == 302


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_what_may_be_told_to_whom_on_the_person_page(
    app: Flask, client: FlaskClient, staff: dict, role: Role
) -> None:
    person_id, _mother, _consent = _setup(app, staff)
    _login(client, role)
    page = client.get(f"/staff/crm/people/{person_id}").get_data(as_text=True)
    assert "What may we tell whom today" in page
    assert "Ruth Vogel" in page and "Admission status" in page
    assert "Anyone else: nothing" in page
    # The panel shows no clinical content: not even the consent's own description.
    assert "Whether Lena has been admitted" not in page


def test_without_a_live_consent_the_panel_says_tell_no_one(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    person_id, _mother, _none = _setup(app, staff, consent=False)
    _login(client, Role.ADMISSIONS)
    page = client.get(f"/staff/crm/people/{person_id}").get_data(as_text=True)
    assert "No live consent: tell no one anything" in page


def test_admissions_see_the_ledger_but_no_disclosure_summary_or_export(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    person_id, _mother, _consent = _setup(app, staff)
    _login(client, Role.ADMISSIONS)
    ledger = client.get(f"/staff/people/{person_id}/consents")
    assert ledger.status_code == 200 and "Whether Lena has been admitted" in ledger.get_data(
        as_text=True
    )
    for path in (
        f"/staff/people/{person_id}/disclosures",
        f"/staff/people/{person_id}/disclosures.csv",
        f"/staff/people/{person_id}/disclosures/new",
        f"/staff/people/{person_id}/summary",
        f"/staff/people/{person_id}/summary.pdf",
        f"/staff/people/{person_id}/fhir",
        f"/staff/people/{person_id}/break-glass",
        "/staff/break-glass",
    ):
        assert client.get(path).status_code == 403, path
    assert "auth:permission:denied" in audit_tags(app)


def _consent_form(**fields: str) -> dict[str, str]:
    return {
        "purpose": ConsentPurpose.REFERRING_DOCTOR,
        "scope": ConsentScope.CLINICAL_SUMMARY,
        "recipient_contact_id": "0",
        "recipient_name": "Dr Anna Keller",
        "recipient_organisation": "Praxis Keller",
        "patient_name": "",
        "disclosing_party": "Harbor Intake",
        "information": "Intake summary",
        "purpose_text": "Continuity of care",
        "revocation_text": "Tell any member of staff",
        "starts_at": "2026-01-10T09:00",
        "expires_at": "2027-01-10T09:00",
        "expiry_event": "",
        "signature_method": "electronic",
        "signed_name": "Lena Vogel",
        "signed_at": "",
        "given_via": "in_person",
        "explicit": "y",
        **fields,
    }


def test_admissions_record_a_consent_through_the_form_and_revoke_it_in_one_click(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    person_id, _mother, _none = _setup(app, staff, consent=False)
    _login(client, Role.ADMISSIONS)
    page = client.get(f"/staff/people/{person_id}/consents/new")
    token = csrf_from(page)
    done = client.post(
        f"/staff/people/{person_id}/consents/new",
        data={"csrf_token": token, **_consent_form()},
        follow_redirects=True,
    )
    text = done.get_data(as_text=True)
    assert "Consent recorded." in text and "Dr Anna Keller" in text
    with app.app_context():
        (consent,) = db.session.scalars(select(Consent)).all()
        assert consent.recorded_by_id == staff[Role.ADMISSIONS]
        assert consent.starts_at.isoformat().startswith("2026-01-10T08:00")  # CET to UTC
    revoked = client.post(
        f"/staff/consents/{consent.id}/end",
        data={"csrf_token": token, "kind": "revoked", "channel": "phone", "note": ""},
        follow_redirects=True,
    )
    assert "It stays in the ledger." in revoked.get_data(as_text=True)
    assert "Revoked" in revoked.get_data(as_text=True)
    assert "clinical:consent:revoked" in audit_tags(app)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"expires_at": "2025-01-01T09:00"}, "The consent must end after it starts."),
        ({"information": ""}, "Describe specifically what may be disclosed."),
        ({"signed_name": ""}, "The signature (the signed name) is missing."),
        ({"expires_at": "", "expiry_event": ""}, "Give an expiry date or the event"),
        ({"explicit": ""}, "The person must say explicitly that they consent"),
        ({"expires_at": "not a date"}, "Not a valid datetime value"),
        ({"purpose": "gossip"}, "Not a valid choice"),
        ({"recipient_contact_id": "999999"}, "Not a valid choice"),
    ],
)
def test_a_bad_consent_form_says_what_is_wrong_and_stores_nothing(
    app: Flask, client: FlaskClient, staff: dict, fields: dict, message: str
) -> None:
    person_id, _mother, _none = _setup(app, staff, consent=False)
    _login(client, Role.CLINICIAN)
    token = csrf_from(client.get(f"/staff/people/{person_id}/consents/new"))
    response = client.post(
        f"/staff/people/{person_id}/consents/new",
        data={"csrf_token": token, **_consent_form(**fields)},
    )
    assert response.status_code in {400, 422}
    assert message in response.get_data(as_text=True)
    assert _count(app, Consent) == 0


def test_a_disclosure_without_consent_is_refused_on_the_page(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    person_id, _mother, consent_id = _setup(app, staff)
    _login(client, Role.CLINICIAN)
    page = client.get(f"/staff/people/{person_id}/disclosures/new")
    token = csrf_from(page)
    base = {"csrf_token": token, "scope": "admission_status", "channel": "phone"}
    refused = client.post(
        f"/staff/people/{person_id}/disclosures/new",
        data={**base, "consent_id": "0", "information": "Told her Lena was admitted"},
    )
    assert refused.status_code == 422
    assert "Nothing may leave the clinic without a live consent" in refused.get_data(as_text=True)
    too_much = client.post(
        f"/staff/people/{person_id}/disclosures/new",
        data={
            **base,
            "scope": "clinical_summary",
            "consent_id": str(consent_id),
            "information": "Read her the assessment",
        },
    )
    assert too_much.status_code == 422
    assert "does not cover this much" in too_much.get_data(as_text=True)
    no_reason = client.post(
        f"/staff/people/{person_id}/disclosures/new",
        data={**base, "consent_id": "0", "emergency": "y", "information": "History"},
    )
    assert no_reason.status_code == 422
    assert "records who received it" in no_reason.get_data(as_text=True)
    assert _count(app, Disclosure) == 0
    ok = client.post(
        f"/staff/people/{person_id}/disclosures/new",
        data={**base, "consent_id": str(consent_id), "information": "Told her =1+1 admitted"},
        follow_redirects=True,
    )
    assert "Disclosure recorded." in ok.get_data(as_text=True)
    assert "Ruth Vogel" in ok.get_data(as_text=True)
    exported = client.get(f"/staff/people/{person_id}/disclosures.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[1][1] == "Ruth Vogel" and rows[1][5] == "Told her =1+1 admitted"
    assert "clinical:disclosure:accounting_exported" in audit_tags(app)


def test_the_summary_prints_with_the_redisclosure_notice(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    person_id, _mother, _consent = _setup(app, staff)
    _login(client, Role.CLINICIAN)
    page = client.get(f"/staff/people/{person_id}/summary")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Lena Vogel" in text
    assert "42 CFR part 2" in text and "consent-print.css" in text
    assert "record the disclosure" in text
    assert "clinical:summary:viewed" in audit_tags(app)


@pytest.mark.skipif(not summary.pdf_available(), reason="WeasyPrint's Pango is not installed")
def test_the_summary_renders_as_pdf(app: Flask, client: FlaskClient, staff: dict) -> None:
    person_id, _mother, _consent = _setup(app, staff)
    _login(client, Role.CLINICIAN)
    assert "summary.pdf" in client.get(f"/staff/people/{person_id}/summary").get_data(as_text=True)
    pdf = client.get(f"/staff/people/{person_id}/summary.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")


def test_the_fhir_export_is_a_checked_disclosure_and_a_valid_r4_bundle(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    from fhir.resources.R4B.bundle import Bundle

    person_id, _mother, family_consent = _setup(app, staff)
    _login(client, Role.CLINICIAN)
    page = client.get(f"/staff/people/{person_id}/fhir")
    token = csrf_from(page)
    refused = client.post(
        f"/staff/people/{person_id}/fhir",
        data={"csrf_token": token, "consent_id": str(family_consent)},
    )
    assert refused.status_code == 422 and _count(app, Disclosure) == 0
    with app.test_request_context():
        from intake.crm.models import Person

        doctor = consent_use_cases.record_consent(
            db.session.get(Person, person_id), consent_input(), staff[Role.CLINICIAN]
        ).id
        db.session.commit()
    response = client.post(
        f"/staff/people/{person_id}/fhir", data={"csrf_token": token, "consent_id": str(doctor)}
    )
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    document = json.loads(response.get_data(as_text=True))
    bundle = Bundle.model_validate(document)
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert kinds.count("Consent") == 2 and kinds.count("Provenance") == 2
    assert "Patient" in kinds and "DocumentReference" in kinds
    assert {label.code for label in bundle.meta.security} == {"42CFRPart2", "NORDSCLCD"}
    statuses = sorted(
        e.resource.status for e in bundle.entry if e.resource.get_resource_type() == "Consent"
    )
    assert statuses == ["active", "active"]
    with app.app_context():
        (disclosure,) = db.session.scalars(select(Disclosure)).all()
        assert disclosure.channel == "fhir_export" and disclosure.consent_id == doctor
    assert "clinical:disclosure:recorded" in audit_tags(app)
