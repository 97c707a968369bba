"""The real application plus one bare endpoint, for ``bench/write_path.py`` (served by gunicorn).

``POST /bench/bare`` inserts one row into ``bench_rows`` on the same engine and answers 201:
the physical limit of a write on this server and database, with nothing of ours in the way.
"""

from __future__ import annotations

from bench_app_table import bench_rows
from flask import request

from intake import create_app
from intake.auth.permissions import public
from intake.extensions import csrf, db

app = create_app()


@public
def bare() -> tuple[str, int]:
    db.session.execute(bench_rows.insert().values(body=request.get_data(as_text=True)[:2000]))
    db.session.commit()
    return "created", 201


app.add_url_rule("/bench/bare", "bench_bare", csrf.exempt(bare), methods=["POST"])
