"""``flask seed-demo --inquiries N``: a year of realistic admissions data, fast enough to load
100,000 inquiries on PostgreSQL in well under two minutes.

Everything is generated in memory from one seeded random generator (the same ``--seed`` gives
the same people, answers, stages and times), then written in batches of SQLAlchemy Core table
rows, with ids given here rather than returned one by one: ``INSERT`` executemany on SQLite,
``COPY`` on PostgreSQL (psycopg 3's executemany sends one statement per row). Every value goes
through its column's type first, so personal fields are encrypted and email and phone
blind-indexed exactly as the application stores them.

What one inquiry brings, on average: a person (about one in twelve inquiries is a person writing
again and joins their episode; about one in thirty shares a phone with someone else and becomes a
duplicate candidate), its triage result and case with a contact clock, the substances it named,
an episode at a stage of the pipeline with its stage history (some closed, with a reason), and
about three activity rows in all: stage changes, contact attempts, tasks and case notes.

Where inquiries come from: the web form (a landing page, campaign parameters on some), three
websites' API keys, phone calls and walk-ins taken by staff; a dozen referrers (organisations and
professionals) sent about one episode in eight, and episodes closed as referred elsewhere are
referred out to one of them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select, text

from intake.auth.models import User
from intake.crm.episodes import CAUSE_CLOSE, CAUSE_CONTACT, CAUSE_INQUIRY, CAUSE_STAFF
from intake.crm.models import (
    CaseNote,
    DuplicateCandidate,
    Episode,
    EpisodeInquiry,
    EpisodeReferral,
    InquirySubstance,
    OutboundReferral,
    Person,
    ReferralSource,
    Referrer,
    StageChange,
    Task,
)
from intake.crm.services import email_index, phone_index
from intake.crm.vocabulary import CLOSED, CloseReason, DuplicateReason, DuplicateStatus, TaskKind
from intake.extensions import db
from intake.public.models import Inquiry
from intake.public.services import REFERENCE_ALPHABET
from intake.triage.models import ContactAttempt, TriageCase, TriageResult
from intake.vocabulary import (
    SUBSTANCES,
    CaseStatus,
    ContactChannel,
    ContactOutcome,
    ForWhom,
    InquirySource,
    Language,
    Priority,
    ReferralChannel,
    ReferrerKind,
    Stage,
)

BATCH = 5000
RULESET = "demo-bulk"
CONSENT_VERSION = "demo-bulk-1"
CONSENT_TEXT = "Demo data: consent as the inquiry form asks for it."
DAYS = 365

# Where inquiries come from: the form, the names admins gave four websites' API keys, and
# calls and visits staff took down.
SOURCES = (
    (InquirySource.WEB_FORM.value, 50),
    ("partner-clinic-site", 14),
    ("helpline-directory", 11),
    ("gp-referral-portal", 9),
    ("employer-assistance", 7),
    (InquirySource.PHONE.value, 7),
    (InquirySource.WALK_IN.value, 2),
)
# The channel each source arrives by (the rest are API keys).
SOURCE_CHANNELS = {
    InquirySource.WEB_FORM.value: ReferralChannel.WEB,
    InquirySource.PHONE.value: ReferralChannel.PHONE,
    InquirySource.WALK_IN.value: ReferralChannel.WALK_IN,
}
LANDING_PAGES = ("/", "/help", "/help/alcohol", "/help/family")
CAMPAIGNS = ("winter-2026", "family-support", "gp-outreach")
# Referring organisations (names in clear) and professionals (name and contact encrypted), with
# how often each sends someone; the last organisation is where the clinic refers people out.
REFERRER_ORGANISATIONS = (
    ("Centro de Salud La Latina", 6),
    ("Hospital Universitario del Norte", 5),
    ("Riverside GP Practice", 5),
    ("Hausarztpraxis am Markt", 3),
    ("Employee Assistance Partners", 4),
    ("Maison de santé Belleville", 2),
    ("Studio Medico Colombo", 2),
    ("Community outreach team", 1),
)
REFERRER_PROFESSIONALS = (
    ("Dr. Elena Ruiz", "Centro de Salud La Latina", 3),
    ("Dr. James Walker", "Riverside GP Practice", 3),
    ("Dipl.-Psych. Anna Becker", None, 2),
    ("Dr. Luca Romano", "Studio Medico Colombo", 1),
)
REFERRED_EPISODES = 0.12
PRIORITIES = ((Priority.P0, 2), (Priority.P1, 10), (Priority.P2, 60), (Priority.P3, 28))
# Where an episode ends up, before closing (weights out of 100).
STAGE_WEIGHTS = (
    (Stage.NEW, 100),
    (Stage.CONTACTED, 66),
    (Stage.PRE_ASSESSMENT, 12),
    (Stage.CLINICAL_REVIEW, 8),
    (Stage.OFFER, 4),
    (Stage.ADMITTED, 4),
    (Stage.DISCHARGED, 3),
    (Stage.ALUMNI, 3),
)
CLOSABLE = (Stage.NEW, Stage.CONTACTED, Stage.PRE_ASSESSMENT, Stage.CLINICAL_REVIEW, Stage.OFFER)
CLOSE_REASONS = (
    (CloseReason.COULD_NOT_REACH, 35),
    (CloseReason.CHOSE_OTHER_PROVIDER, 15),
    (CloseReason.COST, 15),
    (CloseReason.NOT_APPROPRIATE, 10),
    (CloseReason.REFERRED_ELSEWHERE, 10),
    (CloseReason.DUPLICATE, 10),
    (CloseReason.NOT_REAL, 5),
)
# Country, language, mobile prefix and how many digits follow it, weight.
COUNTRIES = (
    ("ES", Language.ES, "+346", 8, 30),
    ("GB", Language.EN, "+447", 9, 25),
    ("DE", Language.DE, "+4915", 9, 15),
    ("FR", Language.FR, "+336", 8, 10),
    ("IT", Language.IT, "+393", 9, 10),
    ("CH", Language.DE, "+417", 8, 10),
)
FIRST_NAMES = {
    Language.ES: ("Ana", "Javier", "Lucía", "Carlos", "Marta", "Pablo", "Elena", "Diego"),
    Language.EN: ("Emma", "Oliver", "Sophie", "James", "Chloe", "Harry", "Grace", "Jack"),
    Language.DE: ("Lena", "Jonas", "Mia", "Lukas", "Hannah", "Felix", "Laura", "Paul"),
    Language.FR: ("Camille", "Louis", "Chloé", "Hugo", "Manon", "Jules", "Léa", "Lucas"),
    Language.IT: ("Giulia", "Marco", "Sofia", "Luca", "Chiara", "Matteo", "Sara", "Andrea"),
}
LAST_NAMES = {
    Language.ES: ("García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Ruiz", "Díaz"),
    Language.EN: ("Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Wright"),
    Language.DE: ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker"),
    Language.FR: ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit"),
    Language.IT: ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo"),
}
MESSAGES = {
    Language.ES: "Necesito ayuda para dejar de tomar pastillas, ¿pueden llamarme?",
    Language.EN: "I would like to talk to someone about my drinking. Please call me back.",
    Language.DE: "Ich brauche Hilfe und möchte gern zurückgerufen werden.",
    Language.FR: "J'ai besoin d'aide, pouvez-vous me rappeler en fin de journée ?",
    Language.IT: "Ho bisogno di aiuto, potete richiamarmi nel pomeriggio?",
}
NOTES = (
    "Prefers calls after 18:00.",
    "Asked about the cost of a stay; sent the leaflet.",
    "Wants to talk it over with family first.",
    "Insurance details to follow.",
)
# Minutes to the first contact that reaches the person, by priority: a typical wait.
TYPICAL_WAIT = {Priority.P0: 10, Priority.P1: 120, Priority.P2: 600, Priority.P3: 2000}


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([item for item, _w in weighted], [w for _i, w in weighted])[0]


@dataclass
class _Ids:
    """The next id of each table, taken once from the database (ids are given, not returned)."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass
