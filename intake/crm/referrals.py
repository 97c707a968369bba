"""Where people come from and where the clinic sends them: each inquiry's source (channel, the
website's API source, the web form's landing page and campaign), named referrers (organisations
and professionals), an episode's referrer as staff set it, and outbound referrals.

Nothing here commits: :mod:`intake.crm.use_cases` does for staff actions, the intake use case for
an inquiry's source. Refusals are :class:`ReferralRefusedError` with a message for staff.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, and_, func, insert, select

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.core.batch import InsertBatch
from intake.core.types import utcnow
from intake.crm.errors import CrmRefusalError
from intake.crm.models import (
    Episode,
    EpisodeInquiry,
    EpisodeReferral,
    OutboundReferral,
    ReferralSource,
    Referrer,
    StageChange,
)
from intake.extensions import db
from intake.vocabulary import CAMPAIGN_FIELDS, InquirySource, ReferralChannel, ReferrerKind, Stage

NAME_MAX = 200


class ReferralRefusedError(CrmRefusalError):
    """A referrer or a source that cannot be stored as asked."""

    status_code = 422


# An inquiry's source ------------------------------------------------------------------------
@dataclass(frozen=True)
class Origin:
    """How an inquiry arrived: the source written on it, the API key's source when it came by
    the API, and what the web form captured (already bounded by ``intake.public.campaign``)."""

    source: str
    api_source: str | None = None
    campaign: Mapping[str, str] = field(default_factory=dict)
    # Who referred the person, when the staff member who took a call or a visit was told.
    referrer_id: int | None = None
    taken_by: int | None = None

    @property
    def channel(self) -> ReferralChannel:
        if self.api_source is not None:
            return ReferralChannel.API
        return _CHANNELS.get(self.source, ReferralChannel.OTHER)


_CHANNELS: dict[str, ReferralChannel] = {
    InquirySource.WEB_FORM: ReferralChannel.WEB,
    InquirySource.PHONE: ReferralChannel.PHONE,
    InquirySource.WALK_IN: ReferralChannel.WALK_IN,
}


def record_source(inquiry_id: int, origin: Origin, batch: InsertBatch | None = None) -> None:
    """Record where the inquiry came from (its :class:`ReferralSource` row): a row of ``batch``
    when the use case gives one, else one plain insert in the caller's transaction."""
    values = {
        "inquiry_id": inquiry_id,
        "channel": origin.channel.value,
        "api_source": origin.api_source[:80] if origin.api_source else None,
        "landing_page": origin.campaign.get("landing_page"),
        **{name: origin.campaign.get(name) for name in CAMPAIGN_FIELDS},
    }
    table = cast(Table, ReferralSource.__table__)
    if batch is not None:
        batch.add(table, values)
    else:
        db.session.execute(insert(table), values)


def record_referrer(episode: Episode | None, episode_id: int | None, origin: Origin) -> None:
    """Name the referrer of a taken call or visit on the episode the inquiry opened or joined
    (``episode`` when new, else its ``episode_id``), with the channel, in the caller's
    transaction. An episode whose referrer staff already set keeps it.

    Raises :class:`ReferralRefusedError` for a referrer that is unknown or inactive.
    """
    if origin.referrer_id is None:
        return
    _referrer(origin.referrer_id)
    row = db.session.get(EpisodeReferral, episode_id) if episode_id is not None else None
    if row is None:
        row = EpisodeReferral(episode=episode) if episode_id is None else EpisodeReferral()
        if episode_id is not None:
            row.episode_id = episode_id
        db.session.add(row)
    elif row.referrer_id is not None:
        return
    row.referrer_id = origin.referrer_id
    row.channel = row.channel or origin.channel.value
    row.set_at = utcnow()
    row.set_by_id = origin.taken_by


def sources_of(episode: Episode) -> list[ReferralSource]:
    """The sources of the episode's inquiries, oldest inquiry first."""
    return list(
        db.session.scalars(
            select(ReferralSource)
            .join(EpisodeInquiry, EpisodeInquiry.inquiry_id == ReferralSource.inquiry_id)
            .where(EpisodeInquiry.episode_id == episode.id)
            .order_by(ReferralSource.inquiry_id)
        )
    )


# Referrers -----------------------------------------------------------------------------------
def _clean(value: str | None) -> str | None:
    return " ".join((value or "").split())[:NAME_MAX] or None


