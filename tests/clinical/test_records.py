"""A clinician's review through the real pages: the queue, a decision that moves the episode,
an assessment drafted, signed (password again) and corrected by an addendum; every bad input a
clear message with nothing changed; a signed record guarded by the service, the database and
its content hash."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from intake.auth.permissions import Role
from intake.clinical.models import Addendum, ClinicalRecord, RecordVersion, ReviewDecisionRecord
from intake.crm.models import Episode
from intake.extensions import db
from intake.security.encryption import encrypt_text
from tests.clinical.helpers import assessment_data, episode_in_review, post_form
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags
from tests.factories import PASSWORD


@pytest.fixture
def clinician(client: FlaskClient, staff: dict[Role, int]) -> FlaskClient:
    assert AuthActions(client).login(ROLE_EMAILS[Role.CLINICIAN]).status_code == 302
    return client


def _text(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined]


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _record(app: Flask, record_id: int) -> ClinicalRecord:
    with app.app_context():
        found = db.session.get(ClinicalRecord, record_id)
        assert found is not None
        db.session.expunge(found)
        return found


def _new_assessment(client: FlaskClient, episode_id: int, **overrides: str) -> int:
    page = f"/staff/clinical/episodes/{episode_id}/assessments/new"
    response = post_form(client, page, page, **assessment_data(**overrides))
    assert response.status_code == 302, _text(response)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _sign(client: FlaskClient, record_id: int, secret: str = PASSWORD) -> object:
    page = f"/staff/clinical/records/{record_id}"
    return post_form(client, page, f"{page}/sign", secret=secret)


def test_the_queue_lists_episodes_in_review_by_priority_then_oldest(
    app: Flask, clinician: FlaskClient
) -> None:
    routine = episode_in_review(app, message="Please call me about a place", name="Ana Routine")
    urgent = episode_in_review(
        app, message="I take Xanax daily and drink every night", name="Ben Urgent"
    )
    page = clinician.get("/staff/clinical/review")
    body = _text(page)
    assert page.status_code == 200
    assert body.index("Ben Urgent") < body.index("Ana Routine")
    assert f'data-episode="{urgent}"' in body and f'data-episode="{routine}"' in body
    assert "Evidence" in body  # flags carry their evidence
    assert "Please call me about a place" in body  # the answers as given
    assert "No consent recorded" in body
    assert "clinical:queue:viewed" in audit_tags(app)


def test_decisions_move_the_episode_through_the_crm(app: Flask, clinician: FlaskClient) -> None:
    proceed = episode_in_review(app, message="help")
    page = f"/staff/clinical/review/{proceed}"
    response = post_form(clinician, page, f"{page}/decision", decision="proceed")
    assert response.status_code == 302
    refer = episode_in_review(app, message="help")
    page = f"/staff/clinical/review/{refer}"
    missing = post_form(clinician, page, f"{page}/decision", decision="refer")
    assert missing.status_code == 422 and "Say to whom" in _text(missing)
    post_form(clinician, page, f"{page}/decision", decision="refer", referred_to="Dr Weiss")
    unsuitable = episode_in_review(app, message="help")
    page = f"/staff/clinical/review/{unsuitable}"
    no_reason = post_form(clinician, page, f"{page}/decision", decision="not_suitable")
    assert no_reason.status_code == 422 and "Say why" in _text(no_reason)
    post_form(
        clinician, page, f"{page}/decision", decision="not_suitable", reason="needs acute psych"
    )
    with app.app_context():
        assert db.session.get(Episode, proceed).stage == "clinical_review"
        referred = db.session.get(Episode, refer)
        assert (referred.close_reason, referred.referred_to) == ("referred_elsewhere", "Dr Weiss")
        assert db.session.get(Episode, unsuitable).close_reason == "not_appropriate"
        reasons = db.session.scalars(select(ReviewDecisionRecord.reason)).all()
        assert "needs acute psych" in reasons
    assert audit_tags(app).count("crm:episode:closed") == 2


def test_an_assessment_is_drafted_suggested_signed_and_corrected(
    app: Flask, clinician: FlaskClient
) -> None:
    episode_id = episode_in_review(app, message="benzo taper please")
    record_id = _new_assessment(clinician, episode_id)
    page = _text(clinician.get(f"/staff/clinical/records/{record_id}"))
    assert "Medically monitored inpatient withdrawal management" in page
    assert "1. Intoxication and withdrawal (rated 4)" in page
    assert "Medical detox with a gradual taper" in page
    assert "not the ASAM Criteria" in page.replace("NOT", "not")

    wrong = _sign(clinician, record_id, "not my password")
    assert wrong.status_code == 403 and "not right" in _text(wrong)  # type: ignore[attr-defined]
    assert _record(app, record_id).signed_at is None
    assert "clinical:record:signature_failed" in audit_tags(app)

    assert _sign(clinician, record_id).status_code == 302  # type: ignore[attr-defined]
    signed = _record(app, record_id)
    assert signed.status == "signed" and len(signed.content_hash or "") == 64
    shown = _text(clinician.get(f"/staff/clinical/records/{record_id}"))
    assert "Content matches its signature" in shown

    again = _sign(clinician, record_id)
    assert again.status_code == 409 and "signed" in _text(again)  # type: ignore[attr-defined]

    page_url = f"/staff/clinical/records/{record_id}"
    added = post_form(
        clinician,
        page_url,
        f"{page_url}/addenda",
        reason="dose was misheard",
        body="Alprazolam 4 mg a day, not 6",
        secret=PASSWORD,
    )
    assert added.status_code == 302
    shown = _text(clinician.get(page_url))
    assert "dose was misheard" in shown and "Alprazolam 4 mg a day, not 6" in shown
    with app.app_context():
        versions = db.session.scalars(
            select(RecordVersion.number).where(RecordVersion.record_id == record_id)
        ).all()
        assert versions == [1, 2]  # the draft and the signed version, both kept


def test_a_crafted_post_cannot_edit_a_signed_record(app: Flask, clinician: FlaskClient) -> None:
    episode_id = episode_in_review(app, message="help")
    record_id = _new_assessment(clinician, episode_id)
    _sign(clinician, record_id)
    before = _record(app, record_id)
    page = f"/staff/clinical/records/{record_id}"
    response = post_form(clinician, page, page, **assessment_data(summary="rewritten"))
    assert response.status_code == 409
    assert "signed and cannot be changed" in _text(response)
    after = _record(app, record_id)
    assert after.content == before.content and after.revision == before.revision


def test_out_of_range_scores_are_refused_with_nothing_saved(
    app: Flask, clinician: FlaskClient
) -> None:
    episode_id = episode_in_review(app, message="help")
    page = f"/staff/clinical/episodes/{episode_id}/assessments/new"
    for bad in ({"phq9_3": "4"}, {"dim_biomedical": "5"}, {"audit_c_1": "-1"}, {"phq9_1": "x"}):
        response = post_form(clinician, page, page, **assessment_data(**bad))
        assert response.status_code == 400, bad
        assert "nothing was saved" in _text(response)
    assert _count(app, ClinicalRecord) == 0


def test_item_9_positive_prompts_the_safety_assessment_before_signing(
    app: Flask, clinician: FlaskClient
) -> None:
    episode_id = episode_in_review(app, message="help")
    record_id = _new_assessment(clinician, episode_id, phq9_9="2")
    page = _text(clinician.get(f"/staff/clinical/records/{record_id}"))
    assert 'id="safety-prompt"' in page
    refused = _sign(clinician, record_id)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert _record(app, record_id).signed_at is None


def test_an_addendum_to_a_missing_or_draft_note_is_refused(
    app: Flask, clinician: FlaskClient
) -> None:
    episode_id = episode_in_review(app, message="help")
    page = f"/staff/clinical/episodes/{episode_id}/notes/new"
    created = post_form(clinician, page, page, body="First impressions")
    note_id = int(created.headers["Location"].rsplit("/", 1)[1])
    note_page = f"/staff/clinical/records/{note_id}"
    draft = post_form(
        clinician, note_page, f"{note_page}/addenda", reason="r", body="b", secret=PASSWORD
    )
    assert draft.status_code == 409 and "addenda are for signed records" in _text(draft)
    missing = post_form(
        clinician,
        note_page,
        "/staff/clinical/records/99999/addenda",
        reason="r",
        body="b",
        secret=PASSWORD,
    )
    assert missing.status_code == 404
    assert _count(app, Addendum) == 0


def test_the_database_refuses_to_change_a_signed_record(app: Flask, clinician: FlaskClient) -> None:
    episode_id = episode_in_review(app, message="help")
    record_id = _new_assessment(clinician, episode_id)
    _sign(clinician, record_id)
    with app.app_context():
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.execute(
                text("UPDATE clinical_records SET status = 'draft' WHERE id = :id"),
                {"id": record_id},
            )
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.execute(
                text("DELETE FROM clinical_record_versions WHERE record_id = :id"),
                {"id": record_id},
            )


def test_content_changed_behind_the_app_shows_changed_since_signing(
    app: Flask, clinician: FlaskClient
) -> None:
    episode_id = episode_in_review(app, message="help")
    record_id = _new_assessment(clinician, episode_id)
    _sign(clinician, record_id)
    forged = _record(app, record_id).content | {"summary": "forged"}
    import json

    with app.app_context():
        # Someone with the key rewrites the ciphertext (the trigger lets re-encryption through).
        db.session.execute(
            text("UPDATE clinical_records SET content = :c WHERE id = :id"),
            {"c": encrypt_text(json.dumps(forged)), "id": record_id},
        )
        db.session.commit()
    page = _text(clinician.get(f"/staff/clinical/records/{record_id}"))
    assert 'id="hash-warning"' in page and "changed since it was signed" in page
    assert "clinical:record:hash_mismatch" in audit_tags(app)


def test_every_draft_version_is_kept_and_shown(app: Flask, clinician: FlaskClient) -> None:
    episode_id = episode_in_review(app, message="help")
    page = f"/staff/clinical/episodes/{episode_id}/notes/new"
    created = post_form(clinician, page, page, body="Version one words")
    note_page = created.headers["Location"]
    assert post_form(clinician, note_page, note_page, body="Version two words").status_code == 302
    shown = _text(clinician.get(note_page))
    assert "Version two words" in shown and "version 2" in shown
    first = _text(clinician.get(f"{note_page}/versions/1"))
    assert "Version one words" in first and 'id="hash-warning"' not in first
    assert clinician.get(f"{note_page}/versions/9").status_code == 404


def test_a_current_totp_code_signs_once(app: Flask, clinician: FlaskClient, staff: dict) -> None:
    import pyotp

    from intake.auth.models import User
    from intake.core.types import utcnow

    secret = pyotp.random_base32()
    with app.app_context():
        user = db.session.get(User, staff[Role.CLINICIAN])
        user.totp_secret = secret
        user.totp_enabled_at = utcnow()
        db.session.commit()
    episode_id = episode_in_review(app, message="help")
    page = f"/staff/clinical/episodes/{episode_id}/notes/new"
    first = int(post_form(clinician, page, page, body="a").headers["Location"].rsplit("/", 1)[1])
    second = int(post_form(clinician, page, page, body="b").headers["Location"].rsplit("/", 1)[1])
    code = pyotp.TOTP(secret).now()
    assert _sign(clinician, first, code).status_code == 302  # type: ignore[attr-defined]
    assert _record(app, first).sign_method == "totp"
    replay = _sign(clinician, second, code)  # the same code again: spent
    assert replay.status_code == 403  # type: ignore[attr-defined]
    assert _record(app, second).signed_at is None
