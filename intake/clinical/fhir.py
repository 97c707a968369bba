"""A person's intake and consents as a FHIR R4 Bundle (type ``collection``).

- ``Patient``: the person (name, language, country), the subject every other resource points at.
- ``QuestionnaireResponse``: one per inquiry, each answer an item (``linkId`` the answer's code).
- ``Consent``: one per consent in the ledger (status from its state; the provision's period,
  recipient and purpose; policy 42 CFR Part 2), with its signed text as an attachment.
- ``Provenance``: one per consent, carrying the person's signature (who, when, how).

Assessments and signed notes belong to the clinical records module and are added to the bundle
there. The export is a disclosure: :mod:`intake.clinical.consent_views` records it through the
consent check before it hands the file over. Built as plain JSON (no FHIR library at run time);
the tests validate it with ``fhir.resources`` (R4B, whose Consent, QuestionnaireResponse and
Provenance are R4's).
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

from intake.clinical.consent_models import Consent
from intake.clinical.summary import IntakeSummary, flatten_answers
from intake.vocabulary import ConsentPurpose, ConsentState, SignatureMethod

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PURPOSE_OF_USE = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
LOINC = "http://loinc.org"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
SIGNATURE_TYPE = "urn:iso-astm:E1762-95:2013"
CODES = "urn:harbor-intake:codes"
# Security labels: governed by 42 CFR Part 2; redisclosure prohibited without consent.
SECURITY_LABELS = ("42CFRPart2", "NORDSCLCD")

# FHIR Consent.status for each ledger state.
_STATUS = {
    ConsentState.PENDING: "proposed",
    ConsentState.LIVE: "active",
    ConsentState.EXPIRED: "inactive",
    ConsentState.ENDED: "inactive",
    ConsentState.REVOKED: "inactive",
}
# Purpose of use (HL7 v3 ActReason) for each consent purpose.
_PURPOSE = {
    ConsentPurpose.TEAM_CONTACT: ("TREAT", "treatment"),
    ConsentPurpose.FAMILY: ("FAMRQT", "family requested"),
    ConsentPurpose.REFERRING_DOCTOR: ("TREAT", "treatment"),
    ConsentPurpose.INSURER: ("HPAYMT", "healthcare payment"),
    ConsentPurpose.OTHER_PROVIDER: ("TREAT", "treatment"),
}


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _answer(value: str) -> dict[str, Any]:
    if value in {"True", "False"}:
        return {"valueBoolean": value == "True"}
    return {"valueString": value}


def _consent(consent: Consent, patient_ref: str) -> dict[str, Any]:
    code, display = _PURPOSE[ConsentPurpose(consent.purpose)]
    period: dict[str, str] = {"start": _instant(consent.starts_at)}
    end = consent.ended_at or consent.expires_at
    if consent.expires_at is not None and consent.ended_at is not None:
        end = min(consent.expires_at, consent.ended_at)
    if end is not None:
        period["end"] = _instant(end)
    recipient = consent.recipient_name + (
        f" ({consent.recipient_organisation})" if consent.recipient_organisation else ""
    )
    return {
        "resourceType": "Consent",
        "status": _STATUS[consent.state()],
        "scope": {"coding": [{"system": CONSENT_SCOPE, "code": "patient-privacy"}]},
        "category": [{"coding": [{"system": LOINC, "code": "59284-0"}]}],
        "patient": {"reference": patient_ref},
        "dateTime": _instant(consent.signed_at),
        "organization": [{"display": consent.disclosing_party}],
        "sourceAttachment": {
            "contentType": "text/plain; charset=utf-8",
            "data": base64.b64encode(consent.text_shown.encode()).decode(),
            "title": f"consent text {consent.text_version}",
            "hash": base64.b64encode(bytes.fromhex(consent.text_sha256)).decode(),
        },
        "policyRule": {"coding": [{"system": ACT_CODE, "code": "42CFRPart2"}]},
        "provision": {
            "type": "permit",
            "period": period,
            "actor": [
                {
                    "role": {"coding": [{"system": PARTICIPATION, "code": "IRCP"}]},
                    "reference": {"display": recipient},
                }
            ],
            "purpose": [{"system": PURPOSE_OF_USE, "code": code, "display": display}],
            "code": [{"coding": [{"system": CODES, "code": f"scope-{consent.scope}"}]}],
        },
    }


def _provenance(consent: Consent, consent_ref: str, patient_ref: str) -> dict[str, Any]:
    return {
        "resourceType": "Provenance",
        "target": [{"reference": consent_ref}],
        "recorded": _instant(consent.recorded_at),
        "agent": [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                            "code": "author",
                        }
                    ]
                },
                "who": {"reference": patient_ref, "display": consent.signed_name},
            }
        ],
        "signature": [
            {
                "type": [
                    {
                        "system": SIGNATURE_TYPE,
                        "code": "1.2.840.10065.1.12.1.7",
                        "display": "Consent Signature",
                    }
                ],
                "when": _instant(consent.signed_at),
                "who": {"reference": patient_ref, "display": consent.signed_name},
                "sigFormat": "text/plain"
                if consent.signature_method == SignatureMethod.ELECTRONIC
                else "application/pdf",
            }
        ],
    }


def intake_bundle(summary: IntakeSummary, notice: str) -> dict[str, Any]:
    """The FHIR R4 Bundle (as JSON-ready dicts) of ``summary``'s person, labelled 42 CFR Part 2
    with no redisclosure, and carrying ``notice`` (the § 2.32 text) as a document."""
    person = summary.person
    patient_ref = _urn()
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": patient_ref,
            "resource": {
                "resourceType": "Patient",
                "name": [{"text": person.name}] if person.name else [],
                "communication": [{"language": {"coding": [{"code": person.language}]}}],
                "address": [{"country": person.country}] if person.country else [],
            },
        }
    ]
    for part in summary.inquiries:
        inquiry = part.inquiry
        items = [
            {"linkId": code, "answer": [_answer(value)]}
            for code, value in flatten_answers(inquiry.answers)
        ]
        entries.append(
            {
                "fullUrl": _urn(),
                "resource": {
                    "resourceType": "QuestionnaireResponse",
                    "identifier": {"system": f"{CODES}:inquiry", "value": inquiry.reference},
                    "status": "completed",
                    "subject": {"reference": patient_ref},
                    "authored": _instant(inquiry.received_at),
                    "item": items,
                },
            }
        )
    for consent in summary.consents:
        consent_ref = _urn()
        entries.append({"fullUrl": consent_ref, "resource": _consent(consent, patient_ref)})
        entries.append(
            {"fullUrl": _urn(), "resource": _provenance(consent, consent_ref, patient_ref)}
        )
    entries.append(
        {
            "fullUrl": _urn(),
            "resource": {
                "resourceType": "DocumentReference",
                "status": "current",
                "subject": {"reference": patient_ref},
                "description": "Redisclosure notice (42 CFR Part 2, section 2.32)",
                "content": [
                    {
                        "attachment": {
                            "contentType": "text/plain; charset=utf-8",
                            "title": "Redisclosure notice",
                            "data": base64.b64encode(notice.encode()).decode(),
                        }
                    }
                ],
            },
        }
    )
    for entry in entries:
        entry["resource"] = {key: value for key, value in entry["resource"].items() if value != []}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "meta": {"security": [{"system": ACT_CODE, "code": code} for code in SECURITY_LABELS]},
        "entry": entries,
    }
