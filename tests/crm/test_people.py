"""Who is who: the same person writing again is linked, a shared detail is only a duplicate
candidate, a caller for someone else is a contact; duplicates are merged or set aside, and a
merge is undone exactly. Every bad request is a clear refusal that changes nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from intake.crm import use_cases
from intake.crm.duplicates import name_score, scan_for_duplicates
from intake.crm.errors import MergeRefusedError
from intake.crm.models import (
    Contact,
    DuplicateCandidate,
    Episode,
    Person,
    PersonMerge,
)
from intake.crm.services import email_index
from intake.crm.vocabulary import Stage
from intake.extensions import db
from intake.public.models import Inquiry
from tests.conftest import audit_tags
from tests.factories import PersonFactory, UserFactory, accepted_inquiry, episode_of


def _person_of(inquiry_id: int) -> Person:
    return db.session.get(Inquiry, inquiry_id).person


def _candidates() -> list[DuplicateCandidate]:
    return list(db.session.scalars(select(DuplicateCandidate).order_by(DuplicateCandidate.id)))


# Matching --------------------------------------------------------------------------------


def test_same_email_and_same_name_is_the_same_person_writing_again(app: Flask) -> None:
    with app.app_context():
        first = accepted_inquiry(email="Sam@Example.net", name="Sam  Baker")
        second = accepted_inquiry(email="sam@example.net", name="sam baker", message="again")
        assert _person_of(first) is _person_of(second)
        assert _candidates() == []


def test_a_mother_on_the_family_phone_does_not_become_her_son(app: Flask) -> None:
    with app.app_context():
        son = accepted_inquiry(phone="+447700900111", email=None, name="Tom Price")
        mother = accepted_inquiry(
            phone="+447700900111", email=None, name="Jane Price", for_whom="someone_else"
        )
        assert _person_of(son) is not _person_of(mother)
        (candidate,) = _candidates()
        assert candidate.person_low_id == _person_of(son).id
        assert candidate.person_high_id == _person_of(mother).id
        assert candidate.reason_codes == ["phone"]


def test_same_email_with_another_name_is_a_candidate_with_both_reasons(app: Flask) -> None:
    with app.app_context():
        first = accepted_inquiry(email="shared@example.net", name="Katarzyna Nowak")
        second = accepted_inquiry(email="shared@example.net", name="Katarzina Nowak")
        assert _person_of(first) is not _person_of(second)
        (candidate,) = _candidates()
        assert candidate.reason_codes == ["email", "name"]
        assert candidate.name_score is not None and candidate.name_score >= 85


def test_name_similarity_ignores_case_accents_form_and_order() -> None:
    assert name_score("Nowak Katarzyna", "katarzyna  NOWAK") == 100
    assert name_score("Ana", None) == 0
    assert name_score("Maria Lopez", "Peter Smith") < 50


def test_a_caller_for_someone_else_is_recorded_as_a_contact_told_only_the_acknowledgement(
    app: Flask,
) -> None:
    with app.app_context():
        inquiry_id = accepted_inquiry(
            email="mum@example.net", name="Helen", phone="+447700900222", for_whom="someone_else"
        )
        (contact,) = db.session.scalars(select(Contact)).all()
        assert contact.person is _person_of(inquiry_id)
        assert contact.inquiry_id == inquiry_id
        assert contact.relation == "unknown"
        assert contact.may_be_told == "acknowledge_only"
        assert contact.name == "Helen"
        assert contact.email_index == email_index("mum@example.net")
        accepted_inquiry(email="doc@example.net", for_whom="professional")
        assert db.session.scalar(select(func.count()).select_from(Contact)) == 2
        assert accepted_inquiry(email="self@example.net") and (
            db.session.scalar(select(func.count()).select_from(Contact)) == 2
        )


# Duplicates and merges ------------------------------------------------------------------


def test_not_the_same_person_sticks(app: Flask) -> None:
    with app.app_context():
        actor = UserFactory().id
        first = accepted_inquiry(email="twin@example.net", name="Alex Moreau")
        second = accepted_inquiry(email="twin@example.net", name="Alexis Moreau")
        (candidate,) = _candidates()
        use_cases.not_the_same_person(candidate, actor)
        assert candidate.status == "not_same"
        assert scan_for_duplicates(_person_of(first)) == []
        assert scan_for_duplicates(_person_of(second)) == []
        assert len(_candidates()) == 1
        assert "crm:duplicate:not_same" in audit_tags(app)


def test_a_scan_finds_a_similar_name_among_recent_people(app: Flask) -> None:
    with app.app_context():
        one = PersonFactory(name="Giulia Bianchi", email="g1@example.net")
        PersonFactory(name="Someone Else", email="g2@example.net")
        other = PersonFactory(name="Bianchi Giulia", email="g3@example.net")
        (candidate,) = scan_for_duplicates(one)
        assert {candidate.person_low_id, candidate.person_high_id} == {one.id, other.id}
        assert candidate.reason_codes == ["name"]


def test_a_merge_moves_everything_and_an_unmerge_puts_exactly_that_back(app: Flask) -> None:
    with app.app_context():
        actor = UserFactory().id
        first = accepted_inquiry(email="m@example.net", name="Noor Haddad")
        second = accepted_inquiry(email="m@example.net", name="Noor Hadad", for_whom="someone_else")
        keep, source = _person_of(first), _person_of(second)
        source_episode = episode_of(second)
        merge = use_cases.merge_people(source.id, keep.id, actor)
        assert merge.moved == {
            "episodes": [source_episode.id],
            "inquiries": [second],
            "contacts": [db.session.scalars(select(Contact.id)).one()],
        }
        db.session.expire_all()
        assert source.merged_into_id == keep.id
        assert {inquiry.id for inquiry in keep.inquiries} == {first, second}
        assert db.session.get(Episode, source_episode.id).person_id == keep.id
        (candidate,) = _candidates()
        assert candidate.status == "merged"
        # A new inquiry from the merged person's address lands on the record it went into.
        later = accepted_inquiry(email="m@example.net", name="Noor Hadad", message="later")
        assert _person_of(later).id == keep.id

        use_cases.undo_merge(merge.id, actor)
        db.session.expire_all()
        assert source.merged_into_id is None
        assert [inquiry.id for inquiry in source.inquiries] == [second]
        assert {inquiry.id for inquiry in keep.inquiries} == {first, later}
        assert db.session.get(Episode, source_episode.id).person_id == source.id
        assert db.session.scalars(select(Contact.person_id)).one() == source.id
        assert candidate.status == "open"
        tags = audit_tags(app)
        assert tags.count("crm:person:merged") == 1
        assert tags.count("crm:person:unmerged") == 1

        with pytest.raises(MergeRefusedError, match="already_undone"):
            use_cases.undo_merge(merge.id, actor)
        # Merged again after the undo: a new event, undoable in its turn.
        again = use_cases.merge_people(source.id, keep.id, actor)
        assert again.id != merge.id


def test_merge_refusals_are_clear_and_change_nothing(app: Flask) -> None:
    with app.app_context():
        actor = UserFactory().id
        a, b, c = (PersonFactory() for _ in range(3))
        db.session.commit()  # a refusal rolls back whatever the request had pending
        with pytest.raises(MergeRefusedError, match="same_person"):
            use_cases.merge_people(a.id, a.id, actor)
        with pytest.raises(MergeRefusedError, match="missing"):
            use_cases.merge_people(a.id, 999_999, actor)
        use_cases.merge_people(a.id, b.id, actor)
        with pytest.raises(MergeRefusedError, match="already_merged"):
            use_cases.merge_people(c.id, a.id, actor)
        with pytest.raises(MergeRefusedError, match="already_merged"):
            use_cases.merge_people(a.id, c.id, actor)
        with pytest.raises(MergeRefusedError, match="missing"):
            use_cases.undo_merge(999_999, actor)
        assert db.session.scalar(select(func.count()).select_from(PersonMerge)) == 1


def test_two_people_with_open_admissions_cannot_be_merged(app: Flask) -> None:
    with app.app_context():
        actor = UserFactory().id
        first = accepted_inquiry(email="adm1@example.net", name="Eva")
        second = accepted_inquiry(email="adm2@example.net", name="Eva")
        for inquiry_id in (first, second):
            episode_of(inquiry_id).stage = Stage.ADMITTED.value
        with pytest.raises(MergeRefusedError, match="two_admissions") as refused:
            use_cases.merge_people(_person_of(second).id, _person_of(first).id, actor)
        assert _person_of(second).merged_into_id is None
    with app.test_request_context("/staff/"):
        assert str(refused.value.message) == (
            "Both people have an open admission; they cannot be the same person."
        )


def test_an_unmerge_waits_for_a_later_merge_of_its_target_to_be_undone(app: Flask) -> None:
    with app.app_context():
        actor = UserFactory().id
        a, b, c = (PersonFactory() for _ in range(3))
        first = use_cases.merge_people(a.id, b.id, actor)
        second = use_cases.merge_people(b.id, c.id, actor)
        with pytest.raises(MergeRefusedError, match="target_merged"):
            use_cases.undo_merge(first.id, actor)
        use_cases.undo_merge(second.id, actor)
        use_cases.undo_merge(first.id, actor)
        db.session.expire_all()
        assert (a.merged_into_id, b.merged_into_id) == (None, None)


def test_a_refusal_reaching_a_page_is_a_409_with_the_message_not_a_500(app: Flask) -> None:
    refusal = MergeRefusedError("same_person", "A record cannot be merged into itself.")
    with app.test_request_context("/staff/people/merge"):
        response = app.make_response(app.handle_user_exception(refusal))
    assert response.status_code == 409
    assert "A record cannot be merged into itself." in response.get_data(as_text=True)