class _Person:
    id: int
    name: str
    email: str | None
    phone: str | None
    language: str
    country: str
    episode_id: int | None = None
    episode_open: bool = False


@dataclass
class SeedReport:
    """How many rows of each kind were written."""

    counts: dict[str, int] = field(default_factory=dict)

    @property
    def activity(self) -> int:
        """Stage changes, contact attempts, tasks and case notes: the activity rows."""
        return sum(
            self.counts.get(name, 0)
            for name in ("stage_changes", "contact_attempts", "tasks", "case_notes")
        )


class _Writer:
    """Collects rows per table and writes them in batches of :data:`BATCH` with Core INSERTs
    (the column types still encrypt what they must)."""

    def __init__(self, report: SeedReport) -> None:
        # Parents before children, so foreign keys hold after every flush.
        self.tables = {table.name: table for table in (_table(model) for model in WRITE_ORDER)}
        self.pending: dict[str, list[dict[str, Any]]] = {name: [] for name in self.tables}
        self.report = report
        self.copy = db.session.get_bind().dialect.name == "postgresql"

    def add(self, table: Table, row: dict[str, Any]) -> None:
        rows = self.pending[table.name]
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush()

    def _insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not self.copy:
            db.session.execute(insert(table), rows)
            return
        # PostgreSQL: the batch goes in with COPY on the session's own connection and
        # transaction, each value first passed through its column type's bind processor (so
        # personal fields are encrypted exactly as an INSERT would). About ten times faster than
        # psycopg 3's executemany, which sends one INSERT per row.
        connection = db.session.connection()
        dialect = connection.dialect
        columns = list(table.columns)
        processors = [column.type.bind_processor(dialect) for column in columns]
        names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
        raw = connection.connection.dbapi_connection
        assert raw is not None  # noqa: S101  (an open session connection)
        cursor = raw.cursor()
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        value if processor is None or value is None else processor(value)
                        for value, processor in zip(
                            (row.get(column.name) for column in columns), processors, strict=True
                        )
                    ]
                )

    def flush(self) -> None:
        for name, table in self.tables.items():
            rows = self.pending[name]
            if rows:
                self._insert(table, rows)
                self.report.counts[name] = self.report.counts.get(name, 0) + len(rows)
                self.pending[name] = []


