"""``flask triage score``: JSON Lines in, one result per line out; no database."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from intake.triage.rules import score_jsonl_line

triage_group = AppGroup("triage", help="Triage rules.")


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
