"""Admissions CRM: people, contacts, episodes and their pipeline, duplicates and merges,
assignment and tasks.

:func:`init_app` loads the clinic's pipeline table, listens for the first contact that reaches a
person (triage announces it; triage does not import the CRM), and turns a CRM refusal that
reaches the top of a request into a clear 409 page instead of a 500.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from intake.crm.pipeline import Pipeline


def init_app(app: Flask) -> None:
    from intake.crm import episodes
    from intake.crm.errors import CrmRefusalError
    from intake.crm.pipeline import load_pipeline
    from intake.triage.events import contact_reached

    app.extensions["crm.pipeline"] = load_pipeline(
        app.config.get("PIPELINE_FILE"), app.config.get("PIPELINE")
    )
    # Blinker keeps one receiver per function, however many apps connect it.
    contact_reached.connect(episodes.on_contact_reached, weak=False)
    app.register_error_handler(CrmRefusalError, _refusal_page)


def current_pipeline() -> Pipeline:
    """The pipeline of the running application (the default outside one)."""
    from flask import current_app, has_app_context

    from intake.crm.pipeline import DEFAULT_PIPELINE, Pipeline

    if has_app_context():
        pipeline = current_app.extensions.get("crm.pipeline")
        if isinstance(pipeline, Pipeline):
            return pipeline
    return DEFAULT_PIPELINE


def _refusal_page(error: Exception) -> tuple[str, int]:
    from flask import render_template

    from intake.crm.errors import CrmRefusalError

    assert isinstance(error, CrmRefusalError)  # noqa: S101  (registered for this class only)
    return (
        render_template("crm/refused.html", message=error.message, code=error.code),
        error.status_code,
    )