WRITE_ORDER = (
    Referrer,
    Person,
    DuplicateCandidate,
    Inquiry,
    InquirySubstance,
    ReferralSource,
    TriageResult,
    TriageCase,
    ContactAttempt,
    Episode,
    StageChange,
    EpisodeInquiry,
    EpisodeReferral,
    OutboundReferral,
    Task,
    CaseNote,
)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _start_ids() -> _Ids:
    ids = _Ids()
    for model in (
        Person,
        Inquiry,
        TriageResult,
        TriageCase,
        Episode,
        StageChange,
        ContactAttempt,
        Task,
        CaseNote,
        DuplicateCandidate,
        Referrer,
        ReferralSource,
        OutboundReferral,
    ):
        table = _table(model)
        current = db.session.scalar(select(func.max(table.c.id))) or 0
        ids.next[table.name] = int(current) + 1
    return ids


def _reference(rng: random.Random) -> str:
    chars = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(10))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def _phone(rng: random.Random, prefix: str, digits: int) -> str:
    return prefix + "".join(rng.choice("0123456789") for _ in range(digits))


def already_seeded(seed: int) -> bool:
    """Whether this seed's data is in the database (its first reference exists)."""
    first = _reference(random.Random(seed))  # noqa: S311  (demo data, reproducible by design)
    return db.session.scalar(select(Inquiry.id).where(Inquiry.reference == first)) is not None


