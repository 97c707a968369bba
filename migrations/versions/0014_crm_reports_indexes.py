"""crm reports and indexes: substance codes for the reports; indexes for the staff pages

``inquiry_substances`` holds the substance codes an inquiry named (codes only; the answers stay
encrypted), so the reports count inquiries by substance in SQL. Inquiries stored before this
revision have no rows there (their answers are encrypted and a migration holds no key); they
count as "not given".

The indexes serve the triage queue, the pipeline list and board, search by reference, email and
phone, the person page and the reports (each checked with EXPLAIN on PostgreSQL against
``flask seed-demo --inquiries 100000``).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 15:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inquiry_substances',
    sa.Column('inquiry_id', sa.Integer(), nullable=False),
    sa.Column('substance', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiries.id'], name=op.f('fk_inquiry_substances_inquiry_id_inquiries')),
    sa.PrimaryKeyConstraint('inquiry_id', 'substance', name=op.f('pk_inquiry_substances'))
    )
    open_cases = sa.text("status IN ('new', 'claimed')")
    # The triage queue: open cases in the queue's order (EXPLAIN on 100,000 seeded inquiries:
    # a sort of every open case, 285 ms, becomes an index scan stopped at 200 rows, 2 ms).
    op.create_index('ix_triage_cases_open_queue', 'triage_cases', ['priority', 'received_at', 'id'],
                    postgresql_where=open_cases, sqlite_where=open_cases)
    # Reports: cases and inquiries by arrival, with the columns the reports count (index-only
    # reads of the range).
    op.create_index('ix_triage_cases_received_report', 'triage_cases',
                    ['received_at', 'priority', 'reached_at', 'due_at'])
    op.create_index('ix_inquiries_received_report', 'inquiries',
                    ['received_at', 'source', 'country', 'language'])
    # The board: counts per stage and newest cards per column over open episodes (an index-only
    # scan instead of a join of every episode with people).
    open_episodes = sa.text('closed_at IS NULL')
    op.create_index('ix_episodes_open_stage', 'episodes', ['stage', 'id'],
                    postgresql_where=open_episodes, sqlite_where=open_episodes)
    # Reports: the funnel reads episodes opened in the range; the yield, episodes admitted.
    op.create_index('ix_episodes_opened_at', 'episodes', ['opened_at'])
    op.create_index('ix_stage_changes_to_stage', 'stage_changes', ['to_stage', 'episode_id'])


def downgrade():
    op.drop_index('ix_stage_changes_to_stage', table_name='stage_changes')
    op.drop_index('ix_episodes_opened_at', table_name='episodes')
    op.drop_index('ix_episodes_open_stage', table_name='episodes')
    op.drop_index('ix_inquiries_received_report', table_name='inquiries')
    op.drop_index('ix_triage_cases_received_report', table_name='triage_cases')
    op.drop_index('ix_triage_cases_open_queue', table_name='triage_cases')
    op.drop_table('inquiry_substances')
