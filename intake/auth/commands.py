"""``flask create-user``: make a staff account from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from intake.auth import services
from intake.auth.permissions import Role
from intake.extensions import db
from intake.security.passwords import MIN_PASSWORD_LENGTH


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="Repeat for several roles.",
)
@click.password_option(help="Asked for when not given.")
@with_appcontext
def create_user_command(
    email: str, display_name: str, roles: tuple[str, ...], password: str
) -> None:
    """Create a staff account with the given roles."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"use at least {MIN_PASSWORD_LENGTH} characters", param_hint="--password"
        )
    if services.email_taken(email):
        raise click.ClickException("there is already an account with this email")
    user = services.create_user(
        email=email, display_name=display_name, roles={Role(r) for r in roles}, password=password
    )
    db.session.commit()
    click.echo(f"created user {user.id} with roles {', '.join(sorted(roles))}")