def seed_inquiries(count: int, seed: int, now: datetime, targets: Mapping[str, int]) -> SeedReport:
    """Write ``count`` inquiries with everything around them (see the module docstring) in the
    session's transaction; the caller commits. ``targets`` are the contact targets in minutes
    per priority (``CONTACT_TARGET_MINUTES``)."""
    # References come from their own generator, so :func:`already_seeded` can find the first.
    references = random.Random(seed)  # noqa: S311  (demo data, reproducible by design)
    rng = random.Random(f"data-{seed}")  # noqa: S311
    staff = list(db.session.scalars(select(User.id).where(User.active.is_(True)).order_by(User.id)))
    if not staff:
        raise ValueError("no active staff to own the episodes: run seed-demo without --inquiries")
    ids = _start_ids()
    report = SeedReport()
    writer = _Writer(report)
    referrers = _referrers(writer, ids, staff[0], now - timedelta(days=DAYS + 1))
    people: list[_Person] = []
    seen_references: set[str] = set()
    start = now - timedelta(days=DAYS)
    # Arrival times in order, so ids grow with time as they do in real life.
    arrivals = sorted(start + timedelta(seconds=rng.uniform(0, DAYS * 86400)) for _ in range(count))
    for received in arrivals:
        reference = _reference(references)
        while reference in seen_references:
            reference = _reference(references)
        seen_references.add(reference)
        _one_inquiry(rng, writer, ids, people, staff, received, reference, now, targets, referrers)
    writer.flush()
    _reset_sequences(ids)
    return report


def _referrers(writer: _Writer, ids: _Ids, created_by: int, at: datetime) -> list[tuple[int, int]]:
    """The referrer rows; (id, weight) of each, the outreach team (the referral target) last."""
    made: list[tuple[int, int]] = []
    for name, organisation, weight in REFERRER_PROFESSIONALS:
        referrer_id = ids.take("referrers")
        writer.add(
            _table(Referrer),
            {
                "id": referrer_id,
                "kind": ReferrerKind.PROFESSIONAL.value,
                "organisation": organisation,
                "professional_name": name,
                "contact": f"referrals{referrer_id}@example.org",
                "active": True,
                "created_at": at,
                "created_by_id": created_by,
                "updated_at": None,
            },
        )
        made.append((referrer_id, weight))
    for organisation, weight in REFERRER_ORGANISATIONS:
        referrer_id = ids.take("referrers")
        writer.add(
            _table(Referrer),
            {
                "id": referrer_id,
                "kind": ReferrerKind.ORGANISATION.value,
                "organisation": organisation,
                "professional_name": None,
                "contact": None,
                "active": True,
                "created_at": at,
                "created_by_id": created_by,
                "updated_at": None,
            },
        )
        made.append((referrer_id, weight))
    return made


def _new_person(
    rng: random.Random, writer: _Writer, ids: _Ids, received: datetime, phone: str | None = None
) -> _Person:
    country, language, prefix, digits, _w = _pick(rng, [(c, c[4]) for c in COUNTRIES])
    first = rng.choice(FIRST_NAMES[language])
    last = rng.choice(LAST_NAMES[language])
    person_id = ids.take("people")
    email = None
    if rng.random() < 0.8:
        handle = f"{first}.{last}".lower().replace(" ", "")
        email = f"{handle}.{person_id}@example.net"
    if phone is None and rng.random() < 0.7:
        phone = _phone(rng, prefix, digits)
    person = _Person(person_id, f"{first} {last}", email, phone, language.value, country)
    writer.add(
        _table(Person),
        {
            "id": person_id,
            "created_at": received,
            "name": person.name,
            "email": email,
            "phone": phone,
            "email_index": email_index(email) if email else None,
            "phone_index": phone_index(phone) if phone else None,
            "language": person.language,
            "country": country,
            "merged_into_id": None,
        },
    )
    return person