def save_referrer(
    actor_id: int,
    *,
    kind: str,
    organisation: str | None,
    professional_name: str | None,
    contact: str | None,
    referrer: Referrer | None = None,
) -> Referrer:
    """Create a referrer, or change ``referrer``; audited (ids and the kind only).

    An organisation needs its name; a professional needs theirs (their organisation is
    optional). Raises :class:`ReferralRefusedError` otherwise, nothing changed.
    """
    try:
        referrer_kind = ReferrerKind(kind)
    except ValueError:
        raise ReferralRefusedError(
            "unknown_kind", _l("Choose an organisation or a professional.")
        ) from None
    organisation, professional_name = _clean(organisation), _clean(professional_name)
    if referrer_kind is ReferrerKind.ORGANISATION and organisation is None:
        raise ReferralRefusedError("name_missing", _l("Give the organisation's name."))
    if referrer_kind is ReferrerKind.PROFESSIONAL and professional_name is None:
        raise ReferralRefusedError("name_missing", _l("Give the professional's name."))
    if referrer_kind is ReferrerKind.ORGANISATION:
        professional_name = None
    is_new = referrer is None
    if referrer is None:
        referrer = Referrer(created_by_id=actor_id)
        db.session.add(referrer)
    else:
        referrer.updated_at = utcnow()
    referrer.kind = referrer_kind.value
    referrer.organisation = organisation
    referrer.professional_name = professional_name
    referrer.contact = _clean(contact)
    record(
        AuditTag.REFERRER_ADDED if is_new else AuditTag.REFERRER_CHANGED,
        target_type="referrer",
        target=referrer,
        actor_id=actor_id,
        detail={"kind": referrer_kind.value},
    )
    return referrer


def set_referrer_active(referrer: Referrer, active: bool, actor_id: int) -> bool:
    """Deactivate a referrer (it leaves every pick list; its history, counts and page stay) or
    reactivate it; audited. Returns False, changing nothing, when it already was so."""
    if referrer.active == active:
        return False
    referrer.active = active
    referrer.updated_at = utcnow()
    record(
        AuditTag.REFERRER_REACTIVATED if active else AuditTag.REFERRER_DEACTIVATED,
        target_type="referrer",
        target=referrer,
        actor_id=actor_id,
        detail={"kind": referrer.kind},
    )
    return True


def active_referrers() -> list[Referrer]:
    """Every referrer staff can choose, by name (decrypted: the list is short)."""
    rows = db.session.scalars(select(Referrer).where(Referrer.active.is_(True))).all()
    return sorted(rows, key=lambda referrer: referrer.display_name.casefold())


def _referrer(referrer_id: int, keep: int | None = None) -> Referrer:
    """An active referrer by id; an inactive one only when it is ``keep`` (what a record already
    names may stay, but nobody new is sent to a deactivated referrer)."""
    referrer = db.session.get(Referrer, referrer_id)
    if referrer is None or not (referrer.active or referrer.id == keep):
        raise ReferralRefusedError("unknown_referrer", _l("Choose a referrer from the list."))
    return referrer


def set_episode_source(
    episode: Episode, channel: str | None, referrer_id: int | None, actor_id: int
) -> EpisodeReferral:
    """Set how the episode's person reached the clinic (a channel, or None for what the inquiry
    recorded) and who referred them (or None); audited."""
    if channel:
        try:
            channel = ReferralChannel(channel).value
        except ValueError:
            raise ReferralRefusedError(
                "unknown_channel", _l("Choose how they reached us from the list.")
            ) from None
    row = db.session.get(EpisodeReferral, episode.id)
    if referrer_id is not None:
        # A referrer deactivated since it was set may stay on the episode.
        _referrer(referrer_id, keep=row.referrer_id if row is not None else None)
    if row is None:
        row = EpisodeReferral(episode_id=episode.id)
        db.session.add(row)
    row.channel = channel or None
    row.referrer_id = referrer_id
    row.set_at = utcnow()
    row.set_by_id = actor_id
    record(
        AuditTag.EPISODE_SOURCE_SET,
        target_type="episode",
        target=episode,
        actor_id=actor_id,
        detail={"channel": channel or "", "referrer": referrer_id},
    )
    return row


