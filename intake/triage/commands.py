"""``flask triage score``: JSON Lines in, one result per line out; no database."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click
from flask.cli import AppGroup

from intake.triage.rules import score_jsonl_line

if TYPE_CHECKING:
    from flask import Flask

triage_group = AppGroup("triage", help="Triage rules.")


def create_scoring_app() -> Flask:
    """A bare application carrying only ``triage score`` (``wsgi.py`` uses it for that one
    command): no configuration, extensions, database or blueprints to build."""
    from flask import Flask

    app = Flask("intake")
    app.cli.add_command(triage_group)
    return app


@triage_group.command("score")
def score_command() -> None:
    """Score inquiries read as JSON Lines on standard input, in order."""
    import json

    # Exactly one output line per input line, blank ones included, so results stay aligned.
    for line in sys.stdin:
        click.echo(json.dumps(score_jsonl_line(line), ensure_ascii=False))


@triage_group.command("rescore")
def rescore_command() -> None:
    """Score open inquiries again with the current rule set (new results; never lowers)."""
    from intake.triage.rules import RULESET_VERSION
    from intake.triage.services import rescore_open_cases

    click.echo(
        f"re-scored {rescore_open_cases(RULESET_VERSION)} open inquiries with {RULESET_VERSION}"
    )
