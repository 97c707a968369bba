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
