"""The consent and disclosure rules: every § 2.31 element, end after start, explicit consent;
a disclosure needs a live consent covering it (not expired, not revoked, wide enough) or a
§ 2.51 emergency with its details; a refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from intake.clinical import consent_use_cases, consents
from intake.clinical.consent_models import Consent, Disclosure
from intake.clinical.consents import CONSENT_TEXT_VERSION, ConsentRefusalError
from intake.clinical.disclosures import (
    DisclosureInput,
    DisclosureRefusedError,
    accounting,
    accounting_csv,
    safe_cell,
)
from intake.core.types import utcnow
from intake.extensions import db
from intake.vocabulary import (
    ConsentEnd,
    ConsentPurpose,
    ConsentScope,
    ConsentState,
    DisclosureChannel,
    RequestChannel,
)
from tests.conftest import audit_tags
from tests.consent.helpers import (
    consent_input,
    mother_consent_input,
    person_with_mother,
    recorded_consent,
)
from tests.factories import UserFactory


def _count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_complete_consent_is_recorded_with_its_text_version_and_hash(app: Flask) -> None:
    with app.test_request_context():
        person, _mother = person_with_mother()
        clinician = UserFactory()
        consent = consent_use_cases.record_consent(person, consent_input(), clinician.id)
        stored = db.session.get(Consent, consent.id)
        assert stored.state() == ConsentState.LIVE
        assert stored.text_version == CONSENT_TEXT_VERSION
        assert "Dr Anna Keller (Praxis Keller)" in stored.text_shown
        assert "Lena Vogel" in stored.text_shown and "revoke" in stored.text_shown
        assert len(stored.text_sha256) == 64 and stored.recorded_by_id == clinician.id
        assert stored.explicit is True
        assert "clinical:consent:recorded" in audit_tags(app)


def test_the_consent_is_encrypted_at_rest(app: Flask) -> None:
    with app.test_request_context():
        person, _mother = person_with_mother()
        consent = consent_use_cases.record_consent(person, consent_input(), UserFactory().id)
        raw = db.session.execute(
            db.text("SELECT recipient_name, information FROM consents WHERE id = :id"),
            {"id": consent.id},
        ).one()
        assert "Keller" not in raw[0] and "Intake summary" not in raw[1]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"information": "  "}, "missing_information"),
        ({"recipient_name": "", "recipient_organisation": ""}, "missing_recipient_name"),
        ({"purpose_text": ""}, "missing_purpose_text"),
        ({"revocation_text": ""}, "missing_revocation_text"),
        ({"signed_name": ""}, "missing_signed_name"),
        ({"disclosing_party": ""}, "missing_disclosing_party"),
        ({"expires_at": None, "expiry_event": ""}, "missing_expiry"),
        ({"explicit": False}, "not_explicit"),
        ({"purpose": "gossip"}, "bad_purpose"),
        ({"scope": "everything"}, "bad_scope"),
        ({"purpose": ConsentPurpose.FAMILY}, "family_needs_contact"),
        ({"signed_at": utcnow() + timedelta(days=2)}, "signed_in_future"),
    ],
)
def test_a_consent_missing_an_element_is_refused_and_nothing_is_stored(
    app: Flask, fields: dict, code: str
) -> None:
    with app.test_request_context():
        person, _mother = person_with_mother()
        user_id = UserFactory().id
        db.session.commit()
        with pytest.raises(ConsentRefusalError) as refused:
            consent_use_cases.record_consent(person, consent_input(**fields), user_id)
        assert refused.value.code == code
        assert _count(Consent) == 0


def test_a_consent_that_ends_before_it_starts_is_refused(app: Flask) -> None:
    with app.test_request_context():
        person, _mother = person_with_mother()
        start = utcnow() + timedelta(days=10)
        with pytest.raises(ConsentRefusalError) as refused:
            consents.record_consent(
                person,
                consent_input(starts_at=start, expires_at=start - timedelta(days=1)),
                UserFactory().id,
            )
        assert refused.value.code == "ends_before_start"
        assert refused.value.field == "expires_at"


def test_an_expiry_event_alone_is_enough_and_ends_when_the_event_happens(app: Flask) -> None:
    with app.test_request_context():
        _person, user_id, consent = recorded_consent(
            to_mother=True, expires_at=None, expiry_event="discharge"
        )
        assert consent.recipient_name == "Ruth Vogel" and consent.is_live()
        consent_use_cases.end_consent(consent, ConsentEnd.EVENT_OCCURRED, user_id, None, None)
        assert consent.state() == ConsentState.ENDED
        assert "clinical:consent:ended" in audit_tags(app)


def test_a_revoked_consent_is_kept_and_cannot_be_revoked_twice(app: Flask) -> None:
    with app.test_request_context():
        person, user_id, consent = recorded_consent()
        consent_use_cases.end_consent(
            consent, ConsentEnd.REVOKED, user_id, RequestChannel.PHONE, "called in"
        )
        assert consent.state() == ConsentState.REVOKED
        assert consent.end_channel == RequestChannel.PHONE
        with pytest.raises(ConsentRefusalError):
            consent_use_cases.end_consent(consent, ConsentEnd.REVOKED, user_id, None, None)
        assert _count(Consent) == 1
        assert consents.live_consents(person.id) == []


# Disclosures ------------------------------------------------------------------------------


def _disclose(person, consent_id, actor_id, **fields):  # type: ignore[no-untyped-def]
    data = {
        "scope": ConsentScope.CLINICAL_SUMMARY,
        "channel": DisclosureChannel.EMAIL,
        "information": "Intake summary, 1 page",
        "consent_id": consent_id,
        **fields,
    }
    return consent_use_cases.record_disclosure(person, DisclosureInput(**data), actor_id)


def _disclosure_refusal(person, consent_id, actor_id, **fields) -> str:  # type: ignore[no-untyped-def]
    """The code of the refusal a disclosure meets (the test fails if it is recorded)."""
    with pytest.raises(DisclosureRefusedError) as refused:
        _disclose(person, consent_id, actor_id, **fields)
    return refused.value.code


def test_a_disclosure_under_a_recorded_consent_takes_its_recipient_and_purpose(app: Flask) -> None:
    with app.test_request_context():
        person, user_id, consent = recorded_consent()
        disclosure = _disclose(person, consent.id, user_id)
        assert disclosure.recipient_name == "Dr Anna Keller"
        assert disclosure.purpose == ConsentPurpose.REFERRING_DOCTOR
        assert disclosure.notice_included is True
        assert [row.id for row in accounting(person.id)] == [disclosure.id]
        assert "clinical:disclosure:recorded" in audit_tags(app)


def test_a_disclosure_without_consent_is_refused_and_audited(app: Flask) -> None:
    with app.test_request_context():
        person, _mother = person_with_mother()
        user_id = UserFactory().id
        db.session.commit()
        assert _disclosure_refusal(person, None, user_id) == "no_consent"
        assert _count(Disclosure) == 0
        assert audit_tags(app)[-1] == "clinical:disclosure:refused"


def test_an_expired_consent_covers_nothing(app: Flask) -> None:
    with app.test_request_context():
        person, user_id, consent = recorded_consent(
            starts_at=utcnow() - timedelta(days=30), expires_at=utcnow() - timedelta(days=1)
        )
        assert consent.state() == ConsentState.EXPIRED
        assert _disclosure_refusal(person, consent.id, user_id) == "consent_expired"
        assert _count(Disclosure) == 0


def test_a_revoked_consent_covers_nothing_from_the_moment_it_is_revoked(app: Flask) -> None:
    with app.test_request_context():
        person, user_id, consent = recorded_consent()
        _disclose(person, consent.id, user_id)
        consent_use_cases.end_consent(consent, ConsentEnd.REVOKED, user_id, None, None)
        assert _disclosure_refusal(person, consent.id, user_id) == "consent_revoked"
        assert _count(Disclosure) == 1


def test_a_consent_covers_no_more_than_its_scope_nor_another_person(app: Flask) -> None:
    with app.test_request_context():
        person, mother = person_with_mother()
        other, _other_mother = person_with_mother()
        user_id = UserFactory().id
        narrow = consent_use_cases.record_consent(person, mother_consent_input(mother), user_id)
        assert _disclosure_refusal(person, narrow.id, user_id) == "beyond_consent"
        assert (
            _disclosure_refusal(other, narrow.id, user_id, scope=ConsentScope.ADMISSION_STATUS)
            == "unknown_consent"
        )
        assert _disclose(person, narrow.id, user_id, scope=ConsentScope.ACKNOWLEDGE).id


def test_an_emergency_disclosure_records_what_section_2_51_requires(app: Flask) -> None:
    with app.test_request_context():
        person, _mother = person_with_mother()
        user_id = UserFactory().id
        db.session.commit()
        assert (
            _disclosure_refusal(person, None, user_id, emergency=True, recipient_name="Dr Roth")
            == "missing_recipient_facility"
        )
        with pytest.raises(DisclosureRefusedError) as no_nature:
            _disclose(
                person,
                None,
                user_id,
                emergency=True,
                recipient_name="Dr Roth",
                recipient_facility="Kantonsspital ED",
            )
        assert no_nature.value.code == "missing_emergency_nature"
        assert _count(Disclosure) == 0
        disclosure = _disclose(
            person,
            None,
            user_id,
            emergency=True,
            recipient_name="Dr Roth",
            recipient_facility="Kantonsspital ED",
            emergency_nature="Unresponsive after benzodiazepine overdose",
        )
        assert disclosure.emergency and disclosure.consent_id is None
        assert disclosure.disclosed_by_id == user_id and disclosure.disclosed_at is not None


def test_the_accounting_covers_three_years_and_its_csv_defuses_formulas(app: Flask) -> None:
    with app.test_request_context():
        person, _mother = person_with_mother()
        user = UserFactory(display_name="=HYPERLINK(1)")
        consent = consent_use_cases.record_consent(
            person, consent_input(recipient_name="@SUM(A1)"), user.id
        )
        recent = _disclose(person, consent.id, user.id, information="-2+3 cmd")
        old = Disclosure(
            person_id=person.id,
            consent_id=consent.id,
            scope=ConsentScope.ACKNOWLEDGE,
            channel=DisclosureChannel.PHONE,
            recipient_name="x",
            information="long ago",
            disclosed_by_id=user.id,
            disclosed_at=utcnow() - timedelta(days=4 * 365),
        )
        db.session.add(old)
        db.session.flush()
        rows = accounting(person.id)
        assert [row.id for row in rows] == [recent.id]
        text = accounting_csv(rows, {user.id: user.display_name})
        assert "'@SUM(A1)" in text and "'-2+3 cmd" in text and "'=HYPERLINK(1)" in text
        assert safe_cell("plain") == "plain" and safe_cell("\t=1") == "'\t=1"


def test_consents_and_disclosures_cannot_be_deleted_on_postgresql(app: Flask) -> None:
    from sqlalchemy.exc import DBAPIError

    with app.test_request_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the trigger exists on PostgreSQL only")
        person, user_id, consent = recorded_consent()
        disclosure = _disclose(person, consent.id, user_id)
        for statement, target in (
            ("DELETE FROM consents WHERE id = :id", consent.id),
            ("UPDATE disclosures SET information = 'x' WHERE id = :id", disclosure.id),
        ):
            savepoint = db.session.begin_nested()
            with pytest.raises(DBAPIError, match="kept, never deleted"):
                db.session.execute(db.text(statement), {"id": target})
            savepoint.rollback()
