"""The bare endpoint's table, created by ``write_path.py`` before the server starts."""

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, func

bench_metadata = MetaData()
bench_rows = Table(
    "bench_rows",
    bench_metadata,
    Column("id", Integer, primary_key=True),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=func.now()),
)
