"""The WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""

import os
import sys


def _scoring_only() -> bool:
    """``flask --app wsgi triage score``: the one command that needs nothing of the app.

    It reads JSON Lines and writes results; it opens no database, sends nothing and renders
    nothing, so building the whole application (about a second) would be its whole cost.
    """
    if not os.environ.get("FLASK_RUN_FROM_CLI"):
        return False
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    return any(args[i : i + 2] == ["triage", "score"] for i in range(len(args)))


if _scoring_only():
    from intake.triage.commands import create_scoring_app

    app = create_scoring_app()
else:
    from intake import create_app
    from intake.triage.rules.engine import warm_up

    app = create_app()

    # A server compiles the triage lexicons at start, in the background, so the first person
    # who writes does not wait for it; other ``flask`` commands (migrations, ``triage score``)
    # do not.
    if not os.environ.get("FLASK_RUN_FROM_CLI") or "run" in sys.argv[1:]:
        warm_up()
