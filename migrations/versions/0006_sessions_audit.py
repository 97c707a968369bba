"""sessions and audit: server-side session ends, audit chain, recovery codes, lockout by account and address

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import intake.core.types  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', intake.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_sessions_token_hash'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('sign_in_throttles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', intake.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('locked_until', intake.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', intake.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_in_throttles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_throttles')),
    sa.UniqueConstraint('user_id', 'address', name=op.f('uq_sign_in_throttles_user_id_address'))
    )

    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', intake.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index('ix_recovery_codes_user_id_code_hash', ['user_id', 'code_hash'], unique=False)

    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('last_hmac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('chain_hmac', sa.String(length=64), nullable=True))

    _chain_existing_rows()

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('chain_seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('chain_hmac', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_chain_seq'), ['chain_seq'])

    if op.get_bind().dialect.name == "postgresql":
        # Even the table's owner cannot empty the trail in one statement; the application's
        # role is not the owner, so it can neither TRUNCATE nor disable this (see audit/roles.py).
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
        )


def _chain_existing_rows():
    """Chain the rows written before this revision, oldest first, with the app's key."""
    from flask import current_app

    from intake.audit.chain import GENESIS, HEAD_ID, link_hmac

    key = current_app.config["AUDIT_CHAIN_KEY"]
    bind = op.get_bind()
    events = sa.table(
        'audit_events',
        sa.column('id', sa.Integer()),
        sa.column('occurred_at', intake.core.types.UTCDateTime()),
        sa.column('actor_id', sa.Integer()),
        sa.column('tag', sa.String()),
        sa.column('target_type', sa.String()),
        sa.column('target_id', sa.String()),
        sa.column('ip_address', sa.String()),
        sa.column('user_agent', sa.String()),
        sa.column('detail', sa.JSON()),
        sa.column('chain_seq', sa.BigInteger()),
        sa.column('chain_hmac', sa.String()),
    )
    head = sa.table(
        'audit_chain_head',
        sa.column('id', sa.Integer()),
        sa.column('last_seq', sa.BigInteger()),
        sa.column('last_hmac', sa.String()),
    )
    postgres = bind.dialect.name == "postgresql"
    rows = bind.execute(sa.select(events).order_by(events.c.id)).mappings().all()
    if postgres and rows:
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change")
    previous, seq = GENESIS, 0
    for row in rows:
        seq += 1
        previous = link_hmac(key, row, seq, previous)
        bind.execute(
            events.update().where(events.c.id == row["id"]).values(chain_seq=seq, chain_hmac=previous)
        )
    if postgres and rows:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change")
    bind.execute(head.insert().values(id=HEAD_ID, last_seq=seq, last_hmac=previous))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_events_chain_seq'), type_='unique')
        batch_op.drop_column('chain_hmac')
        batch_op.drop_column('chain_seq')

    op.drop_table('audit_chain_head')
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_recovery_codes_user_id_code_hash')

    op.drop_table('recovery_codes')
    op.drop_table('sign_in_throttles')
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_user_id'))

    op.drop_table('staff_sessions')
