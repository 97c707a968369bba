"""``flask seed-demo``: demo staff accounts, the on-call rota and demo inquiries."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext

from intake.auth import services
from intake.auth.permissions import Role
from intake.core.types import utcnow
from intake.extensions import db
from intake.messaging.oncall import add_shift, shift_at
from intake.security.passwords import MIN_PASSWORD_LENGTH

DEMO_USERS: tuple[tuple[str, str, set[Role]], ...] = (
    ("admin@example.org", "Alex Admin", {Role.ADMIN}),
    ("admissions@example.org", "Sam Admissions", {Role.ADMISSIONS}),
    ("clinician@example.org", "Dr Robin Clinician", {Role.CLINICIAN}),
)


def seed_demo(password: str) -> list[str]:
    """Create the demo accounts that do not exist yet; return the emails created.

    The demo clinician is put on call for the next 30 days, with the admin as fallback, unless
    someone is on call already.
    """
    created = []
    for email, name, roles in DEMO_USERS:
        if services.email_taken(email):
            continue
        services.create_user(email=email, display_name=name, roles=roles, password=password)
        created.append(email)
    db.session.flush()
    if shift_at() is None:
        clinician = services.find_user_by_email("clinician@example.org")
        admin = services.find_user_by_email("admin@example.org")
        if clinician is not None:
            add_shift(clinician, utcnow(), timedelta(days=30), fallback=admin)
    db.session.commit()
    return created


@click.command("seed-demo")
@click.option("--password", required=True, help="Password for every demo account.")
@click.option(
    "--inquiries",
    type=click.IntRange(0, 2_000_000),
    default=0,
    show_default=True,
    help="Also generate this many realistic inquiries (a year of people, episodes, activity).",
)
@click.option(
    "--seed",
    type=int,
    default=2026,
    show_default=True,
    help="Random seed for --inquiries: the same seed gives the same data.",
)
@with_appcontext
def seed_demo_command(password: str, inquiries: int, seed: int) -> None:
    """Load demo staff accounts (idempotent), and with --inquiries N a bulk of demo data."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"use at least {MIN_PASSWORD_LENGTH} characters", param_hint="--password"
        )
    created = seed_demo(password)
    for email, _name, roles in DEMO_USERS:
        state = "created" if email in created else "already there"
        click.echo(f"{email:28} {','.join(sorted(roles)):12} {state}")
    from intake.public.demo import seed_demo_inquiries

    click.echo(f"demo inquiries added: {seed_demo_inquiries()}")
    if inquiries:
        _seed_bulk(inquiries, seed)


def _seed_bulk(count: int, seed: int) -> None:
    import time

    from flask import current_app

    from intake.usecases.demo_bulk import already_seeded, seed_inquiries

    if already_seeded(seed):
        click.echo(f"inquiries of seed {seed} are already there; use another --seed to add more")
        return
    started, cpu = time.perf_counter(), time.process_time()
    report = seed_inquiries(count, seed, utcnow(), current_app.config["CONTACT_TARGET_MINUTES"])
    db.session.commit()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    for table, rows in sorted(report.counts.items()):
        click.echo(f"{table:22} {rows:>9,}")
    click.echo(f"activity rows          {report.activity:>9,}")
    # The CPU time says how much of the wait was this process (on a busy machine, little).
    click.echo(f"{count:,} inquiries seeded in {seconds:.1f} s (CPU of this process {cpu:.1f} s)")
    # The reports' day rollups, as beat would make them: the first look at the dashboard after
    # seeding adds them up rather than aggregating everything.
    from intake.crm.use_cases import refresh_reports

    started = time.perf_counter()
    refresh_reports()
    click.echo(f"reports rollup refreshed in {time.perf_counter() - started:.1f} s")
