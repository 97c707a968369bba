"""messaging platform: outbox rows that could not be handled are kept, with why

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 08:00:00

outbox_messages.last_error says why a row is still pending (a code: its kind is unknown to the
process that ran it, or its subject was deleted); failed_at marks one that can never be handled.
Both are plain nullable columns, added natively (no batch rebuild) on SQLite and PostgreSQL.
"""
from alembic import op
import sqlalchemy as sa

import intake.core.types  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('last_error', sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column('failed_at', intake.core.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('failed_at')
        batch_op.drop_column('last_error')
