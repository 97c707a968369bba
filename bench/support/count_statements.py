"""How many SQL statements one inquiry costs, for ``bench/write_path.py``'s two paths.

Builds a temporary PostgreSQL database like the bench, drives the real application in-process
(Flask's test client), and prints the statements of one ``POST /api/v1/inquiries`` and of one
form submission (``GET /en/`` then ``POST /en/``), each with its beginning (``STATEMENT_WIDTH``
characters, 100 unless set), its length and its number of parameters (psycopg parses a
statement again on every execution past 4,096 characters or 50 parameters). Transaction
commands (BEGIN, COMMIT) are not counted.

    [STATEMENT_WIDTH=5000] .venv/bin/python bench/support/count_statements.py [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

WIDTH = int(os.environ.get("STATEMENT_WIDTH", "100"))

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from write_path import (  # noqa: E402  (the bench's own helpers)
    CSRF_INPUT,
    FORM_TOKEN,
    MESSAGES,
    empty_redis,
    in_process_api_post,
    issue_api_key,
    migrated_environment,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args(argv)
    with migrated_environment(args.postgres, args.redis) as (_database_url, env):
        key = issue_api_key(env)
        os.environ.update(env)
        from sqlalchemy import event

        from intake import create_app
        from intake.extensions import db

        app = create_app()
        statements: list[str] = []
        with app.app_context():

            @event.listens_for(db.engine, "before_cursor_execute")
            def _count(*arguments: Any) -> None:
                sql = str(arguments[2])
                params = arguments[3]
                count = len(params) if hasattr(params, "__len__") else 0
                statements.append(
                    " ".join(sql.split())[:WIDTH] + f" [{len(sql)} chars, {count} parameters]"
                )

        client = app.test_client()
        api = in_process_api_post(client, key)

        def form(number: int) -> None:
            page = client.get("/en/").get_data(as_text=True)
            csrf, token = CSRF_INPUT.search(page), FORM_TOKEN.search(page)
            assert csrf and token
            fields = {
                "csrf_token": csrf.group(1),
                "form_token": token.group(1),
                "consent": "y",
                "message": MESSAGES[number % len(MESSAGES)],
                "email": f"bench{number}@example.org",
                "country": "ES",
            }
            assert client.post("/en/", data=fields).status_code == 302

        for label, action in (("API request", api), ("form submission (GET + POST)", form)):
            for number in range(5):  # caches, pools, the key's first use
                action(number)
            statements.clear()
            action(100)
            print(f"{len(statements)} statements per {label}:")
            for statement in statements:
                print(f"  {statement}")
    empty_redis(args.redis)
    return 0


if __name__ == "__main__":
    sys.exit(main())
