"""``flask keys``: encryption key maintenance."""

from __future__ import annotations

import click
from cryptography.fernet import Fernet
from flask.cli import AppGroup

from intake.audit.services import record
from intake.audit.tags import AuditTag
from intake.extensions import db
from intake.security.rotation import rotate_all

keys_group = AppGroup("keys", help="Encryption keys.")


@keys_group.command("generate")
def generate_command() -> None:
    """Print a new Fernet key (put it first in ENCRYPTION_KEYS, then run `keys rotate`)."""
    click.echo(Fernet.generate_key().decode())


@keys_group.command("rotate")
@click.option("--batch-size", default=500, show_default=True)
def rotate_command(batch_size: int) -> None:
    """Re-encrypt every encrypted value under the first key in ENCRYPTION_KEYS."""
    counts = rotate_all(batch_size=batch_size)
    record(AuditTag.KEYS_ROTATED, detail={table: count for table, count in counts.items()})
    db.session.commit()
    for table, count in counts.items():
        click.echo(f"{table}: {count} values re-encrypted")
