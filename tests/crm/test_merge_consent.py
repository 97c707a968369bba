"""A merge carries the person's consents, disclosures and opt-out to the surviving record, and an
undone merge gives each person back exactly their own.

The stricter opt-out wins: if either person asked us to stop messages, the merged person is opted
out (and the merged-away record too, for anything queued to it before the merge).
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.auth.permissions import Role
from intake.clinical import consent_use_cases
from intake.clinical.consent_models import Consent
from intake.crm import use_cases
from intake.crm.models import Episode, EpisodeInquiry, Person
from intake.extensions import db
from intake.messaging import use_cases as messaging_use_cases
from intake.messaging.compose import new_unsubscribe_link, opted_out
from intake.public.models import Inquiry
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags
from tests.consent.helpers import mother_consent_input, person_with_mother
from tests.factories import PersonFactory, accepted_inquiry

OPTED_OUT_WARNING = "This person asked us to stop sending them messages"


def _login(client: FlaskClient, role: Role = Role.ADMISSIONS) -> None:
    assert AuthActions(client).login(ROLE_EMAILS[role]).status_code == 302


def _people_with_a_consent(app: Flask, staff: dict) -> tuple[int, int, int]:
    """Lena (with her mother as a contact and a live consent to tell her mother the admission
    status) and a second record of hers without any consent. Returns (Lena, other, consent)."""
    with app.test_request_context():
        person, mother = person_with_mother()
        other = PersonFactory(name="Lena Vogl")
        consent = consent_use_cases.record_consent(
            person, mother_consent_input(mother), staff[Role.CLINICIAN]
        )
        db.session.commit()
        return person.id, other.id, consent.id


def test_a_merged_persons_consents_apply_to_the_surviving_record_and_go_back_on_undo(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    lena, other, consent_id = _people_with_a_consent(app, staff)
    _login(client)
    before = client.get(f"/staff/crm/people/{other}").get_data(as_text=True)
    assert "No live consent: tell no one anything" in before

    with app.test_request_context():
        merge = use_cases.merge_people(lena, other, staff[Role.ADMISSIONS])
        assert merge.moved["consents"] == [consent_id]
        merge_id = merge.id
    survivor = client.get(f"/staff/crm/people/{other}").get_data(as_text=True)
    assert "Ruth Vogel" in survivor and "Admission status" in survivor
    assert "No live consent" not in survivor
    ledger = client.get(f"/staff/people/{other}/consents")
    assert ledger.status_code == 200 and "Ruth Vogel" in ledger.get_data(as_text=True)

    with app.test_request_context():
        use_cases.undo_merge(merge_id, staff[Role.ADMISSIONS])
        assert db.session.get(Consent, consent_id).person_id == lena
    after = client.get(f"/staff/crm/people/{other}").get_data(as_text=True)
    assert "No live consent: tell no one anything" in after
    back = client.get(f"/staff/crm/people/{lena}").get_data(as_text=True)
    assert "Ruth Vogel" in back and "Admission status" in back


def _episode_id(inquiry_id: int) -> int:
    return int(
        db.session.scalars(
            select(Episode.id)
            .join(EpisodeInquiry, EpisodeInquiry.episode_id == Episode.id)
            .where(EpisodeInquiry.inquiry_id == inquiry_id)
        ).one()
    )


def _two_records(app: Flask) -> tuple[int, int, int, int]:
    """Two records of one person, each with an episode: (first, second, their episodes)."""
    with app.app_context():
        first = accepted_inquiry(email="kim@example.net", name="Kim Berg")
        second = accepted_inquiry(email="kim@example.net", name="Kim Bergh", message="again")
        people = [
            db.session.get(Inquiry, first).person_id,
            db.session.get(Inquiry, second).person_id,
        ]
        assert people[0] != people[1]
        return people[0], people[1], _episode_id(first), _episode_id(second)


def _opt_out(app: Flask, person_id: int) -> None:
    """The person uses the unsubscribe link of a message we sent them."""
    with app.test_request_context():
        _url, token = new_unsubscribe_link(person_id, "en")
        db.session.add(token)
        db.session.commit()
        messaging_use_cases.opt_out(token)


def _is_opted_out(app: Flask, person_id: int) -> bool:
    with app.app_context():
        return opted_out(person_id)


def test_the_merged_persons_opt_out_wins_and_the_undo_restores_both(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    keep, source, keep_episode, _source_episode = _two_records(app)
    _opt_out(app, source)
    _login(client)
    page = client.get(f"/staff/crm/episodes/{keep_episode}").get_data(as_text=True)
    assert OPTED_OUT_WARNING not in page

    with app.test_request_context():
        merge_id = use_cases.merge_people(source, keep, staff[Role.ADMISSIONS]).id
    page = client.get(f"/staff/crm/episodes/{keep_episode}").get_data(as_text=True)
    assert OPTED_OUT_WARNING in page
    assert _is_opted_out(app, keep) and _is_opted_out(app, source)

    with app.test_request_context():
        use_cases.undo_merge(merge_id, staff[Role.ADMISSIONS])
    page = client.get(f"/staff/crm/episodes/{keep_episode}").get_data(as_text=True)
    assert OPTED_OUT_WARNING not in page
    assert not _is_opted_out(app, keep)
    assert _is_opted_out(app, source)  # their own choice stays theirs


def test_a_surviving_record_that_opted_out_stays_opted_out_and_the_undo_frees_the_other(
    app: Flask, staff: dict
) -> None:
    keep, source, _keep_episode, _source_episode = _two_records(app)
    _opt_out(app, keep)
    with app.test_request_context():
        merge_id = use_cases.merge_people(source, keep, staff[Role.ADMISSIONS]).id
    # Anything queued to the merged-away record before the merge is stopped as well.
    assert _is_opted_out(app, keep) and _is_opted_out(app, source)
    with app.test_request_context():
        use_cases.undo_merge(merge_id, staff[Role.ADMISSIONS])
    assert _is_opted_out(app, keep)
    assert not _is_opted_out(app, source)


def test_nobody_opted_out_means_nobody_is_after_a_merge(app: Flask, staff: dict) -> None:
    keep, source, _keep_episode, _source_episode = _two_records(app)
    with app.test_request_context():
        merge = use_cases.merge_people(source, keep, staff[Role.ADMISSIONS])
        assert set(merge.moved) == {"episodes", "inquiries", "contacts"}
    assert not _is_opted_out(app, keep) and not _is_opted_out(app, source)
    assert audit_tags(app).count("crm:person:merged") == 1
    with app.app_context():
        assert db.session.get(Person, source).merged_into_id == keep
