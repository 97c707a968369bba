"""The real application plus one bare endpoint, for ``bench/write_path.py`` (served by gunicorn).

``POST /bench/bare`` inserts one row into ``bench_rows`` on the same engine and answers 201:
the physical limit of a write on this server and database, with nothing of ours in the way.

With ``BENCH_SCORE_ONCE`` set (``write_path.py --score-once``), a diagnosis and never the
measure of the goal: the inquiry use case scores each distinct inquiry once and reuses the
outcome, so the API path's ratio shows what everything but triage costs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from bench_app_table import bench_rows
from flask import request

from intake import create_app
from intake.auth.permissions import public
from intake.extensions import csrf, db
from intake.triage.rules.engine import warm_up

app = create_app()
warm_up()  # as wsgi.py does in every server process: no worker meets its first inquiry cold

if os.environ.get("BENCH_SCORE_ONCE"):
    import intake.usecases.accept_inquiry as accept_inquiry
    from intake.triage.rules import TriageOutcome, score

    outcomes: dict[str, TriageOutcome] = {}

    def score_once(answers: Mapping[str, Any]) -> TriageOutcome:
        key = json.dumps(answers, sort_keys=True, default=str)
        if key not in outcomes:
            outcomes[key] = score(answers)
        return outcomes[key]

    accept_inquiry.score = score_once  # type: ignore[assignment]


@public
def bare() -> tuple[str, int]:
    db.session.execute(bench_rows.insert().values(body=request.get_data(as_text=True)[:2000]))
    db.session.commit()
    return "created", 201


app.add_url_rule("/bench/bare", "bench_bare", csrf.exempt(bare), methods=["POST"])
