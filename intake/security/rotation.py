"""Re-encrypting every encrypted column under the newest key.

Works on raw tokens (no decryption into Python objects of the models), table by table, in
batches, each batch in its own transaction so a long rotation can be resumed: a token already
under the newest key is simply re-encrypted again.
"""

from __future__ import annotations

from sqlalchemy import Table, Text, literal, select, update

from intake.extensions import db
from intake.security.encryption import rotate_token
from intake.security.fields import ENCRYPTED_TYPES


def encrypted_columns() -> dict[Table, list[str]]:
    """Every table with encrypted columns, and the names of those columns."""
    found: dict[Table, list[str]] = {}
    for table in db.metadata.sorted_tables:
        names = [
            column.name for column in table.columns if isinstance(column.type, ENCRYPTED_TYPES)
        ]
        if names:
            found[table] = names
    return found


def rotate_all(batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every encrypted value; return how many values each table had."""
    counts: dict[str, int] = {}
    for table, names in encrypted_columns().items():
        primary_key = next(iter(table.primary_key.columns))
        raw_columns = [table.c[name].cast(Text) for name in names]  # bypass decryption
        last_id = None
        counts[table.name] = 0
        while True:
            query = select(primary_key, *raw_columns).order_by(primary_key).limit(batch_size)
            if last_id is not None:
                query = query.where(primary_key > last_id)
            rows = db.session.execute(query).all()
            if not rows:
                break
            for row in rows:
                values = {
                    name: rotate_token(token)
                    for name, token in zip(names, row[1:], strict=True)
                    if token is not None
                }
                if values:
                    db.session.execute(
                        update(table).where(primary_key == row[0]).values(**_raw(table, values))
                    )
                    counts[table.name] += len(values)
                last_id = row[0]
            db.session.commit()
    return counts


def _raw(table: Table, values: dict[str, str]) -> dict[str, object]:
    """Values written as plain text, so the column type does not encrypt them a second time."""

    return {name: literal(value, Text()) for name, value in values.items()}
