"""The WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""

import os
import sys

from intake import create_app
from intake.triage.rules.engine import warm_up

app = create_app()

# A server compiles the triage lexicons at start, in the background, so the first person who
# writes does not wait for it; other ``flask`` commands (migrations, ``triage score``) do not.
if not os.environ.get("FLASK_RUN_FROM_CLI") or "run" in sys.argv[1:]:
    warm_up()
