"""report days: the reports dashboard's figures per day, so any date range is a sum (issue 11)

``report_days`` holds each day's figures as JSON (counts, and the first-contact waits for exact
percentiles) with their hash, and each week's (the sum of its days, so a long range reads a row
a week); ``report_refreshes`` beat's last pass (the data's fingerprint,
when the days were computed and last confirmed). They replace ``report_rollups`` (one row per
date range, computed by the page for a range nobody opened before: 400 ms at 100,000
inquiries).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa

import intake.core.types  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('span_days', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('figures_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('day', 'span_days', name=op.f('pk_report_days'))
    )
    op.create_table('report_refreshes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('computed_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('checked_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_refreshes'))
    )
    op.drop_table('report_rollups')


def downgrade():
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
    op.drop_table('report_refreshes')
    op.drop_table('report_days')