def _one_inquiry(
    rng: random.Random,
    writer: _Writer,
    ids: _Ids,
    people: list[_Person],
    staff: Sequence[int],
    received: datetime,
    reference: str,
    now: datetime,
    targets: Mapping[str, int],
    referrers: Sequence[tuple[int, int]],
) -> None:
    repeat = bool(people) and rng.random() < 0.08
    if repeat:
        person = rng.choice(people[-500:])
    else:
        shared = None
        if people and rng.random() < 0.03:
            # Someone writing from a phone another person already gave: a duplicate candidate.
            other = rng.choice(people)
            shared = other.phone
        person = _new_person(rng, writer, ids, received, phone=shared)
        if shared is not None:
            writer.add(
                _table(DuplicateCandidate),
                {
                    "id": ids.take("duplicate_candidates"),
                    "person_low_id": other.id,
                    "person_high_id": person.id,
                    "reasons": DuplicateReason.PHONE.value,
                    "name_score": rng.randint(20, 70),
                    "status": (
                        DuplicateStatus.NOT_SAME.value
                        if rng.random() < 0.3
                        else DuplicateStatus.OPEN.value
                    ),
                    "found_at": received,
                    "decided_at": None,
                    "decided_by_id": None,
                },
            )
        people.append(person)

    priority: Priority = _pick(rng, PRIORITIES)
    source: str = _pick(rng, SOURCES)
    channel = SOURCE_CHANNELS.get(source, ReferralChannel.API)
    substances = rng.sample(SUBSTANCES, k=rng.choice((0, 1, 1, 1, 2)))
    inquiry_id = ids.take("inquiries")
    answers: dict[str, Any] = {
        "message": MESSAGES[Language(person.language)],
        "name": person.name,
        "language": person.language,
        "country": person.country,
    }
    if person.email:
        answers["email"] = person.email
    if person.phone:
        answers["phone"] = person.phone
    if substances:
        answers["substances"] = substances
    writer.add(
        _table(Inquiry),
        {
            "id": inquiry_id,
            "reference": reference,
            "person_id": person.id,
            "received_at": received,
            "source": source,
            "api_key_id": None,
            "language": person.language,
            "country": person.country,
            "for_whom": ForWhom.SELF.value if rng.random() < 0.7 else ForWhom.SOMEONE_ELSE.value,
            "preferred_channel": rng.choice(ContactChannel.codes()),
            "safe_to_leave_message": rng.random() < 0.6,
            "message": answers["message"],
            "best_time": None,
            "answers": answers,
            "consent_version": CONSENT_VERSION,
            "consent_text": CONSENT_TEXT,
            "submission_key": None,
            "submission_body_hash": None,
            "suspected_automated": False,
        },
    )
    for code in substances:
        writer.add(_table(InquirySubstance), {"inquiry_id": inquiry_id, "substance": code})
    campaign = channel == ReferralChannel.WEB and rng.random() < 0.3
    writer.add(
        _table(ReferralSource),
        {
            "id": ids.take("referral_sources"),
            "inquiry_id": inquiry_id,
            "channel": channel.value,
            "api_source": source if channel == ReferralChannel.API else None,
            "landing_page": (rng.choice(LANDING_PAGES) if channel == ReferralChannel.WEB else None),
            "utm_source": rng.choice(("google", "newsletter", "partner")) if campaign else None,
            "utm_medium": rng.choice(("cpc", "email", "referral")) if campaign else None,
            "utm_campaign": rng.choice(CAMPAIGNS) if campaign else None,
            "utm_term": None,
            "utm_content": None,
        },
    )
    writer.add(
        _table(TriageResult),
        {
            "id": ids.take("triage_results"),
            "inquiry_id": inquiry_id,
            "priority": priority.value,
            "ruleset": RULESET,
            "scored_at": received,
            "changed_by_id": None,
            "change_reason": None,
        },
    )

    # Where the episode ends up; a person writing again joins their open episode.
    joins = repeat and person.episode_open and person.episode_id is not None
    final: Stage = _pick(rng, STAGE_WEIGHTS)
    age_days = (now - received).days
    reached = final != Stage.NEW or (joins and rng.random() < 0.5)
    wait = timedelta(minutes=rng.lognormvariate(0, 0.9) * TYPICAL_WAIT[priority])
    reached_at = received + wait if reached and received + wait < now else None
    owner = rng.choice(staff)
    due_at = received + timedelta(minutes=int(targets.get(priority.value, 24 * 60)))
    closed = False
    close_reason: CloseReason | None = None
    if final in CLOSABLE and age_days > 14 and rng.random() < 0.35:
        closed = True
        close_reason = _pick(rng, CLOSE_REASONS)
        if final == Stage.NEW:
            close_reason = rng.choice(
                (CloseReason.COULD_NOT_REACH, CloseReason.DUPLICATE, CloseReason.NOT_REAL)
            )
    writer.add(
        _table(TriageCase),
        {
            "id": ids.take("triage_cases"),
            "inquiry_id": inquiry_id,
            "status": (
                CaseStatus.CONTACTED.value
                if reached_at
                else CaseStatus.CLOSED.value
                if closed
                else CaseStatus.CLAIMED.value
                if rng.random() < 0.3
                else CaseStatus.NEW.value
            ),
            "priority": priority.value,
            "received_at": received,
            "due_at": due_at,
            "assignee_id": owner,
            "claimed_at": received + wait / 2 if reached_at else None,
            "reached_at": reached_at,
            "closed_at": None,
            "close_reason": None,
            "version": 1,
        },
    )
    if reached_at is not None:
        if rng.random() < 0.15:
            _attempt(writer, ids, inquiry_id, owner, received + wait / 3, ContactOutcome.NO_ANSWER)
        _attempt(writer, ids, inquiry_id, owner, reached_at, ContactOutcome.REACHED)
    elif rng.random() < 0.25:
        _attempt(
            writer, ids, inquiry_id, owner, min(received + wait, now), ContactOutcome.LEFT_MESSAGE
        )

    if joins:
        assert person.episode_id is not None  # noqa: S101  (checked by ``joins``)
        episode_id = person.episode_id
    else:
        episode_id = _episode(
            rng, writer, ids, person, owner, received, reached_at, final, close_reason, now
        )
        _referral(rng, writer, ids, episode_id, owner, received, channel, close_reason, referrers)
        person.episode_id = episode_id
        person.episode_open = close_reason is None and final not in (
            Stage.DISCHARGED,
            Stage.ALUMNI,
        )
    writer.add(_table(EpisodeInquiry), {"inquiry_id": inquiry_id, "episode_id": episode_id})


