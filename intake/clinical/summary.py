"""The one-page intake summary for the clinical meeting: what the person wrote, the triage
flags, the contact history and the consents, with the § 2.32 redisclosure notice.

The page prints through its print stylesheet (``static/css/consent-print.css``); the PDF is the
same HTML rendered by WeasyPrint when its system libraries (Pango) are installed, and refused
with a message when they are not. WeasyPrint fetches nothing: the stylesheet is read from the
package and every other URL is refused, so a crafted record cannot make the server fetch one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake.clinical.consent_models import Consent
from intake.clinical.consents import consents_of
from intake.crm.models import Person
from intake.public.models import Inquiry
from intake.triage.models import ContactAttempt, TriageResult
from intake.triage.services import attempts_for, current_result

PRINT_CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "consent-print.css"


@dataclass(frozen=True)
class InquiryPart:
    inquiry: Inquiry
    answers: list[tuple[str, str]]
    result: TriageResult | None
    attempts: list[ContactAttempt]


@dataclass(frozen=True)
class IntakeSummary:
    person: Person
    inquiries: list[InquiryPart]
    consents: list[Consent]


def flatten_answers(answers: dict[str, Any] | None, prefix: str = "") -> list[tuple[str, str]]:
    """The answers document as (question code, answer) pairs, nested keys joined with dots."""
    pairs: list[tuple[str, str]] = []
    for key, value in (answers or {}).items():
        code = f"{prefix}{key}"
        if isinstance(value, dict):
            pairs.extend(flatten_answers(value, code + "."))
        elif isinstance(value, list | tuple):
            pairs.append((code, ", ".join(str(item) for item in value)))
        elif value is not None and value != "":
            pairs.append((code, str(value)))
    return pairs


def intake_summary(person: Person) -> IntakeSummary:
    """Everything the summary shows about ``person`` (newest inquiry first)."""
    parts = [
        InquiryPart(
            inquiry=inquiry,
            answers=flatten_answers(inquiry.answers),
            result=current_result(inquiry.id),
            attempts=list(attempts_for(inquiry.id)),
        )
        for inquiry in sorted(person.inquiries, key=lambda i: i.received_at, reverse=True)
    ]
    return IntakeSummary(person=person, inquiries=parts, consents=list(consents_of(person.id)))


def pdf_available() -> bool:
    """Whether WeasyPrint and its system libraries can be loaded here."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError("the summary fetches nothing")


def render_pdf(html: str) -> bytes | None:
    """The summary page as PDF, or None when WeasyPrint cannot run here."""
    try:
        from weasyprint import CSS, HTML
    except (ImportError, OSError):
        return None
    document = HTML(string=html, url_fetcher=_refuse_fetch)
    pdf: bytes = document.write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS))])
    return pdf
