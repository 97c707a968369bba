"""A person's intake and consents as a FHIR R4 Bundle (type ``collection``).

- ``Patient``: the person (name, language, country), the subject every other resource points at.
- ``QuestionnaireResponse``: one per inquiry, each answer an item (``linkId`` the answer's code).
- ``Consent``: one per consent in the ledger (status from its state; the provision's period,
  recipient and purpose; policy 42 CFR Part 2), with its signed text as an attachment.
- ``Provenance``: one per consent, carrying the person's signature (who, when, how).

- ``QuestionnaireResponse``: one per signed assessment (substance history, screens, the six
  dimension ratings, the level of care suggested and chosen), with a ``Provenance`` carrying the
  signature: who signed, when, and the stored SHA-256 content hash.
- ``DocumentReference``: one per signed note (full-record consents only) with its signature's
  ``Provenance``; one per addendum, linked to the record it corrects, with its own ``Provenance``.
  Drafts never leave.

The export is a disclosure: :mod:`intake.clinical.consent_views` records it through the
consent check before it hands the file over. Built as plain JSON (no FHIR library at run time);
the tests validate it with ``fhir.resources`` (R4B, whose Consent, QuestionnaireResponse and
Provenance are R4's).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from intake.clinical import labels
from intake.clinical.consent_models import Consent
from intake.clinical.models import Addendum, Assessment, ClinicalNote, ClinicalRecord
from intake.clinical.summary import IntakeSummary, flatten_answers
from intake.vocabulary import ConsentPurpose, ConsentScope, ConsentState, SignatureMethod

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
    ConsentPurpose.AFTERCARE: ("TREAT", "treatment"),
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


def intake_bundle(
    summary: IntakeSummary,
    notice: str,
    records: Sequence[ClinicalRecord] = (),
    scope: ConsentScope = ConsentScope.CLINICAL_SUMMARY,
) -> dict[str, Any]:
    """The FHIR R4 Bundle (as JSON-ready dicts) of ``summary``'s person, labelled 42 CFR Part 2
    with no redisclosure, and carrying ``notice`` (the § 2.32 text) as a document.

    ``records`` are the person's signed clinical records: each signed assessment goes as a
    QuestionnaireResponse, each signed note (only when ``scope`` is the full record) as a
    DocumentReference, each with the Provenance of its signature, and each addendum as a
    DocumentReference linked to what it corrects, with its own Provenance. Drafts are skipped.
    """
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
    for record in records:
        entries.extend(
            _record_entries(record, patient_ref, notes=scope == ConsentScope.FULL_RECORD)
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


# Signed clinical records ---------------------------------------------------------------------
# Only signed records leave (the caller passes intake.clinical.services.signed_records_of): a
# draft is not yet a record of anyone's care. Items carry the app's own generic labels, never an
# instrument's licensed wording.

DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
# What a stored content hash is: SHA-256 over the RFC 8785 canonical JSON of the signed document
# (intake.clinical.signing), so a receiver knows how the digest in Provenance.signature was made.
SIGNING_POLICY = "urn:harbor-intake:signing:sha256-rfc8785-jcs"
AUTHOR_SIGNATURE = ("1.2.840.10065.1.12.1.1", "Author's Signature")
ADDENDUM_LOINC = ("55107-7", "Addendum Document")
NOTE_LOINC = ("11506-3", "Progress note")


def _coding(kind: str, code: str, display: Any = None) -> dict[str, Any]:
    coding = {"system": f"{CODES}:{kind}", "code": code}
    if display is not None:
        coding["display"] = str(display)
    return coding


def _item(link_id: str, text: str, *answers: dict[str, Any]) -> dict[str, Any] | None:
    """A question item, or None when it has no answer (FHIR has no empty answers)."""
    if not answers:
        return None
    return {"linkId": link_id, "text": text, "answer": list(answers)}


def _group(link_id: str, text: str, *items: dict[str, Any] | None) -> dict[str, Any] | None:
    """A group of the items that were answered, or None when none was."""
    kept = [item for item in items if item is not None]
    return {"linkId": link_id, "text": text, "item": kept} if kept else None


def _int(value: Any) -> tuple[dict[str, Any], ...]:
    return () if value is None else ({"valueInteger": int(value)},)


def _bool(value: Any) -> tuple[dict[str, Any], ...]:
    return () if value is None else ({"valueBoolean": bool(value)},)


def _str(value: Any) -> tuple[dict[str, Any], ...]:
    return ({"valueString": str(value)},) if value not in (None, "") else ()


def _code(
    kind: str, value: Any, names: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], ...]:
    if value in (None, ""):
        return ()
    return ({"valueCoding": _coding(kind, str(value), (names or {}).get(value))},)


def _screen(name: str, link: str, scores: list[Any]) -> list[dict[str, Any] | None]:
    return [
        _item(f"{link}.item{index}", f"{name} item {index}", *_int(score))
        for index, score in enumerate(scores, start=1)
    ]


def _assessment_items(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    scores = content.get("scores") or {}
    level = content.get("level") or {}
    rows = [
        _group(
            "substance-history.substance",
            "Substance",
            _item(
                "substance-history.substance.code",
                "Substance",
                *_code("substance", row.get("substance")),
            ),
            _item("substance-history.substance.dose", "Dose", *_str(row.get("dose"))),
            _item("substance-history.substance.duration", "Duration", *_str(row.get("duration"))),
            _item(
                "substance-history.substance.route",
                "Route",
                *_code("route", row.get("route"), labels.ROUTE_LABELS),
            ),
            _item(
                "substance-history.substance.stop-attempts",
                "Previous attempts to stop",
                *_str(row.get("stop_attempts")),
            ),
        )
        for row in content.get("substances") or []
    ]
    groups = [
        _group(
            "substance-history",
            "Substance history",
            *rows,
            _item(
                "withdrawal-seizure",
                "Withdrawal seizure",
                *_bool(content.get("withdrawal_seizure")),
            ),
            _item(
                "withdrawal-delirium",
                "Withdrawal delirium",
                *_bool(content.get("withdrawal_delirium")),
            ),
        ),
        _group(
            "screens",
            "Screens",
            _group(
                "screens.phq9",
                "PHQ-9",
                *_screen("PHQ-9", "screens.phq9", list(content.get("phq9") or [])),
                _item("screens.phq9.total", "PHQ-9 total", *_int(scores.get("phq9_total"))),
                _item(
                    "screens.phq9.band",
                    "PHQ-9 band",
                    *_code("phq9-band", scores.get("phq9_band"), labels.PHQ9_BAND_LABELS),
                ),
                _item(
                    "screens.phq9.item9-positive",
                    "PHQ-9 item 9 positive",
                    *_bool(scores.get("phq9_item9_positive")),
                ),
            ),
            _group(
                "screens.audit-c",
                "AUDIT-C",
                *_screen("AUDIT-C", "screens.audit-c", list(content.get("audit_c") or [])),
                _item(
                    "screens.audit-c.sex",
                    "AUDIT-C threshold",
                    *_code("audit-c-sex", content.get("audit_c_sex"), labels.AUDIT_C_SEX_LABELS),
                ),
                _item("screens.audit-c.total", "AUDIT-C total", *_int(scores.get("audit_c_total"))),
                _item(
                    "screens.audit-c.positive",
                    "AUDIT-C positive",
                    *_bool(scores.get("audit_c_positive")),
                ),
            ),
            _item(
                "screens.asq",
                "ASQ result",
                *_code("asq-result", content.get("asq_result"), labels.ASQ_LABELS),
            ),
            _item(
                "screens.safety-outcome",
                "Brief safety assessment outcome",
                *_code("safety-outcome", content.get("safety_outcome"), labels.SAFETY_LABELS),
            ),
        ),
        _group(
            "dimensions",
            "Assessment dimensions (0-4)",
            *(
                _item(
                    f"dimensions.{dimension}",
                    str(label),
                    *_int((content.get("dimensions") or {}).get(dimension)),
                )
                for dimension, label in labels.DIMENSION_LABELS.items()
            ),
        ),
        _group(
            "level-of-care",
            "Level of care",
            _item(
                "level-of-care.suggested",
                "Suggested level",
                *_code("care-level", level.get("suggested"), labels.LEVEL_LABELS),
            ),
            _item(
                "level-of-care.drivers",
                "Dimensions that drove the suggestion",
                *(
                    a
                    for d in level.get("drivers") or []
                    for a in _code("dimension", d, labels.DIMENSION_LABELS)
                ),
            ),
            _item(
                "level-of-care.chosen",
                "Level chosen",
                *_code("care-level", level.get("chosen"), labels.LEVEL_LABELS),
            ),
            _item(
                "level-of-care.decision",
                "Confirmed or overridden",
                *_code("level-decision", level.get("decision"), labels.LEVEL_DECISION_LABELS),
            ),
            _item("level-of-care.reason", "Reason for overriding", *_str(level.get("reason"))),
            _item(
                "level-of-care.programmes",
                "Programmes",
                *(
                    a
                    for p in level.get("programmes") or []
                    for a in _code("programme", p, labels.PROGRAMME_LABELS)
                ),
            ),
        ),
        _item("summary", "Summary", *_str(content.get("summary"))),
    ]
    return [group for group in groups if group is not None]


def _signature(at: datetime, signer: str, digest: str) -> dict[str, Any]:
    """A Provenance signature carrying the stored SHA-256 of what was signed (its raw 32 bytes,
    base64): the record is signed by re-entered credentials, not a cryptographic key, so the
    digest is what a receiver can hold the record to."""
    code, display = AUTHOR_SIGNATURE
    return {
        "type": [{"system": SIGNATURE_TYPE, "code": code, "display": display}],
        "when": _instant(at),
        "who": {"display": signer},
        "targetFormat": "application/json",
        "data": base64.b64encode(bytes.fromhex(digest)).decode(),
    }


def _signer_agents(author: str, signer: str, method: str | None) -> list[dict[str, Any]]:
    signed: dict[str, Any] = {
        "type": {"coding": [{"system": PARTICIPANT_TYPE, "code": "legal"}]},
        "who": {"display": signer},
    }
    if method:
        signed["role"] = [{"coding": [_coding("sign-method", method)]}]
    return [
        {
            "type": {"coding": [{"system": PARTICIPANT_TYPE, "code": "author"}]},
            "who": {"display": author},
        },
        signed,
    ]


def _record_provenance(
    record: ClinicalRecord, target_ref: str, signed_at: datetime, digest: str
) -> dict[str, Any]:
    signer = record.signed_by.display_name if record.signed_by else ""
    return {
        "resourceType": "Provenance",
        "target": [{"reference": target_ref}],
        "recorded": _instant(signed_at),
        "policy": [SIGNING_POLICY],
        "activity": {
            "coding": [{"system": PARTICIPATION, "code": "LA", "display": "legal authenticator"}]
        },
        "agent": _signer_agents(record.author.display_name, signer, record.sign_method),
        "signature": [_signature(signed_at, signer, digest)],
    }


def _document(
    patient_ref: str, loinc: tuple[str, str], at: datetime, author: str, title: str, text: str
) -> dict[str, Any]:
    code, display = loinc
    return {
        "resourceType": "DocumentReference",
        "status": "current",
        "docStatus": "final",
        "type": {"coding": [{"system": LOINC, "code": code, "display": display}]},
        "subject": {"reference": patient_ref},
        "date": _instant(at),
        "author": [{"display": author}],
        "authenticator": {"display": author},
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "title": title,
                    "data": base64.b64encode(text.encode()).decode(),
                }
            }
        ],
    }


def _addendum_entries(
    addendum: Addendum, record_ref: str, record_is_document: bool, patient_ref: str
) -> list[dict[str, Any]]:
    """An addendum as its own signed document linked to the record it corrects (a signed record
    never changes, so the correction is appended, not a new version of it), and the Provenance
    of its signature, naming the record as the entity it revises."""
    ref = _urn()
    document = _document(
        patient_ref,
        ADDENDUM_LOINC,
        addendum.created_at,
        addendum.author.display_name,
        "Addendum",
        addendum.body,
    )
    document["description"] = addendum.reason
    document["context"] = {"related": [{"reference": record_ref}]}
    if record_is_document:  # relatesTo may only point at a DocumentReference
        document["relatesTo"] = [{"code": "appends", "target": {"reference": record_ref}}]
    provenance = {
        "resourceType": "Provenance",
        "target": [{"reference": ref}],
        "recorded": _instant(addendum.created_at),
        "policy": [SIGNING_POLICY],
        "activity": {"coding": [{"system": DATA_OPERATION, "code": "APPEND", "display": "append"}]},
        "agent": _signer_agents(
            addendum.author.display_name, addendum.author.display_name, addendum.sign_method
        ),
        "entity": [{"role": "revision", "what": {"reference": record_ref}}],
        "signature": [
            _signature(addendum.created_at, addendum.author.display_name, addendum.content_hash)
        ],
    }
    return [{"fullUrl": ref, "resource": document}, {"fullUrl": _urn(), "resource": provenance}]


def _record_entries(
    record: ClinicalRecord, patient_ref: str, *, notes: bool
) -> list[dict[str, Any]]:
    signed_at, digest = record.signed_at, record.content_hash
    if not record.is_signed or signed_at is None or digest is None:
        return []  # drafts never leave
    ref = _urn()
    if isinstance(record, Assessment):
        resource: dict[str, Any] = {
            "resourceType": "QuestionnaireResponse",
            "identifier": {"system": f"{CODES}:assessment", "value": str(record.id)},
            "status": "completed",
            "subject": {"reference": patient_ref},
            "authored": _instant(signed_at),
            "author": {"display": record.author.display_name},
            "item": _assessment_items(record.content),
        }
    elif isinstance(record, ClinicalNote) and notes:
        resource = _document(
            patient_ref,
            NOTE_LOINC,
            signed_at,
            record.author.display_name,
            "Clinical note",
            str(record.content.get("body", "")),
        )
        resource["identifier"] = [{"system": f"{CODES}:note", "value": str(record.id)}]
        if record.signed_by is not None:
            resource["authenticator"] = {"display": record.signed_by.display_name}
        if record.addenda:
            resource["docStatus"] = "amended"
    else:
        return []
    entries = [
        {"fullUrl": ref, "resource": resource},
        {"fullUrl": _urn(), "resource": _record_provenance(record, ref, signed_at, digest)},
    ]
    for addendum in record.addenda:
        entries.extend(
            _addendum_entries(
                addendum, ref, resource["resourceType"] == "DocumentReference", patient_ref
            )
        )
    return entries


def export_scope(consent_scope: str | None) -> ConsentScope:
    """How much the export says under a consent of ``consent_scope``: signed notes only under a
    full-record consent; otherwise the intake, consents and assessments (a clinical summary)."""
    if consent_scope == ConsentScope.FULL_RECORD:
        return ConsentScope.FULL_RECORD
    return ConsentScope.CLINICAL_SUMMARY
