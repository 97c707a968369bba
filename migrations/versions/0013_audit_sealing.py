"""audit sealing: seals move to append-only audit_seals; each row carries its own MAC

Audit rows are written in the transaction they record without the chain's lock, each with a MAC
of its own (``row_hmac``); a sealer numbers and chains them shortly after, in
``audit_seals`` (see ``intake/audit/chain.py``). Existing rows keep their seals, moved as they
are. audit_events has no foreign key pointing at it, so rebuilding it on SQLite (to drop a
unique column) loses nothing.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 12:00:00
"""
from alembic import op
import sqlalchemy as sa

import intake.core.types  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_seals',
    sa.Column('event_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hmac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_audit_seals')),
    sa.UniqueConstraint('seq', name=op.f('uq_audit_seals_seq'))
    )
    op.execute(
        "INSERT INTO audit_seals (event_id, seq, hmac) "
        "SELECT id, chain_seq, chain_hmac FROM audit_events"
    )
    with op.batch_alter_table('audit_chain_head', schema=None, recreate='never') as batch_op:
        batch_op.add_column(
            sa.Column('sealed_through_id', sa.Integer(), nullable=False, server_default='0')
        )
    op.execute(
        "UPDATE audit_chain_head SET sealed_through_id = "
        "(SELECT COALESCE(MAX(id), 0) FROM audit_events)"
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_events_chain_seq'), type_='unique')
        batch_op.drop_column('chain_hmac')
        batch_op.drop_column('chain_seq')
        batch_op.add_column(sa.Column('row_hmac', sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        # Seals are append-only like the rows they seal (the function is 0001's).
        op.execute(
            "CREATE TRIGGER audit_seals_no_change BEFORE UPDATE OR DELETE ON audit_seals "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
        )


def downgrade():
    """Seal what is waiting (with the app's key), then put every seal back on its row."""
    from flask import current_app

    from intake.audit.chain import seal_pending_on

    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    seal_pending_on(
        bind, str(current_app.config["AUDIT_CHAIN_KEY"]), limit=None, rescan=True
    )
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS audit_seals_no_change ON audit_seals")
        op.execute("DROP TRIGGER IF EXISTS audit_seals_no_truncate ON audit_seals")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('row_hmac')
        batch_op.add_column(sa.Column('chain_seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('chain_hmac', sa.String(length=64), nullable=True))
    if postgres:
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change")
    op.execute(
        "UPDATE audit_events SET "
        "chain_seq = (SELECT seq FROM audit_seals WHERE audit_seals.event_id = audit_events.id), "
        "chain_hmac = (SELECT hmac FROM audit_seals WHERE audit_seals.event_id = audit_events.id)"
    )
    if postgres:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('chain_seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('chain_hmac', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_chain_seq'), ['chain_seq'])
    with op.batch_alter_table('audit_chain_head', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('sealed_through_id')
    op.drop_table('audit_seals')