def _attempt(
    writer: _Writer,
    ids: _Ids,
    inquiry_id: int,
    user_id: int,
    at: datetime,
    outcome: ContactOutcome,
) -> None:
    writer.add(
        _table(ContactAttempt),
        {
            "id": ids.take("contact_attempts"),
            "inquiry_id": inquiry_id,
            "user_id": user_id,
            "channel": ContactChannel.PHONE.value,
            "outcome": outcome.value,
            "attempted_at": at,
            "note": None,
        },
    )


def _episode(
    rng: random.Random,
    writer: _Writer,
    ids: _Ids,
    person: _Person,
    owner: int,
    received: datetime,
    reached_at: datetime | None,
    final: Stage,
    close_reason: CloseReason | None,
    now: datetime,
) -> int:
    """The episode, its stage history up to ``final`` (and its close), a task and a note for
    some; the episode's id."""
    episode_id = ids.take("episodes")
    path = list(Stage)[: list(Stage).index(final) + 1]
    if reached_at is None:
        path = path[:1]
    history: list[tuple[str | None, str, datetime, str]] = []
    at = received
    previous: str | None = None
    for stage in path:
        if stage == Stage.CONTACTED and reached_at is not None:
            at, cause = reached_at, CAUSE_CONTACT
        elif stage == Stage.NEW:
            cause = CAUSE_INQUIRY
        else:
            at, cause = at + timedelta(days=rng.uniform(1, 10)), CAUSE_STAFF
        at = min(at, now)
        history.append((previous, stage.value, at, cause))
        previous = stage.value
    closed_at = None
    if close_reason is not None:
        closed_at = min(at + timedelta(days=rng.uniform(1, 14)), now)
        history.append((previous, CLOSED, closed_at, CAUSE_CLOSE))
    # The episode before its history: a batch may be written between any two rows.
    stage_entered = max(
        (changed for _f, to, changed, _c in history if to != CLOSED), default=received
    )
    writer.add(
        _table(Episode),
        {
            "id": episode_id,
            "person_id": person.id,
            "stage": path[-1].value,
            "stage_entered_at": stage_entered,
            "owner_id": owner,
            "opened_at": received,
            "closed_at": closed_at,
            "close_reason": close_reason.value if close_reason else None,
            "referred_to": (
                "Community outreach team"
                if close_reason == CloseReason.REFERRED_ELSEWHERE
                else None
            ),
            "referral_note": None,
            "version": 1,
        },
    )
    for from_stage, to_stage, changed_at, cause in history:
        writer.add(
            _table(StageChange),
            {
                "id": ids.take("stage_changes"),
                "episode_id": episode_id,
                "from_stage": from_stage,
                "to_stage": to_stage,
                "actor_id": None if cause in (CAUSE_INQUIRY, CAUSE_CONTACT) else owner,
                "changed_at": changed_at,
                "cause": cause,
            },
        )
    if rng.random() < 0.2:
        due = received + timedelta(days=rng.uniform(0, 20))
        done = due + timedelta(hours=rng.uniform(1, 48)) if due < now - timedelta(days=2) else None
        writer.add(
            _table(Task),
            {
                "id": ids.take("tasks"),
                "episode_id": episode_id,
                "kind": rng.choice(TaskKind.codes()),
                "due_at": due,
                "owner_id": owner,
                "note": None,
                "created_at": received,
                "created_by_id": owner,
                "done_at": done if closed_at is None or done is not None else closed_at,
                "done_by_id": owner if done is not None else None,
            },
        )
    if rng.random() < 0.1:
        writer.add(
            _table(CaseNote),
            {
                "id": ids.take("case_notes"),
                "episode_id": episode_id,
                "author_id": owner,
                "body": rng.choice(NOTES),
                "created_at": min(received + timedelta(hours=rng.uniform(1, 72)), now),
            },
        )
    return episode_id


