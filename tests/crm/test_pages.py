"""The admissions worker's pages as each role sees them: the pipeline, an episode, a person, my
day, search and the staff home; every action through the real forms (CSRF included), every
refusal a clear message, every page that shows a person audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.crm.models import Episode, EpisodeInquiry, Person, PersonMerge, Task
from intake.extensions import db
from intake.public.models import Inquiry
from intake.triage.models import TriageCase
from tests.conftest import ROLE_EMAILS, AuthActions, audit_tags, csrf_from
from tests.factories import AlertFactory, accepted_inquiry


def _filed(app: Flask, **fields: object) -> tuple[int, int, int, str]:
    """An inquiry filed through the real use case: (inquiry id, episode id, person id, ref)."""
    with app.app_context():
        inquiry_id = accepted_inquiry(**fields)
        inquiry = db.session.get(Inquiry, inquiry_id)
        episode_id = db.session.scalar(
            select(EpisodeInquiry.episode_id).where(EpisodeInquiry.inquiry_id == inquiry_id)
        )
        return inquiry_id, episode_id, inquiry.person_id, inquiry.reference


def _login(client: FlaskClient, role: Role = Role.ADMISSIONS) -> None:
    assert AuthActions(client).login(ROLE_EMAILS[role]).status_code == 302


def _post(client: FlaskClient, page: str, action: str, **data: object) -> object:
    token = csrf_from(client.get(page))
    return client.post(action, data={"csrf_token": token, **data})


def _text(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_the_pipeline_board_episode_person_search_and_my_day(
    app: Flask, client: FlaskClient, staff: dict, role: Role
) -> None:
    _inq, episode_id, person_id, reference = _filed(app, name="Ana Ruiz", email="ana@example.net")
    _login(client, role)
    listing = client.get("/staff/crm/pipeline")
    assert listing.status_code == 200
    assert reference in _text(listing) and "Ana Ruiz" in _text(listing)
    assert client.get("/staff/crm/board").status_code == 200
    page = client.get(f"/staff/crm/episodes/{episode_id}")
    assert page.status_code == 200 and "Ana Ruiz" in _text(page)
    person = client.get(f"/staff/crm/people/{person_id}")
    assert person.status_code == 200 and "ana@example.net" in _text(person)
    assert client.get("/staff/crm/my-day").status_code == 200
    assert client.get("/staff/crm/search?q=" + reference).status_code == 200
    tags = audit_tags(app)
    assert "crm:episode:list_viewed" in tags
    assert tags.count("crm:person:viewed") >= 2
    assert "crm:person:searched" in tags


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask, client: FlaskClient) -> None:
    for path in ("/staff/crm/pipeline", "/staff/crm/board", "/staff/crm/my-day"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/login")


def test_a_clinician_may_not_merge_people(app: Flask, client: FlaskClient, staff: dict) -> None:
    _a, _e, person_a, _r = _filed(app, name="Tom Price", phone="+447700900111", email=None)
    _b, _f, person_b, _s = _filed(app, name="Jane Price", phone="+447700900111", email=None)
    _login(client, Role.CLINICIAN)
    page = client.get(f"/staff/crm/people/{person_a}")
    assert "Merge record" not in _text(page)
    response = client.post(
        f"/staff/crm/people/{person_a}/merge",
        data={"csrf_token": csrf_from(page), "other": person_b},
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Person, person_b).merged_into_id is None


def test_the_pipeline_filters_and_pages_by_keyset(
    app: Flask, client: FlaskClient, staff: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intake.crm import queries

    monkeypatch.setattr(queries, "BOARD_CARDS", 2)
    refs = [
        _filed(app, email=f"p{n}@example.net", name=f"Person {n}", country="ES")[3]
        for n in range(3)
    ]
    _login(client)
    first = _text(client.get("/staff/crm/pipeline?country=es&stage=new"))
    assert all(ref in first for ref in refs)
    assert "No episode matches" in _text(client.get("/staff/crm/pipeline?country=FR"))
    # Junk in a filter is left out with a message, never a 500.
    junk = client.get("/staff/crm/pipeline?stage=%27%3B--&since=2026-02-30&country=%25%25")
    assert junk.status_code == 200
    assert "There is no such stage" in _text(junk)
    # The board counts per stage.
    board = _text(client.get("/staff/crm/board?country=ES"))
    assert "(3)" in board
    # The newest cards of each column, and the way to the rest in the list (filters kept).
    assert refs[2] in board and refs[1] in board and refs[0] not in board
    assert "The newest 2 of 3." in board
    assert 'href="/staff/crm/pipeline?country=ES&amp;stage=new">All 3 in the list</a>' in board

    with app.app_context():
        rows, before = queries.pipeline_page(queries.PipelineFilter(country="ES"), size=2)
        assert [row.reference for row in rows] == refs[:0:-1]
        assert before is not None
        rest, after = queries.pipeline_page(queries.PipelineFilter(country="ES"), before, size=2)
        assert [row.reference for row in rest] == refs[:1] and after is None
    second = client.get(f"/staff/crm/pipeline?country=ES&before={before}")
    assert refs[0] in _text(second) and refs[2] not in _text(second)


def test_an_episode_moves_only_where_the_table_allows_and_closes_with_a_reason(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _inq, episode_id, _p, _r = _filed(app, name="Ana", email="ana@example.net")
    _login(client)
    page_url = f"/staff/crm/episodes/{episode_id}"
    page = _text(client.get(page_url))
    # At "new" the only way on is a contact that reaches the person: no move button.
    assert "Move to" not in page and "logging a contact" in page
    refused = _post(client, page_url, page_url + "/move", to_stage="admitted")
    assert refused.status_code == 302
    assert "cannot move to Admitted" in _text(client.get(page_url))
    # Log a call in two clicks: the button opens a filled-in form, one submit saves it.
    form = client.get(page_url + "/call")
    assert form.status_code == 200 and '<option selected value="phone">' in _text(form)
    saved = client.post(
        page_url + "/call",
        data={"csrf_token": csrf_from(form), "channel": "phone", "outcome": "reached"},
    )
    assert saved.status_code == 302
    page = _text(client.get(page_url))
    assert "Call logged." in page and "Move to Pre-assessment" in page
    assert _post(client, page_url, page_url + "/move", to_stage="pre_assessment").status_code == 302
    page = _text(client.get(page_url))
    assert "Moved to Pre-assessment" in page
    assert page.count("<tr><td>") == 3  # new, contacted, pre-assessment, each with its time
    # Referred elsewhere asks where to.
    missing = _post(client, page_url, page_url + "/close", reason="referred_elsewhere")
    assert missing.status_code == 409
    assert "Say to whom the person was referred." in _text(missing)
    done = _post(
        client,
        page_url,
        page_url + "/close",
        reason="referred_elsewhere",
        referred_to="Clinica Sol",
    )
    assert done.status_code == 302
    page = _text(client.get(page_url))
    assert "Referred elsewhere" in page and "Clinica Sol" in page
    with app.app_context():
        assert db.session.get(Episode, episode_id).close_reason == "referred_elsewhere"
    assert {"crm:episode:moved", "crm:episode:closed"} <= set(audit_tags(app))


def test_a_task_is_added_shown_in_my_day_and_done_and_one_in_the_past_is_refused(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _inq, episode_id, _p, _r = _filed(app, name="Ana", email="ana@example.net")
    _login(client)
    page_url = f"/staff/crm/episodes/{episode_id}"
    past = _post(
        client,
        page_url,
        page_url + "/tasks",
        kind="call",
        due_at="2020-01-01T09:00",
        owner_id=staff[Role.ADMISSIONS],
    )
    assert past.status_code == 422 and "The due time is in the past" in _text(past)
    # Overdue: stored directly (a form refuses the past), then listed first on my day.
    with app.app_context():
        db.session.add(
            Task(
                episode_id=episode_id,
                kind="callback",
                due_at=utcnow() - timedelta(hours=2),
                owner_id=staff[Role.ADMISSIONS],
            )
        )
        db.session.commit()
    home = _text(client.get("/staff/"))
    assert 'id="count-overdue">1<' in home
    soon = _post(
        client,
        page_url,
        page_url + "/tasks",
        kind="follow_up",
        due_at="2999-01-01T09:00",
        owner_id=staff[Role.ADMISSIONS],
        note="send the brochure",
    )
    assert soon.status_code == 302
    assert "send the brochure" in _text(client.get(page_url))
    my_day = client.get("/staff/crm/my-day")
    assert "Overdue (1)" in _text(my_day)
    with app.app_context():
        overdue = db.session.scalar(select(Task).where(Task.kind == "callback"))
        overdue_id = overdue.id
    finished = client.post(
        f"/staff/crm/tasks/{overdue_id}/done",
        data={"csrf_token": csrf_from(my_day), "back": "my_day"},
    )
    assert finished.headers["Location"].endswith("/staff/crm/my-day")
    assert "Overdue (0)" in _text(client.get("/staff/crm/my-day"))
    again = client.post(
        f"/staff/crm/tasks/{overdue_id}/done", data={"csrf_token": csrf_from(my_day)}
    )
    assert again.status_code == 302
    assert "already done" in _text(client.get(page_url))
    assert {"crm:task:created", "crm:task:completed"} <= set(audit_tags(app))


def test_a_case_note_is_added_and_an_empty_one_refused(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _inq, episode_id, _p, _r = _filed(app, name="Ana", email="ana@example.net")
    _login(client)
    page_url = f"/staff/crm/episodes/{episode_id}"
    assert _post(client, page_url, page_url + "/notes", body="   ").status_code == 400
    assert _post(client, page_url, page_url + "/notes", body="Prefers mornings").status_code == 302
    assert "Prefers mornings" in _text(client.get(page_url))
    assert "crm:note:added" in audit_tags(app)


def test_merge_then_undo_then_merge_again_and_the_refusals(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _a, _e, son, _r = _filed(app, name="Tom Price", phone="+447700900111", email=None)
    _b, _f, mother, _s = _filed(app, name="Jane Price", phone="+447700900111", email=None)
    _login(client)
    page_url = f"/staff/crm/people/{son}"
    page = _text(client.get(page_url))
    assert "same phone" in page and f"Merge record {mother} into this one" in page
    # Into itself: a clear refusal.
    _post(client, page_url, page_url + "/merge", other=son)
    assert "cannot be merged into itself" in _text(client.get(page_url))
    _post(client, page_url, page_url + "/merge", other="12; DROP TABLE people")
    assert "digits only" in _text(client.get(page_url))
    assert _post(client, page_url, page_url + "/merge", other=mother).status_code == 302
    page = _text(client.get(page_url))
    assert "Merged. The merge can be undone below." in page and "Undo merge" in page
    with app.app_context():
        assert db.session.get(Person, mother).merged_into_id == son
        merge_id = db.session.scalar(select(PersonMerge.id))
    # Merging into the merged record is refused.
    other_url = f"/staff/crm/people/{mother}"
    assert "merged into another" in _text(client.get(other_url))
    undo = f"/staff/crm/merges/{merge_id}/undo"
    assert _post(client, page_url, undo, back=son).status_code == 302
    assert "The merge is undone" in _text(client.get(page_url))
    _post(client, page_url, f"/staff/crm/merges/{merge_id}/undo", back=son)
    assert "already been undone" in _text(client.get(page_url))
    assert _post(client, page_url, page_url + "/merge", other=mother).status_code == 302
    with app.app_context():
        assert db.session.get(Person, mother).merged_into_id == son
    tags = audit_tags(app)
    assert tags.count("crm:person:merged") == 2 and tags.count("crm:person:unmerged") == 1


def test_not_the_same_person_sticks_from_the_page(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _a, _e, son, _r = _filed(app, name="Tom Price", phone="+447700900111", email=None)
    _filed(app, name="Jane Price", phone="+447700900111", email=None)
    _login(client)
    page_url = f"/staff/crm/people/{son}"
    page = client.get(page_url)
    candidate = _text(page).split('data-candidate="')[1].split('"')[0]
    client.post(
        f"/staff/crm/duplicates/{candidate}/not-same",
        data={"csrf_token": csrf_from(page), "back": son},
    )
    page = _text(client.get(page_url))
    assert "will not be proposed again" in page and "No open duplicate candidates." in page
    assert "crm:duplicate:not_same" in audit_tags(app)


def test_search_by_reference_email_phone_and_name(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _i, _e, person_id, reference = _filed(
        app, name="Katarzyna Nowak", email="Kasia@Example.net", phone="+34600111222"
    )
    _filed(app, name="Peter Smith", email="peter@example.net")
    _login(client)
    link = f"/staff/crm/people/{person_id}"
    for query in (
        reference.lower().replace("-", " "),
        "kasia@example.NET",
        "+34 600 111 222",
        "nowak",
        "Katarzina Nowak",
    ):
        page = client.get("/staff/crm/search", query_string={"q": query})
        assert page.status_code == 200, query
        assert link in _text(page), query
        assert "Peter Smith" not in _text(page), query
    by_name = _text(client.get("/staff/crm/search?q=nowak"))
    assert "Names of the 2 most recent people created in the last 90 days" in by_name
    by_ref = _text(client.get("/staff/crm/search", query_string={"q": reference}))
    assert f"Inquiry reference {reference}" in by_ref
    assert "crm:person:searched" in audit_tags(app)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("x" * 10_000, "too long"),
        ("' OR 1=1; --", "letters, spaces, hyphens"),
        ("%", "letters, spaces, hyphens"),
        ("_", "letters, spaces, hyphens"),
        ("%@%", "Nobody found."),
        ("+1 2", "letters, spaces, hyphens"),
        ("+99 9999 9999", "country code"),
        ("Robert'); DROP TABLE people;--", "letters, spaces, hyphens"),
    ],
)
def test_bad_searches_get_a_message_or_nothing_never_a_500(
    app: Flask, client: FlaskClient, staff: dict, query: str, expected: str
) -> None:
    _filed(app, name="Ana Ruiz", email="ana@example.net")
    _login(client)
    page = client.get("/staff/crm/search", query_string={"q": query})
    assert page.status_code in (200, 400)
    assert expected in _text(page)
    assert "Ana Ruiz" not in _text(page)


def test_the_staff_home_counts_open_p0_p1_breached_and_alerts(
    app: Flask, client: FlaskClient, staff: dict
) -> None:
    _filed(app, email="a@example.net", message="I want to kill myself tonight, I have pills")
    with app.app_context():
        AlertFactory()  # a P0 inquiry (made by the factory) with its alert, not acknowledged
        overdue = db.session.scalars(select(TriageCase)).all()[-1]
        overdue.due_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    _login(client)
    home = _text(client.get("/staff/"))
    assert 'id="count-p0">2<' in home or 'id="count-p1">1<' in home
    assert 'id="count-breached">1<' in home
    assert 'id="count-alerts">1<' in home


def test_unknown_records_are_404(app: Flask, client: FlaskClient, staff: dict) -> None:
    _login(client)
    for path in (
        "/staff/crm/episodes/999999",
        "/staff/crm/people/999999",
        "/staff/crm/episodes/99999999999999999999",
    ):
        assert client.get(path).status_code == 404
