"""Database privileges for the application's role (PostgreSQL).

Migrations run as the owner of the tables (``MIGRATION_DATABASE_URL``); the application connects
as another role (``DATABASE_URL``) that may read and write the working tables but may only INSERT
and SELECT on ``audit_events`` and ``audit_seals``. Not being the owner, it can neither TRUNCATE
the trail, nor ALTER it, nor disable its triggers. ``flask db upgrade`` applies these grants
after migrating (see ``migrations/env.py``), so tables added later are covered; ``flask audit
grant ROLE`` does the same by hand. SQLite has no roles: there the chain (``flask audit
verify``) is the safeguard.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

# Tables the application reads but must not change.
READ_ONLY_TABLES = ("alembic_version",)
# Append-only: SELECT and INSERT, nothing else.
APPEND_ONLY_TABLES = ("audit_events", "audit_seals")
# The chain head is moved on, never removed.
UPDATE_ONLY_TABLES = ("audit_chain_head",)


class UnknownRoleError(RuntimeError):
    """The role to grant to does not exist in the cluster."""


def app_role_from_urls(app_url: str | None, migration_url: str | None) -> str | None:
    """The role to grant to: the app's user when migrations connect as someone else."""
    from sqlalchemy.engine import make_url

    if not app_url or not migration_url:
        return None
    app_user = make_url(app_url).username
    if not app_user or app_user == make_url(migration_url).username:
        return None
    return app_user


def grant_app_role(connection: Connection, role: str) -> bool:
    """Give ``role`` what the application needs and no more. Returns False on SQLite."""
    if connection.dialect.name != "postgresql":
        return False
    exists = connection.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).scalar()
    if not exists:
        raise UnknownRoleError(f"there is no database role named {role!r}")
    quote = connection.dialect.identifier_preparer.quote
    grantee = quote(role)
    schema = quote(str(connection.execute(text("SELECT current_schema()")).scalar()))
    statements = [
        f"GRANT USAGE ON SCHEMA {schema} TO {grantee}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {grantee}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {grantee}",
    ]
    for table in APPEND_ONLY_TABLES:
        statements += [
            f"REVOKE ALL ON {quote(table)} FROM {grantee}",
            f"GRANT SELECT, INSERT ON {quote(table)} TO {grantee}",
        ]
    for table in UPDATE_ONLY_TABLES:
        statements += [
            f"REVOKE ALL ON {quote(table)} FROM {grantee}",
            f"GRANT SELECT, UPDATE ON {quote(table)} TO {grantee}",
        ]
    for table in READ_ONLY_TABLES:
        statements += [
            f"REVOKE ALL ON {quote(table)} FROM {grantee}",
            f"GRANT SELECT ON {quote(table)} TO {grantee}",
        ]
    for statement in statements:
        connection.execute(text(statement))
    return True