def _referral(
    rng: random.Random,
    writer: _Writer,
    ids: _Ids,
    episode_id: int,
    owner: int,
    received: datetime,
    channel: ReferralChannel,
    close_reason: CloseReason | None,
    referrers: Sequence[tuple[int, int]],
) -> None:
    """Who referred a new episode's person (about one in eight) and how a call or a visit
    reached the clinic, as staff set it; and where an episode referred elsewhere went."""
    referred = rng.random() < REFERRED_EPISODES
    taken = channel in (ReferralChannel.PHONE, ReferralChannel.WALK_IN)
    if referred or taken:
        writer.add(
            _table(EpisodeReferral),
            {
                "episode_id": episode_id,
                "referrer_id": _pick(rng, referrers[:-1]) if referred else None,
                "channel": channel.value if taken else None,
                "set_at": received,
                "set_by_id": owner,
            },
        )
    if close_reason == CloseReason.REFERRED_ELSEWHERE:
        writer.add(
            _table(OutboundReferral),
            {
                "id": ids.take("outbound_referrals"),
                "episode_id": episode_id,
                "referrer_id": referrers[-1][0],
                "referred_at": received,
                "referred_by_id": owner,
            },
        )


def _reset_sequences(ids: _Ids) -> None:
    """PostgreSQL: move each id sequence past the ids given here (SQLite needs nothing)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for name in ids.next:
        db.session.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :value, false)"),
            {"table": name, "value": ids.next[name]},
        )
