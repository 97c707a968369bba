"""Clinical review: what clinicians record, and what may be told to whom.

The review queue, structured assessments with a level-of-care suggestion, and signed notes with
addenda live in ``models``, ``rules``, ``level_of_care``, ``signing``, ``services`` and
``use_cases``; their pages are ``views.bp``. The consent ledger, the disclosure log, break-glass
grants, the printable intake summary and the FHIR export live in the ``consent*``,
``disclosures``, ``break_glass``, ``summary`` and ``fhir`` modules; their pages are
``consent_views.bp``.

:func:`init_app` loads and checks the clinic's level-of-care table (``LEVEL_OF_CARE_FILE``, or
the plain default beside :mod:`intake.clinical.level_of_care`), has a person's consents and
disclosures follow them when two people are merged in the CRM (and back when the merge is undone),
and turns a clinical refusal that reaches the top of a request into a clear page with its status
instead of a 500.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from intake.clinical.consent_models import Consent, Disclosure
    from intake.clinical.errors import ClinicalRefusalError
    from intake.clinical.level_of_care import load_table
    from intake.crm.duplicates import move_with_merges

    app.extensions["clinical.level_table"] = load_table(app.config.get("LEVEL_OF_CARE_FILE"))
    # The consent ledger of a merged person applies to the surviving record.
    move_with_merges("consents", Consent)
    move_with_merges("disclosures", Disclosure)
    app.register_error_handler(ClinicalRefusalError, _refusal_page)


def _refusal_page(error: Exception) -> tuple[str, int]:
    from flask import render_template

    from intake.clinical.errors import ClinicalRefusalError, InvalidContentError
    from intake.clinical.labels import DIMENSION_LABELS, PROBLEM_MESSAGES

    assert isinstance(error, ClinicalRefusalError)  # noqa: S101  (registered for this class only)
    problems = []
    if isinstance(error, InvalidContentError):
        problems = [
            (DIMENSION_LABELS.get(name, name), PROBLEM_MESSAGES.get(code, code))
            for name, code in error.problems
        ]
    return (
        render_template(
            "clinical/refused.html", message=error.message, code=error.code, problems=problems
        ),
        error.status_code,
    )
