"""crm: messages sent from a case, referral sources, referrers, episode referrers and outbound
referrals

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 15:00:00

New tables only: no existing table is altered, so SQLite rebuilds nothing. Inquiries stored
before this migration have no referral_sources row; pages read that as "not recorded".
"""
from alembic import op
import sqlalchemy as sa

import intake.core.types  # noqa: F401  (custom column types)
import intake.security.fields  # noqa: F401  (encrypted column types)


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('referrers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('professional_name', intake.security.fields.EncryptedText(), nullable=True),
    sa.Column('contact', intake.security.fields.EncryptedText(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', intake.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_referrers_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrers'))
    )
    op.create_table('case_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('template', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('appointment_at', intake.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('idempotency_key', sa.String(length=80), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_case_messages_episode_id_episodes')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_case_messages_person_id_people')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_case_messages_sent_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_messages')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_case_messages_idempotency_key'))
    )
    op.create_index('ix_case_messages_episode', 'case_messages', ['episode_id', 'created_at'], unique=False)
    op.create_table('referral_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inquiry_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('api_source', sa.String(length=80), nullable=True),
    sa.Column('landing_page', sa.String(length=300), nullable=True),
    sa.Column('utm_source', sa.String(length=100), nullable=True),
    sa.Column('utm_medium', sa.String(length=100), nullable=True),
    sa.Column('utm_campaign', sa.String(length=100), nullable=True),
    sa.Column('utm_term', sa.String(length=100), nullable=True),
    sa.Column('utm_content', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiries.id'], name=op.f('fk_referral_sources_inquiry_id_inquiries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_sources')),
    sa.UniqueConstraint('inquiry_id', name=op.f('uq_referral_sources_inquiry_id'))
    )
    op.create_index(op.f('ix_referral_sources_channel'), 'referral_sources', ['channel'], unique=False)
    op.create_table('episode_referrals',
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=12), nullable=True),
    sa.Column('set_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_episode_referrals_episode_id_episodes')),
    sa.ForeignKeyConstraint(['referrer_id'], ['referrers.id'], name=op.f('fk_episode_referrals_referrer_id_referrers')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_episode_referrals_set_by_id_users')),
    sa.PrimaryKeyConstraint('episode_id', name=op.f('pk_episode_referrals'))
    )
    op.create_index(op.f('ix_episode_referrals_referrer_id'), 'episode_referrals', ['referrer_id'], unique=False)
    op.create_table('outbound_referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=False),
    sa.Column('referred_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('referred_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_outbound_referrals_episode_id_episodes')),
    sa.ForeignKeyConstraint(['referred_by_id'], ['users.id'], name=op.f('fk_outbound_referrals_referred_by_id_users')),
    sa.ForeignKeyConstraint(['referrer_id'], ['referrers.id'], name=op.f('fk_outbound_referrals_referrer_id_referrers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_referrals')),
    sa.UniqueConstraint('episode_id', name=op.f('uq_outbound_referrals_episode_id'))
    )
    op.create_index(op.f('ix_outbound_referrals_referrer_id'), 'outbound_referrals', ['referrer_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_outbound_referrals_referrer_id'), table_name='outbound_referrals')
    op.drop_table('outbound_referrals')
    op.drop_index(op.f('ix_episode_referrals_referrer_id'), table_name='episode_referrals')
    op.drop_table('episode_referrals')
    op.drop_index(op.f('ix_referral_sources_channel'), table_name='referral_sources')
    op.drop_table('referral_sources')
    op.drop_index('ix_case_messages_episode', table_name='case_messages')
    op.drop_table('case_messages')
    op.drop_table('referrers')
