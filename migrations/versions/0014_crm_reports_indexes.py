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


def downgrade():
    op.drop_table('inquiry_substances')
