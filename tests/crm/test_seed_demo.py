"""``flask seed-demo --inquiries N`` writes the promised shapes: people with encrypted,
blind-indexed details, inquiries with triage results and cases, episodes at every stage with
their history, about three activity rows per inquiry, duplicate candidates; the same seed gives
the same data, and the same seed twice adds nothing."""

from __future__ import annotations

from collections import Counter

from flask import Flask
from sqlalchemy import func, select, text

from intake.core.types import utcnow
from intake.crm import referrals
from intake.crm.models import (
    DuplicateCandidate,
    Episode,
    EpisodeInquiry,
    EpisodeReferral,
    InquirySubstance,
    Person,
    ReferralSource,
    StageChange,
)
from intake.crm.services import email_index, phone_index
from intake.crm.vocabulary import CLOSED, NOT_COUNTED_REASONS, Stage
from intake.extensions import db
from intake.public.models import Inquiry
from intake.triage.models import TriageCase, TriageResult
from intake.usecases.demo_bulk import RULESET, seed_inquiries
from intake.vocabulary import InquirySource, ReferralChannel

COUNT = 400


def _count(model: object) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


def test_seed_demo_with_inquiries_writes_the_promised_shapes(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["seed-demo", "--password", "demo password 123", "--inquiries", str(COUNT)]
    )
    assert result.exit_code == 0, result.output
    assert f"{COUNT} inquiries seeded in" in result.output
    with app.app_context():
        inquiries = db.session.scalars(
            select(Inquiry)
            .join(TriageResult, TriageResult.inquiry_id == Inquiry.id)
            .where(TriageResult.ruleset == RULESET)
        ).all()
        assert len(inquiries) == COUNT
        ids = [inquiry.id for inquiry in inquiries]
        # Every inquiry has its triage case and its episode.
        assert _count(select(TriageCase).where(TriageCase.inquiry_id.in_(ids)).subquery()) == COUNT
        assert (
            _count(select(EpisodeInquiry).where(EpisodeInquiry.inquiry_id.in_(ids)).subquery())
            == COUNT
        )
        # People: personal fields encrypted at rest, email and phone found by blind index.
        person = db.session.scalars(
            select(Person).where(Person.email.is_not(None), Person.phone.is_not(None)).limit(1)
        ).one()
        raw = db.session.execute(
            text("SELECT name, email FROM people WHERE id = :id"), {"id": person.id}
        ).one()
        assert raw.name != person.name and raw.name.startswith("gAAAA")
        assert person.email and person.email.endswith("@example.net")
        assert person.email_index == email_index(person.email)
        assert person.phone and person.phone_index == phone_index(person.phone)
        assert _count(Person) < COUNT  # some people wrote again

        # Episodes at every stage, with their history ending where they stand.
        stages = Counter(db.session.scalars(select(Episode.stage)))
        assert set(stages) >= {stage.value for stage in Stage}
        closed = Counter(
            db.session.scalars(select(Episode.close_reason).where(Episode.closed_at.is_not(None)))
        )
        assert set(closed) & {reason.value for reason in NOT_COUNTED_REASONS}
        for episode in db.session.scalars(select(Episode).limit(60)):
            history = [change.to_stage for change in episode.history]
            assert history[0] == Stage.NEW
            moves = [stage for stage in history if stage != CLOSED]
            assert moves[-1] == episode.stage
            assert (CLOSED in history) == (episode.closed_at is not None)

        # About three activity rows per inquiry; duplicates and substances there.
        activity = result.output.split("activity rows")[1].split()[0].replace(",", "")
        assert 2.5 * COUNT <= int(activity) <= 3.6 * COUNT
        assert _count(StageChange) > COUNT
        assert _count(DuplicateCandidate) > 0
        assert _count(InquirySubstance) > 0

        # Every channel: the form, API keys, calls and walk-ins (each with its episode's channel
        # set as staff would), referrers that sent episodes, and referrals out.
        sources = Counter(db.session.scalars(select(Inquiry.source).where(Inquiry.id.in_(ids))))
        assert sources[InquirySource.PHONE.value] > 0 and sources[InquirySource.WALK_IN.value] > 0
        channels = Counter(
            db.session.scalars(
                select(ReferralSource.channel).where(ReferralSource.inquiry_id.in_(ids))
            )
        )
        assert set(channels) == {channel.value for channel in ReferralChannel} - {"other"}
        assert sum(channels.values()) == COUNT
        taken = db.session.scalar(
            select(func.count())
            .select_from(EpisodeReferral)
            .where(EpisodeReferral.channel == ReferralChannel.WALK_IN.value)
        )
        assert taken
        counts = referrals.referrer_rows()
        assert len(counts) == 12
        assert sum(row.sent for row in counts) > COUNT // 20
        assert any(row.referred_to for row in counts)

    again = runner.invoke(
        args=["seed-demo", "--password", "demo password 123", "--inquiries", str(COUNT)]
    )
    assert again.exit_code == 0 and "already there" in again.output
    with app.app_context():
        seeded = select(TriageResult).where(TriageResult.ruleset == RULESET).subquery()
        assert _count(seeded) == COUNT  # nothing added


def test_the_same_seed_gives_the_same_data(app: Flask) -> None:
    from tests.factories import UserFactory

    now = utcnow()
    shapes = []
    with app.app_context():
        UserFactory()
        for _run in range(2):
            nested = db.session.begin_nested()
            seed_inquiries(80, 11, now, app.config["CONTACT_TARGET_MINUTES"])
            shapes.append(
                db.session.execute(
                    select(
                        Inquiry.reference,
                        Inquiry.received_at,
                        Inquiry.source,
                        TriageCase.priority,
                        TriageCase.reached_at,
                        Episode.stage,
                        Episode.close_reason,
                    )
                    .join(TriageCase, TriageCase.inquiry_id == Inquiry.id)
                    .join(EpisodeInquiry, EpisodeInquiry.inquiry_id == Inquiry.id)
                    .join(Episode, Episode.id == EpisodeInquiry.episode_id)
                    .order_by(Inquiry.id)
                ).all()
            )
            nested.rollback()
    assert len(shapes[0]) == 80
    assert shapes[0] == shapes[1]


def test_the_reports_page_reads_the_seeded_data(app: Flask, client, staff) -> None:  # type: ignore[no-untyped-def]
    from intake.auth.permissions import Role
    from tests.conftest import ROLE_EMAILS, AuthActions

    with app.app_context():
        seed_inquiries(150, 3, utcnow(), app.config["CONTACT_TARGET_MINUTES"])
        db.session.commit()
    assert AuthActions(client).login(ROLE_EMAILS[Role.ADMIN]).status_code == 302
    page = client.get("/staff/crm/reports")
    assert page.status_code == 200
    assert 'data-stage="admitted"' in page.get_data(as_text=True)
    assert client.get("/staff/crm/reports.csv").status_code == 200
