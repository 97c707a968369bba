"""aftercare finished (issue 13): a claim token on deliveries (batch claims), the plan's
consent in the clinical consent ledger, and each staff member's language

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 06:00:00.000000

Plain columns only, added and dropped in place (native ALTER TABLE on SQLite 3.35+ and
PostgreSQL): rebuilding ``users`` or ``aftercare_plans`` on SQLite with foreign keys on would
fail or cascade to the rows that reference them (see 0008).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deliveries', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('claim_token', sa.String(length=32), nullable=True))
    with op.batch_alter_table('aftercare_plans', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('consent_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.add_column(
            sa.Column('language', sa.String(length=5), nullable=False, server_default='en')
        )


def downgrade():
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('aftercare_plans', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('consent_id')
    with op.batch_alter_table('deliveries', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('claim_token')
