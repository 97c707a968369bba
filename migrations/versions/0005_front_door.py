"""front door: quarantine of suspected automated inquiries, idempotency by body

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import intake.core.types  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_body_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('suspected_automated', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table('inquiry_quarantine',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inquiry_id', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('held_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', intake.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_inquiry_quarantine_decided_by_id_users')),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiries.id'], name=op.f('fk_inquiry_quarantine_inquiry_id_inquiries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiry_quarantine')),
    sa.UniqueConstraint('inquiry_id', name=op.f('uq_inquiry_quarantine_inquiry_id'))
    )
    with op.batch_alter_table('inquiry_quarantine', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inquiry_quarantine_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('inquiry_quarantine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inquiry_quarantine_status'))

    op.drop_table('inquiry_quarantine')
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.drop_column('suspected_automated')
        batch_op.drop_column('submission_body_hash')
