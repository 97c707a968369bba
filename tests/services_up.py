"""Exit 0 when the PostgreSQL and Redis named on the command line answer, else 1."""

from __future__ import annotations

import sys

import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def main(postgres_url: str, redis_url: str) -> int:
    try:
        engine = create_engine(
            make_url(postgres_url).set(drivername="postgresql+psycopg"),
            connect_args={"connect_timeout": 3},
        )
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:
        print(f"not reachable: {type(exc).__name__}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
