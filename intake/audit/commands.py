"""``flask audit verify`` checks the chain; ``flask audit seal`` seals waiting rows;
``flask audit grant ROLE`` sets a role's rights."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from intake.audit.chain import SEAL_BOUND, verify_chain
from intake.audit.roles import UnknownRoleError, grant_app_role
from intake.audit.services import seal_pending
from intake.extensions import db


@click.group("audit")
def audit_group() -> None:
    """The audit trail: check its chain, set the application role's privileges."""


@audit_group.command("verify")
@with_appcontext
def verify_command() -> None:
    """Recompute the HMAC chain; print OK, or every problem: the first row that breaks the
    chain, rows whose own MAC does not match, rows left unsealed for too long."""
    report = verify_chain(db.session())
    db.session.rollback()
    if report.ok:
        waiting = f" ({report.waiting} more awaiting their seal)" if report.waiting else ""
        click.echo(f"audit chain OK: {report.checked} events{waiting}")
        return
    if report.reason is not None:
        click.echo(
            f"audit chain BROKEN at event id {report.broken_id}: {report.reason} "
            f"({report.checked} events verified before it)"
        )
    if report.forged:
        click.echo(
            "audit rows whose own MAC does not match (written or changed without the key), "
            f"event ids: {_ids(report.forged)}"
        )
    if report.overdue:
        click.echo(
            f"audit rows unsealed for more than {int(SEAL_BOUND.total_seconds())} s "
            f"(is the sealer running?), event ids: {_ids(report.overdue)}"
        )
    raise click.exceptions.Exit(1)


def _ids(ids: tuple[int, ...], shown: int = 50) -> str:
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(str(number) for number in ids[:shown]) + more


@audit_group.command("seal")
@click.option("--rescan", is_flag=True, help="Look at every row, not only the recent ones.")
@with_appcontext
def seal_command(rescan: bool) -> None:
    """Seal the audit rows waiting for their place in the chain (the worker does this too)."""
    sealed, refused = 0, 0
    while True:
        result = seal_pending(rescan=rescan)
        sealed += result.sealed
        refused = len(result.refused)
        if result.sealed == 0:
            break
    click.echo(f"sealed {sealed} audit events")
    if refused:
        click.echo(f"{refused} rows refused: their own MAC does not match (see flask audit verify)")


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
