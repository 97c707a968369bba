"""``flask api-keys``: issue, list and revoke website API keys."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from intake.public.api_keys import find_by_prefix, list_api_keys
from intake.usecases.api_keys import issue_api_key, withdraw_api_key

api_keys_group = AppGroup("api-keys", help="Manage the API keys of the clinic's websites.")


@api_keys_group.command("create")
@click.option("--source", required=True, help="The website or system the key is for.")
def create_command(source: str) -> None:
    """Create a key and print it once."""
    key, plaintext = issue_api_key(source)
    click.echo(f"source: {key.source}\nkey: {plaintext}\n(shown once; store it in the website)")


@api_keys_group.command("list")
def list_command() -> None:
    """List keys (their prefixes, never the secrets)."""
    for key in list_api_keys():
        state = "active" if key.active else "revoked"
        click.echo(f"{key.prefix}  {state:8}  {key.source}")


@api_keys_group.command("revoke")
@click.argument("prefix")
def revoke_command(prefix: str) -> None:
    """Revoke the key whose prefix (the part after hik_) is PREFIX."""
    key = find_by_prefix(prefix)
    if key is None:
        raise click.ClickException("no key has that prefix")
    withdraw_api_key(key)
    click.echo(f"revoked {key.prefix} ({key.source})")
