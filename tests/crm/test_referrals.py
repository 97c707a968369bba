"""Sources and referrers: where each inquiry came from (the web form's landing page and campaign,
each API source), named referring organisations and professionals (a professional's details
encrypted), an episode's referrer, the referrer page with what each sent and how many were
admitted, and outbound referrals recorded as referrer rows."""

from __future__ import annotations

import html
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from intake.auth.permissions import Role
from intake.crm import episodes
from intake.crm.models import Episode, EpisodeInquiry, OutboundReferral, ReferralSource, Referrer
from intake.extensions import db
from intake.public.campaign import read_campaign
from intake.public.models import Inquiry
from intake.vocabulary import Stage
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags, csrf_from, submit_inquiry_form
from tests.crm.test_pages import _filed
from tests.public.test_api import API, new_key


def _login(client: FlaskClient, role: Role = Role.ADMISSIONS) -> None:
    assert AuthActions(client).login(ROLE_EMAILS[role]).status_code == 302


def _text(response: object) -> str:
    # Read as a person does: "organisation's", not "organisation&#39;s".
    return html.unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


def _post(client: FlaskClient, page: str, action: str, **data: object) -> object:
    return client.post(action, data={"csrf_token": csrf_from(client.get(page)), **data})


def _source_of(app: Flask, reference: str) -> ReferralSource | None:
    with app.app_context():
        return db.session.scalar(
            select(ReferralSource)
            .join(Inquiry, Inquiry.id == ReferralSource.inquiry_id)
            .where(Inquiry.reference == reference)
        )


def _latest_reference(app: Flask) -> str:
    with app.app_context():
        return str(
            db.session.scalar(select(Inquiry.reference).order_by(Inquiry.id.desc()).limit(1))
        )


def test_the_form_keeps_the_landing_page_and_campaign_as_hidden_fields(
    app: Flask, client: FlaskClient
) -> None:
    page = _text(
        client.get("/es/?utm_source=newsletter&utm_campaign=spring%202027&utm_medium=email")
    )
    assert 'name="utm_source" value="newsletter"' in page
    assert 'name="utm_campaign" value="spring 2027"' in page
    assert 'name="landing_page" value="/es/"' in page
    sent = submit_inquiry_form(
        client,
        lang="es",
        message="Necesito ayuda",
        email="c@example.net",
        utm_source="newsletter",
        utm_campaign="spring 2027",
        landing_page="/es/",
    )
    assert sent.status_code == 302
    source = _source_of(app, _latest_reference(app))
    assert source is not None
    assert (source.channel, source.landing_page) == ("web", "/es/")
    assert (source.utm_source, source.utm_campaign, source.utm_medium) == (
        "newsletter",
        "spring 2027",
        None,
    )


def test_odd_campaign_values_are_left_out_and_the_inquiry_is_still_kept(
    app: Flask, client: FlaskClient
) -> None:
    sent = submit_inquiry_form(
        client,
        message="I need help",
        email="d@example.net",
        utm_source="x" * 101,
        utm_medium="line\nbreak",
        utm_campaign="' OR 1=1; --",
        utm_term=["a", "b"],
        landing_page="//evil.example/phish",
    )
    assert sent.status_code == 302
    source = _source_of(app, _latest_reference(app))
    assert source is not None and source.channel == "web"
    assert source.utm_source is None and source.utm_medium is None
    assert source.utm_campaign == "' OR 1=1; --"  # stored as given: it is a bound parameter
    assert source.landing_page is None
    assert read_campaign({"landing_page": "https://evil.example/"}) == {}
    assert read_campaign({"landing_page": "/en/?utm_source=x#top"}) == {"landing_page": "/en/"}
    assert read_campaign({"landing_page": "/" + "a" * 300}) == {}


