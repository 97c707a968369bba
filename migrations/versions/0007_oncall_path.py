"""on-call path: re-paging a claimed P0 that nobody reached

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 08:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import intake.core.types  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # The contact watch on alerts: a claimed P0 nobody reached is paged again.
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('contact_next_at', intake.core.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column('contact_round', sa.Integer(), server_default=sa.text('-1'), nullable=False)
        )
        batch_op.add_column(sa.Column('contact_closed_reason', sa.String(length=20), nullable=True))
        batch_op.create_index('ix_alerts_contact_due', ['contact_next_at'], unique=False)


def downgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_contact_due')
        batch_op.drop_column('contact_closed_reason')
        batch_op.drop_column('contact_round')
        batch_op.drop_column('contact_next_at')