def record_outbound(
    episode: Episode, referrer_id: int | None, new_name: str | None, actor_id: int | None
) -> Referrer:
    """The clinic referred the episode's person elsewhere: to a referrer row (chosen, or a new
    organisation named now). Raises :class:`ReferralRefusedError` when neither is given."""
    if referrer_id:
        referrer = _referrer(referrer_id)
    elif _clean(new_name):
        referrer = Referrer(
            kind=ReferrerKind.ORGANISATION.value,
            organisation=_clean(new_name),
            created_by_id=actor_id,
        )
        db.session.add(referrer)
        record(
            AuditTag.REFERRER_ADDED,
            target_type="referrer",
            target=referrer,
            actor_id=actor_id,
            detail={"kind": ReferrerKind.ORGANISATION.value, "outbound": True},
        )
    else:
        raise ReferralRefusedError("referral_missing", _l("Say to whom the person was referred."))
    db.session.add(OutboundReferral(episode=episode, referrer=referrer, referred_by_id=actor_id))
    return referrer


# Reading -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReferrerRow:
    referrer: Referrer
    sent: int
    admitted: int
    referred_to: int


def _admitted_episodes() -> Any:
    """Ids of episodes that ever reached "admitted" (a later discharge still counts)."""
    return (
        select(StageChange.episode_id)
        .where(StageChange.to_stage == Stage.ADMITTED.value)
        .distinct()
        .scalar_subquery()
    )


def referrer_rows(include_inactive: bool = False) -> list[ReferrerRow]:
    """Every referrer with how many episodes it sent, how many of those were admitted, and how
    many people the clinic referred to it."""
    admitted = _admitted_episodes()
    sent = dict(
        db.session.execute(
            select(EpisodeReferral.referrer_id, func.count())
            .where(EpisodeReferral.referrer_id.is_not(None))
            .group_by(EpisodeReferral.referrer_id)
        ).all()
    )
    admitted_counts = dict(
        db.session.execute(
            select(EpisodeReferral.referrer_id, func.count())
            .where(
                and_(
                    EpisodeReferral.referrer_id.is_not(None),
                    EpisodeReferral.episode_id.in_(admitted),
                )
            )
            .group_by(EpisodeReferral.referrer_id)
        ).all()
    )
    outbound = dict(
        db.session.execute(
            select(OutboundReferral.referrer_id, func.count()).group_by(
                OutboundReferral.referrer_id
            )
        ).all()
    )
    query = select(Referrer)
    if not include_inactive:
        query = query.where(Referrer.active.is_(True))
    rows = [
        ReferrerRow(
            referrer,
            int(sent.get(referrer.id, 0)),
            int(admitted_counts.get(referrer.id, 0)),
            int(outbound.get(referrer.id, 0)),
        )
        for referrer in db.session.scalars(query).all()
    ]
    return sorted(rows, key=lambda row: row.referrer.display_name.casefold())


@dataclass(frozen=True)
class SentEpisode:
    episode: Episode
    admitted: bool


def sent_by(referrer: Referrer) -> list[SentEpisode]:
    """The episodes a referrer sent, newest first, each with whether it was admitted."""
    admitted = set(
        db.session.scalars(
            select(StageChange.episode_id)
            .join(EpisodeReferral, EpisodeReferral.episode_id == StageChange.episode_id)
            .where(
                EpisodeReferral.referrer_id == referrer.id,
                StageChange.to_stage == Stage.ADMITTED.value,
            )
        )
    )
    episodes = db.session.scalars(
        select(Episode)
        .join(EpisodeReferral, EpisodeReferral.episode_id == Episode.id)
        .where(EpisodeReferral.referrer_id == referrer.id)
        .order_by(Episode.opened_at.desc(), Episode.id.desc())
    ).all()
    return [SentEpisode(episode, episode.id in admitted) for episode in episodes]


def outbound_referrals(referrer: Referrer | None = None) -> list[OutboundReferral]:
    """Outbound referrals, newest first (to one referrer, or all)."""
    query = select(OutboundReferral).order_by(
        OutboundReferral.referred_at.desc(), OutboundReferral.id.desc()
    )
    if referrer is not None:
        query = query.where(OutboundReferral.referrer_id == referrer.id)
    return list(db.session.scalars(query))


def episode_referral(episode: Episode) -> EpisodeReferral | None:
    return db.session.get(EpisodeReferral, episode.id)


def outbound_of(episode: Episode) -> OutboundReferral | None:
    return db.session.scalar(
        select(OutboundReferral).where(OutboundReferral.episode_id == episode.id)
    )
