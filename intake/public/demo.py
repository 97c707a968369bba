"""Realistic demo inquiries in the five languages, across every priority, for `flask seed-demo`.

Contact details use reserved example domains and fictional number ranges.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from intake.extensions import db
from intake.public.models import Inquiry
from intake.public.validation import validate_inquiry
from intake.usecases.accept_inquiry import accept_inquiry
from intake.vocabulary import ContactChannel, ForWhom, InquirySource, Language

DEMO_SOURCE = InquirySource.DEMO

DEMO_INQUIRIES: tuple[dict[str, Any], ...] = (
    {
        "message": "My brother mixed his valium with heroin and I can't wake him",
        "phone": "+1 646 555 0101",
        "country": "US",
        "language": Language.EN,
        "for_whom": ForWhom.SOMEONE_ELSE,
    },
    {
        "message": "I'm done with ativan. Throwing them all away tomorrow and stopping.",
        "email": "demo.alex@example.net",
        "country": "CA",
        "language": Language.EN,
        "preferred_channel": ContactChannel.EMAIL,
    },
    {
        "message": "I would like to talk to someone about inpatient detox from benzodiazepines.",
        "email": "demo.sam@example.net",
        "name": "Sam",
        "country": "GB",
        "language": Language.EN,
        "screen": {
            "wish_dead": "no",
            "better_off_dead": "no",
            "thoughts_killing_self": "no",
            "ever_tried": "no",
        },
    },
    {
        "message": "Do you have a brochure about the luxury programme and prices?",
        "email": "demo.hr@example.com",
        "country": "US",
        "language": Language.EN,
        "for_whom": ForWhom.PROFESSIONAL,
    },
    {
        "message": "Pienso en suicidarme casi todos los días, no puedo dejar el Orfidal",
        "phone": "+34 611 222 444",
        "country": "ES",
        "language": Language.ES,
        "safe_to_leave_message": False,
        "best_time": "por la noche",
    },
    {
        "message": "Quisiera información sobre precios y programas",
        "email": "demo.lucia@example.org",
        "country": "ES",
        "language": Language.ES,
    },
    {
        "message": "Mein Vater hatte heute einen Krampfanfall nach dem Absetzen von Lorazepam",
        "phone": "+49 160 1234567",
        "country": "DE",
        "language": Language.DE,
        "for_whom": ForWhom.SOMEONE_ELSE,
    },
    {
        "message": "Ich brauche Hilfe beim Ausschleichen von Diazepam.",
        "email": "demo.jonas@example.org",
        "country": "CH",
        "language": Language.DE,
        "substances": ["diazepam"],
    },
    {
        "message": "Je bois tous les soirs et je prends du Lexomil pour dormir",
        "email": "demo.camille@example.org",
        "country": "FR",
        "language": Language.FR,
        "substances": ["other_benzodiazepine", "alcohol"],
    },
    {
        "message": "Bonjour, j'aimerais des informations sur la désintoxication.",
        "phone": "+33 6 98 76 54 32",
        "country": "FR",
        "language": Language.FR,
    },
    {
        "message": "Non riesco a smettere con il Tavor, ho bisogno di aiuto",
        "email": "demo.giulia@example.org",
        "country": "IT",
        "language": Language.IT,
        "risk": {"daily_benzo_use": True},
    },
    {
        "message": "help",
        "email": "demo.quiet@example.net",
        "country": "GB",
        "language": Language.EN,
        "screen": {
            "wish_dead": "yes",
            "better_off_dead": "yes",
            "thoughts_killing_self": "yes",
            "ever_tried": "no",
            "thoughts_now": "yes",
        },
    },
)


def seed_demo_inquiries() -> int:
    """Add the demo inquiries once; return how many were added."""
    existing = db.session.scalar(
        select(func.count()).select_from(Inquiry).where(Inquiry.source == DEMO_SOURCE)
    )
    if existing:
        return 0
    added = 0
    for index, raw in enumerate(DEMO_INQUIRIES):
        data, errors = validate_inquiry({**raw, "consent": True})
        if data is None:
            raise ValueError(f"demo inquiry {index} is invalid: {sorted(errors)}")
        accept_inquiry(data, source=DEMO_SOURCE, submission_key=f"demo-{index}")
        added += 1
    return added
