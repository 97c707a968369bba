"""``flask audit verify`` checks the chain; ``flask audit grant ROLE`` sets a role's rights."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from intake.audit.chain import verify_chain
from intake.audit.roles import UnknownRoleError, grant_app_role
from intake.extensions import db


@click.group("audit")
def audit_group() -> None:
    """The audit trail: check its chain, set the application role's privileges."""


@audit_group.command("verify")
@with_appcontext
def verify_command() -> None:
    """Recompute the HMAC chain; print OK or the id of the first row that breaks it."""
    report = verify_chain(db.session())
    db.session.rollback()
    if report.ok:
        click.echo(f"audit chain OK: {report.checked} events")
        return
    click.echo(
        f"audit chain BROKEN at event id {report.broken_id}: {report.reason} "
        f"({report.checked} events verified before it)"
    )
    raise click.exceptions.Exit(1)


@audit_group.command("grant")
@click.argument("role")
@with_appcontext
def grant_command(role: str) -> None:
    """Let ROLE use the tables, with only INSERT and SELECT on audit_events (PostgreSQL).

    Runs as MIGRATION_DATABASE_URL (the owner) when it is set.
    """
    url = current_app.config.get("MIGRATION_DATABASE_URI")
    engine = create_engine(url, poolclass=NullPool) if url else db.engine
    try:
        with engine.begin() as connection:
            applied = grant_app_role(connection, role)
    except UnknownRoleError as exc:
        raise click.ClickException(str(exc)) from exc
    if not applied:
        click.echo("SQLite has no roles: nothing to grant (the chain still guards the trail)")
        return
    click.echo(f"granted {role}: tables read/write, audit_events insert and select only")
