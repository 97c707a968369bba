"""What aftercare's pages read: a person's plans, a reply, the programme's list, weekly counts
and response rates, and each person's trend as a small inline SVG (drawn here, no script, no
CDN)."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from intake.aftercare.models import AftercarePlan, CheckIn, CheckInReply
from intake.core.types import utcnow
from intake.extensions import db
from intake.vocabulary import CheckInOutcome, CheckInStatus


def plans_of(person_id: int) -> list[AftercarePlan]:
    return list(
        db.session.scalars(
            select(AftercarePlan)
            .where(AftercarePlan.person_id == person_id)
            .options(selectinload(AftercarePlan.checkins))
            .order_by(AftercarePlan.id)
        ).all()
    )


def has_plan(episode_id: int) -> bool:
    found = db.session.scalar(
        select(AftercarePlan.id).where(AftercarePlan.episode_id == episode_id)
    )
    return found is not None


def reply_of(checkin_id: int) -> CheckInReply | None:
    return db.session.scalar(select(CheckInReply).where(CheckInReply.checkin_id == checkin_id))


def sparkline(points: Sequence[int | None], low: int = 1, high: int = 5) -> Markup:
    """A tiny line of ``points`` (None is a gap: a missed check-in) as inline SVG."""
    width, height, step = 120, 24, 12
    shown = list(points)[-10:]
    if not any(value is not None for value in shown):
        return Markup("")
    coords: list[str] = []
    dots: list[str] = []
    for index, value in enumerate(shown):
        if value is None:
            continue
        x = 4 + index * step
        y = height - 3 - (value - low) * (height - 6) / max(high - low, 1)
        coords.append(f"{x:.0f},{y:.1f}")
        dots.append(f'<circle cx="{x:.0f}" cy="{y:.1f}" r="2"/>')
    label = ", ".join("-" if value is None else str(value) for value in shown)
    return Markup(  # noqa: S704  (numbers and fixed markup only, nothing from a person)
        f'<svg class="sparkline" width="{width}" height="{height}" role="img" '
        f'aria-label="{label}" viewBox="0 0 {width} {height}">'
        f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" '
        f'points="{" ".join(coords)}"/>{"".join(dots)}</svg>'
    )


@dataclass(frozen=True)
class AlumniRow:
    plan: AftercarePlan
    last: CheckIn | None
    trend: Markup
    use_trend: Markup


def alumni_rows() -> list[AlumniRow]:
    """Every plan with its last check-in that went out and the trend of wellbeing and use."""
    plans = db.session.scalars(
        select(AftercarePlan)
        .options(selectinload(AftercarePlan.checkins), selectinload(AftercarePlan.person))
        .order_by(AftercarePlan.id.desc())
        .limit(500)
    ).all()
    checkin_ids = [
        c.id for plan in plans for c in plan.checkins if c.status == CheckInStatus.ANSWERED
    ]
    replies = (
        {
            reply.checkin_id: reply
            for reply in db.session.scalars(
                select(CheckInReply).where(CheckInReply.checkin_id.in_(checkin_ids))
            ).all()
        }
        if checkin_ids
        else {}
    )
    rows = []
    for plan in plans:
        done = [
            c for c in plan.checkins if c.status in (CheckInStatus.ANSWERED, CheckInStatus.MISSED)
        ]
        wellbeing: list[int | None] = []
        use: list[int | None] = []
        for checkin in done:
            reply = replies.get(checkin.id)
            answers = reply.answers if reply is not None else {}
            value = answers.get("wellbeing") if isinstance(answers, dict) else None
            wellbeing.append(int(value) if isinstance(value, int) else None)
            used = answers.get("use") if isinstance(answers, dict) else None
            use.append(None if used is None else (2 if used == "yes" else 1))
        sent = [c for c in plan.checkins if c.sent_at is not None]
        rows.append(
            AlumniRow(plan, sent[-1] if sent else None, sparkline(wellbeing), sparkline(use, 1, 2))
        )
    return rows


@dataclass(frozen=True)
class Week:
    starts: datetime
    sent: int
    answered: int
    needs_call: int
    escalated: int
    missed: int


def weekly_counts(weeks: int = 8, now: datetime | None = None) -> list[Week]:
    """Per week (newest first): check-ins sent, and how those sent that week came out.

    Weeks run Monday to Monday in the clinic's zone (``CLINIC_TIMEZONE``), so a week's row holds
    what was sent in the clinic's week, across a daylight-saving change too."""
    now = now or utcnow()
    zone = ZoneInfo(current_app.config["CLINIC_TIMEZONE"])
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    # Each week's start as a UTC instant: the local Monday's midnight, whatever its offset.
    starts = [
        datetime.combine(monday - timedelta(weeks=back), time(), zone).astimezone(UTC)
        for back in range(weeks - 1, -1, -1)
    ]
    rows = db.session.execute(
        select(CheckIn.sent_at, CheckIn.outcome).where(CheckIn.sent_at >= starts[0])
    ).all()
    buckets: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sent_at, outcome in rows:
        if sent_at is None:
            continue
        moment = sent_at if sent_at.tzinfo else sent_at.replace(tzinfo=UTC)
        index = bisect_right(starts, moment) - 1
        buckets[index]["went_out"] += 1
        if outcome:
            buckets[index][outcome] += 1
            if outcome != CheckInOutcome.MISSED:
                buckets[index]["replied"] += 1
    found = []
    for index in range(weeks - 1, -1, -1):
        bucket = buckets[index]
        found.append(
            Week(
                starts=starts[index],
                sent=bucket["went_out"],
                answered=bucket["replied"],
                needs_call=bucket[CheckInOutcome.NEEDS_CALL.value],
                escalated=bucket[CheckInOutcome.ESCALATED.value],
                missed=bucket[CheckInOutcome.MISSED.value],
            )
        )
    return found


@dataclass(frozen=True)
class Rate:
    channel: str
    language: str
    answered: int
    settled: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.settled) if self.settled else 0


def response_rates() -> list[Rate]:
    """Answered out of settled (answered or missed) check-ins, per channel and language."""
    rows = db.session.execute(
        select(AftercarePlan.channel, AftercarePlan.language, CheckIn.outcome)
        .join(CheckIn, CheckIn.plan_id == AftercarePlan.id)
        .where(CheckIn.outcome.is_not(None))
    ).all()
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for channel, language, outcome in rows:
        counts[(channel, language)][1] += 1
        if outcome != CheckInOutcome.MISSED:
            counts[(channel, language)][0] += 1
    return [Rate(ch, lang, a, s) for (ch, lang), (a, s) in sorted(counts.items())]