def test_an_api_inquiry_records_its_source(app: Flask, client: FlaskClient) -> None:
    _key_id, key = new_key(app, source="partner-site")
    answer = client.post(
        API,
        data=json.dumps({"message": "I need help", "email": "e@example.org", "consent": True}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code in (200, 201)
    source = _source_of(app, answer.get_json()["reference"])
    assert source is not None
    assert (source.channel, source.api_source, source.landing_page) == ("api", "partner-site", None)


def test_staff_add_and_edit_referrers_and_a_professional_is_encrypted(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _login(client)
    new = "/staff/crm/referrers/new"
    # Refusals first: each a message on the form, nothing stored.
    refused = _post(client, new, new, kind="organisation", organisation="   ")
    assert refused.status_code == 422 and "Give the organisation's name." in _text(refused)
    refused = _post(client, new, new, kind="professional", organisation="Hospital del Mar")
    assert refused.status_code == 422 and "Give the professional's name." in _text(refused)
    assert _post(client, new, new, kind="nobody").status_code == 400
    long_name = _post(client, new, new, kind="organisation", organisation="x" * 201)
    assert long_name.status_code == 400
    saved = _post(
        client,
        new,
        new,
        kind="professional",
        organisation="Hospital del Mar",
        professional_name="Dr Marta Vidal",
        contact="+34 600 999 888",
    )
    assert saved.status_code == 302
    with app.app_context():
        referrer = db.session.scalar(select(Referrer))
        assert referrer is not None and referrer.professional_name == "Dr Marta Vidal"
        raw = db.session.execute(
            text("SELECT professional_name, contact FROM referrers WHERE id = :id"),
            {"id": referrer.id},
        ).one()
        assert "Marta" not in str(raw[0]) and "999" not in str(raw[1])
        referrer_id = referrer.id
    page = _text(client.get(f"/staff/crm/referrers/{referrer_id}"))
    assert "Dr Marta Vidal, Hospital del Mar" in page
    edit = f"/staff/crm/referrers/{referrer_id}/edit"
    assert (
        _post(client, edit, edit, kind="organisation", organisation="Hospital del Mar").status_code
        == 302
    )
    with app.app_context():
        changed = db.session.get(Referrer, referrer_id)
        assert changed is not None and changed.professional_name is None
    tags = audit_tags(app)
    assert {"crm:referrer:added", "crm:referrer:changed", "crm:referrer:viewed"} <= set(tags)


def test_a_clinician_sees_referrers_but_does_not_add_them(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _login(client, Role.CLINICIAN)
    assert client.get("/staff/crm/referrers").status_code == 200
    assert "Add a referrer" not in _text(client.get("/staff/crm/referrers"))
    assert client.get("/staff/crm/referrers/new").status_code == 403


def _referrer(app: Flask, name: str) -> int:
    with app.app_context():
        referrer = Referrer(kind="organisation", organisation=name)
        db.session.add(referrer)
        db.session.commit()
        return referrer.id


def _admit(app: Flask, episode_id: int) -> None:
    """Walk an episode to admitted through the services (the pages are tested elsewhere)."""
    with app.app_context():
        episode = db.session.get(Episode, episode_id)
        assert episode is not None
        for stage in (
            Stage.CONTACTED,
            Stage.PRE_ASSESSMENT,
            Stage.CLINICAL_REVIEW,
            Stage.OFFER,
            Stage.ADMITTED,
        ):
            episodes.move_episode(episode, stage, None, cause=episodes.CAUSE_CONTACT)
        db.session.commit()


def test_an_episodes_referrer_and_the_referrer_page_counts_what_it_sent_and_admitted(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    gp = _referrer(app, "Centro de Salud Norte")
    _a, first, _p, first_ref = _filed(app, name="Ana", email="ana@example.net")
    _b, second, _q, second_ref = _filed(app, name="Luis", email="luis@example.net")
    _login(client)
    for episode_id in (first, second):
        page_url = f"/staff/crm/episodes/{episode_id}"
        saved = _post(
            client,
            page_url,
            page_url + "/source",
            **{"source-channel": "phone", "source-referrer_id": gp},
        )
        assert saved.status_code == 302
    page = _text(client.get(f"/staff/crm/episodes/{first}"))
    assert "Source saved." in page and "Centro de Salud Norte" in page and "Phone call" in page
    _admit(app, first)
    listing = _text(client.get("/staff/crm/referrers"))
    row = listing.split(f'data-referrer="{gp}"')[1].split("</tr>")[0]
    assert '<td class="sent-count">2</td>' in row and '<td class="admitted-count">1</td>' in row
    detail = _text(client.get(f"/staff/crm/referrers/{gp}"))
    assert first_ref in detail and second_ref in detail
    assert '<span id="admitted-count">1</span>' in detail
    # Bad input: an unknown referrer or channel is a message, never a 500.
    page_url = f"/staff/crm/episodes/{second}"
    junk = _post(
        client,
        page_url,
        page_url + "/source",
        **{"source-channel": "fax", "source-referrer_id": "99999"},
    )
    assert junk.status_code == 302
    assert "Choose how they reached us and the referrer" in _text(client.get(page_url))
    assert "crm:episode:source_set" in audit_tags(app)


def test_referred_elsewhere_records_the_outbound_referral_as_a_referrer_row(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    known = _referrer(app, "Fundació Sol")
    _a, first, _p, first_ref = _filed(app, name="Ana", email="ana@example.net")
    _b, second, _q, _r = _filed(app, name="Luis", email="luis@example.net")
    _login(client)
    page_url = f"/staff/crm/episodes/{first}"
    closed = _post(
        client, page_url, page_url + "/close", reason="referred_elsewhere", referred_to_id=known
    )
    assert closed.status_code == 302
    assert "Fundació Sol" in _text(client.get(page_url))
    page_url = f"/staff/crm/episodes/{second}"
    closed = _post(
        client,
        page_url,
        page_url + "/close",
        reason="referred_elsewhere",
        referred_to="Casa Nova Centre",
    )
    assert closed.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(OutboundReferral).order_by(OutboundReferral.id)).all()
        assert [row.referrer.display_name for row in rows] == ["Fundació Sol", "Casa Nova Centre"]
        assert db.session.scalar(select(func.count()).select_from(Referrer)) == 2
    listing = _text(client.get("/staff/crm/referrers"))
    outbound = listing.split('id="outbound"')[1]
    assert first_ref in outbound and "Casa Nova Centre" in outbound
    row = listing.split(f'data-referrer="{known}"')[1].split("</tr>")[0]
    assert '<td class="referred-to">1</td>' in row


def test_the_episode_page_shows_where_its_inquiries_came_from(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    submit_inquiry_form(
        client,
        message="I need help",
        email="f@example.net",
        utm_source="search",
        landing_page="/en/",
    )
    with app.app_context():
        episode_id = db.session.scalar(
            select(EpisodeInquiry.episode_id).order_by(EpisodeInquiry.inquiry_id.desc()).limit(1)
        )
    _login(client)
    page = _text(client.get(f"/staff/crm/episodes/{episode_id}"))
    source = page.split('id="episode-source"')[1].split("</dl>")[0]
    assert "Web form" in source and "/en/" in source and "utm_source=search" in source


@pytest.mark.parametrize("value", ["", "0"])
def test_clearing_the_referrer_is_allowed(
    app: Flask, client: FlaskClient, staff: dict, value: str
) -> None:
    gp = _referrer(app, "Centro Norte")
    _a, episode_id, _p, _r = _filed(app, name="Ana", email="ana@example.net")
    _login(client)
    page_url = f"/staff/crm/episodes/{episode_id}"
    _post(
        client, page_url, page_url + "/source", **{"source-channel": "", "source-referrer_id": gp}
    )
    assert "Centro Norte</a>" in _text(client.get(page_url))
    assert (
        _post(client, page_url, page_url + "/source", channel="", referrer_id=value).status_code
        == 302
    )
    assert "nobody recorded" in _text(client.get(page_url))


# Deactivating a referrer -----------------------------------------------------------------


def _deactivate(client: FlaskClient, referrer_id: int, active: str = "0") -> object:
    page = f"/staff/crm/referrers/{referrer_id}"
    return _post(client, page, page + "/active", active=active)


def test_an_admin_deactivates_a_referrer_it_leaves_the_pick_lists_and_keeps_its_history(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    gp = _referrer(app, "Centro de Salud Norte")
    _referrer(app, "Fundació Sol")
    _a, sent, _p, sent_ref = _filed(app, name="Ana", email="ana@example.net")
    _b, other, _q, _r = _filed(app, name="Luis", email="luis@example.net")
    _login(client, Role.ADMIN)
    sent_url = f"/staff/crm/episodes/{sent}"
    _post(client, sent_url, sent_url + "/source", **{"source-referrer_id": gp})
    _admit(app, sent)

    done = _deactivate(client, gp)
    assert done.status_code == 302
    page = _text(client.get(f"/staff/crm/referrers/{gp}"))
    assert "Referrer deactivated" in page and "This referrer is inactive" in page
    # Its page keeps what it sent and how many were admitted.
    assert sent_ref in page and '<span id="admitted-count">1</span>' in page
    # Off the pick lists of another episode (source and "referred elsewhere")...
    other_page = _text(client.get(f"/staff/crm/episodes/{other}"))
    assert "Centro de Salud Norte" not in other_page and "Fundació Sol" in other_page
    other_url = f"/staff/crm/episodes/{other}"
    _post(client, other_url, other_url + "/source", **{"source-referrer_id": gp})
    assert "Centro de Salud Norte" not in _text(client.get(other_url))
    # ...but the episode it sent still names it, and saving that form keeps it.
    sent_page = _text(client.get(sent_url))
    assert "Centro de Salud Norte (inactive)" in sent_page
    saved = _post(
        client,
        sent_url,
        sent_url + "/source",
        **{"source-channel": "phone", "source-referrer_id": gp},
    )
    assert saved.status_code == 302 and "Source saved." in _text(client.get(sent_url))
    # The list shows it apart, with its counts.
    listing = _text(client.get("/staff/crm/referrers"))
    active_part, inactive_part = listing.split('id="inactive-referrers"')
    assert "Centro de Salud Norte" not in active_part.split('id="referrers"')[1]
    row = inactive_part.split(f'data-referrer="{gp}"')[1].split("</tr>")[0]
    assert '<td class="sent-count">1</td>' in row and '<td class="admitted-count">1</td>' in row

    assert _deactivate(client, gp, active="1").status_code == 302
    page = _text(client.get(f"/staff/crm/referrers/{gp}"))
    assert "Referrer reactivated" in page and "This referrer is inactive" not in page
    assert "Centro de Salud Norte" in _text(client.get(other_url))
    tags = audit_tags(app)
    assert tags.count("crm:referrer:deactivated") == 1
    assert tags.count("crm:referrer:reactivated") == 1
    with app.app_context():
        assert db.session.get(Referrer, gp) is not None  # never deleted


def test_only_an_admin_may_deactivate_a_referrer(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    gp = _referrer(app, "Centro Norte")
    _login(client, Role.ADMISSIONS)
    assert "Deactivate" not in _text(client.get(f"/staff/crm/referrers/{gp}"))
    assert _deactivate(client, gp).status_code == 403
    with app.app_context():
        referrer = db.session.get(Referrer, gp)
        assert referrer is not None and referrer.active
