"""Shared makings of the consent tests: a person with their mother as a contact, and a complete
consent input whose fields a test overrides."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from intake.clinical import consent_use_cases
from intake.clinical.consent_models import Consent
from intake.clinical.consents import ConsentInput
from intake.core.types import utcnow
from intake.crm.models import Contact, Person
from intake.extensions import db
from intake.vocabulary import (
    ConsentPurpose,
    ConsentScope,
    Relationship,
    RequestChannel,
    SignatureMethod,
)
from tests.factories import PersonFactory, UserFactory


def person_with_mother() -> tuple[Person, Contact]:
    person = PersonFactory(name="Lena Vogel", email="lena@example.net")
    mother = Contact(person_id=person.id, relation=Relationship.PARENT, name="Ruth Vogel")
    db.session.add(mother)
    db.session.flush()
    return person, mother


def consent_input(**fields: Any) -> ConsentInput:
    values: dict[str, Any] = {
        "purpose": ConsentPurpose.REFERRING_DOCTOR,
        "scope": ConsentScope.CLINICAL_SUMMARY,
        "information": "Intake summary and level-of-care decision",
        "purpose_text": "Continuity of care with the referring doctor",
        "revocation_text": "Tell any member of staff, in person, by phone or in writing",
        "disclosing_party": "Harbor Intake admissions team",
        "signature_method": SignatureMethod.ELECTRONIC,
        "signed_name": "Lena Vogel",
        "given_via": RequestChannel.IN_PERSON,
        "explicit": True,
        "recipient_name": "Dr Anna Keller",
        "recipient_organisation": "Praxis Keller",
        "expires_at": utcnow() + timedelta(days=90),
    }
    values.update(fields)
    return ConsentInput(**values)


def mother_consent_input(mother: Contact, **fields: Any) -> ConsentInput:
    """A consent to tell ``mother`` (a contact, named by the record) the admission status."""
    return consent_input(
        purpose=ConsentPurpose.FAMILY,
        recipient_contact_id=mother.id,
        recipient_name="",
        recipient_organisation="",
        scope=ConsentScope.ADMISSION_STATUS,
        **fields,
    )


def recorded_consent(*, to_mother: bool = False, **fields: Any) -> tuple[Person, int, Consent]:
    """A person, a staff member's id and the consent they recorded: to the referring doctor, or
    ``to_mother`` to the person's mother (a contact); ``fields`` override the input's."""
    person, mother = person_with_mother()
    user_id = UserFactory().id
    data = mother_consent_input(mother, **fields) if to_mother else consent_input(**fields)
    return person, user_id, consent_use_cases.record_consent(person, data, user_id)
