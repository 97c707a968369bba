"""drop three indexes nothing reads: each inquiry paid for them on the write path (issue 9)

``triage_results.priority``, ``triage_flags.code`` and ``referral_sources.channel`` were indexed
when the tables were made, but no query filters, joins or orders by them: a result is read by its
inquiry, its flags by their result, a source by its inquiry (each with an index of its own), and
the reports count priorities from ``triage_cases``. Every inquiry wrote an entry into each of the
three (one per flag for the flags) that nothing ever read.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 12:45:00
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index(op.f('ix_referral_sources_channel'), table_name='referral_sources')
    with op.batch_alter_table('triage_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_triage_flags_code'))
    with op.batch_alter_table('triage_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_triage_results_priority'))


def downgrade():
    with op.batch_alter_table('triage_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_triage_results_priority'), ['priority'], unique=False)
    with op.batch_alter_table('triage_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_triage_flags_code'), ['code'], unique=False)
    op.create_index(op.f('ix_referral_sources_channel'), 'referral_sources', ['channel'], unique=False)
