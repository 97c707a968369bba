"""The FHIR export carries the person's signed clinical records: each signed assessment as a
QuestionnaireResponse with the Provenance of its signature (who, when, the stored SHA-256), its
addenda linked to it, signed notes only under a full-record consent, and never a draft. The
export is still a disclosure refused without a covering consent."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intake.auth.models import User
from intake.auth.permissions import Role
from intake.clinical import consent_use_cases
from intake.clinical import use_cases as clinical
from intake.clinical.consent_models import Consent, Disclosure
from intake.clinical.models import ClinicalRecord
from intake.crm.models import Episode, Person
from intake.extensions import db
from intake.vocabulary import ConsentPurpose, ConsentScope
from tests.clinical.helpers import episode_in_review
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags, csrf_from
from tests.consent.helpers import consent_input
from tests.factories import PASSWORD

RATINGS = {
    "intoxication_withdrawal": 4,
    "biomedical": 1,
    "emotional_behavioural_cognitive": 1,
    "substance_use_risks": 2,
    "recovery_environment": 0,
    "person_centred": 3,
}


def _assessment(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "substances": [
            {
                "substance": "alprazolam",
                "dose": "6 mg a day",
                "duration": "3 years",
                "route": "oral",
                "stop_attempts": "twice, stopped abruptly",
            }
        ],
        "withdrawal_seizure": True,
        "asq_result": "negative",
        "safety_outcome": "not_needed",
        "phq9": [1, 1, 1, 1, 1, 1, 1, 1, 0],
        "audit_c": [1, 0, 0],
        "dimensions": RATINGS,
        "summary": "Daily alprazolam, wants a supervised taper",
        "level_choice": "residential",
        "level_reason": "Declines a ward; lives with a supportive partner",
    }
    raw.update(overrides)
    return raw


def _records(app: Flask, staff: dict) -> dict[str, Any]:
    """A person in review with a signed assessment (and an addendum to it), a draft assessment
    and a signed note; two live consents: an insurer (admission status only) and the referring
    doctor (clinical summary)."""
    episode_id = episode_in_review(app, name="Lena Vogel")
    with app.test_request_context():
        episode = db.session.get(Episode, episode_id)
        clinician = db.session.get(User, staff[Role.CLINICIAN])
        assert episode is not None and clinician is not None
        signed = clinical.start_assessment(episode, clinician.id, _assessment()).id
        digest = clinical.sign(signed, clinician, PASSWORD)
        clinical.add_addendum(
            signed, clinician, "Dose misheard", "The dose is 4 mg a day, not 6 mg.", PASSWORD
        )
        draft = clinical.start_assessment(
            episode, clinician.id, _assessment(summary="DRAFT-ONLY wording")
        ).id
        note = clinical.start_note(episode, clinician.id, "NOTE-BODY: wants to start on Monday")
        clinical.sign(note.id, clinician, PASSWORD)
        person = db.session.get(Person, episode.person_id)
        assert person is not None
        insurer = consent_use_cases.record_consent(
            person,
            consent_input(
                purpose=ConsentPurpose.INSURER,
                recipient_name="Claims desk",
                recipient_organisation="Example Health Insurance",
                scope=ConsentScope.ADMISSION_STATUS,
                information="Whether Lena has been admitted",
            ),
            clinician.id,
        ).id
        doctor = consent_use_cases.record_consent(person, consent_input(), clinician.id).id
        db.session.commit()
        return {
            "person": person.id,
            "signed": signed,
            "digest": digest,
            "draft": draft,
            "insurer": insurer,
            "doctor": doctor,
            "clinician": clinician.display_name,
        }


def _export(client: FlaskClient, person_id: int, consent_id: int) -> Any:
    page = client.get(f"/staff/people/{person_id}/fhir")
    return client.post(
        f"/staff/people/{person_id}/fhir",
        data={"csrf_token": csrf_from(page), "consent_id": str(consent_id)},
    )


def _answers(items: list[Any], found: dict[str, list[Any]] | None = None) -> dict[str, list[Any]]:
    """Every answered item of a QuestionnaireResponse by linkId (nested groups walked)."""
    found = {} if found is None else found
    for item in items or []:
        if item.answer:
            found.setdefault(item.linkId, []).extend(item.answer)
        _answers(item.item, found)
    return found


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_signed_assessments_go_with_their_signature_and_drafts_stay_home(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    from fhir.resources.R4B.bundle import Bundle

    made = _records(app, staff)
    assert AuthActions(client).login(ROLE_EMAILS[Role.CLINICIAN]).status_code == 302

    refused = _export(client, made["person"], made["insurer"])
    assert refused.status_code == 422 and _count(app, Disclosure) == 0
    assert "clinical:disclosure:refused" in audit_tags(app)

    response = _export(client, made["person"], made["doctor"])
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "DRAFT-ONLY" not in text and "NOTE-BODY" not in text  # no draft; notes need full record
    bundle = Bundle.model_validate(json.loads(text))
    by_url = {entry.fullUrl: entry.resource for entry in bundle.entry}
    responses = [
        (url, resource)
        for url, resource in by_url.items()
        if resource.get_resource_type() == "QuestionnaireResponse"
        and resource.identifier.system.endswith(":assessment")
    ]
    assert [r.identifier.value for _url, r in responses] == [str(made["signed"])]
    assessment_url, assessment = responses[0]
    assert assessment.status == "completed"
    answers = _answers(assessment.item)
    assert {
        dimension: answers[f"dimensions.{dimension}"][0].valueInteger for dimension in RATINGS
    } == RATINGS
    assert answers["substance-history.substance.code"][0].valueCoding.code == "alprazolam"
    assert answers["withdrawal-seizure"][0].valueBoolean is True
    assert answers["screens.phq9.total"][0].valueInteger == 8
    assert answers["screens.audit-c.total"][0].valueInteger == 1
    assert answers["screens.asq"][0].valueCoding.code == "negative"
    assert answers["screens.safety-outcome"][0].valueCoding.code == "not_needed"
    assert answers["level-of-care.suggested"][0].valueCoding.code == (
        "inpatient_withdrawal_management"
    )
    assert [a.valueCoding.code for a in answers["level-of-care.drivers"]] == [
        "intoxication_withdrawal"
    ]
    assert answers["level-of-care.chosen"][0].valueCoding.code == "residential"
    assert answers["level-of-care.decision"][0].valueCoding.code == "overridden"
    assert answers["level-of-care.reason"][0].valueString.startswith("Declines a ward")

    provenances = [r for r in by_url.values() if r.get_resource_type() == "Provenance"]
    (signature,) = [p for p in provenances if p.target[0].reference == assessment_url]
    (signed,) = signature.signature  # fhir.resources decodes base64Binary to bytes
    assert signed.data == bytes.fromhex(made["digest"])
    assert signed.who.display == made["clinician"]
    with app.app_context():
        record = db.session.get(ClinicalRecord, made["signed"])
        assert record is not None and record.signed_at is not None
        assert signed.when == record.signed_at

    (addendum,) = [
        r
        for r in by_url.values()
        if r.get_resource_type() == "DocumentReference" and r.description == "Dose misheard"
    ]
    assert addendum.context.related[0].reference == assessment_url
    assert addendum.content[0].attachment.data == (b"The dose is 4 mg a day, not 6 mg.")
    (revision,) = [p for p in provenances if p.entity]
    assert revision.entity[0].role == "revision"
    assert revision.entity[0].what.reference == assessment_url
    with app.app_context():
        (disclosure,) = db.session.scalars(select(Disclosure)).all()
        assert (disclosure.channel, disclosure.scope) == ("fhir_export", "clinical_summary")
        assert disclosure.consent_id == made["doctor"]


def test_signed_notes_go_only_under_a_full_record_consent(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    from fhir.resources.R4B.bundle import Bundle

    made = _records(app, staff)
    with app.test_request_context():
        person = db.session.get(Person, made["person"])
        full = consent_use_cases.record_consent(
            person,
            consent_input(scope=ConsentScope.FULL_RECORD, information="The whole record"),
            staff[Role.CLINICIAN],
        ).id
        db.session.commit()
    assert AuthActions(client).login(ROLE_EMAILS[Role.CLINICIAN]).status_code == 302
    response = _export(client, made["person"], full)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "DRAFT-ONLY" not in text
    bundle = Bundle.model_validate(json.loads(text))
    by_url = {entry.fullUrl: entry.resource for entry in bundle.entry}
    (note_url,) = [
        url
        for url, r in by_url.items()
        if r.get_resource_type() == "DocumentReference" and r.identifier
    ]
    note = by_url[note_url]
    assert note.content[0].attachment.data.startswith(b"NOTE-BODY")
    assert note.authenticator.display == made["clinician"]
    assert any(
        r.get_resource_type() == "Provenance" and r.target[0].reference == note_url
        for r in by_url.values()
    )
    with app.app_context():
        (disclosure,) = db.session.scalars(select(Disclosure)).all()
        assert (disclosure.scope, disclosure.consent_id) == ("full_record", full)
        assert db.session.get(Consent, full) is not None
