"""crm: episodes and their stage history, contacts, duplicate candidates, merges, the assignment
rotation and tasks

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 10:50:00

people.merged_into_id is a plain indexed integer kept in step with person_merges (which has the
foreign keys): added and dropped natively, so SQLite never rebuilds the people table (a rebuild
with foreign keys on once deleted child rows).

Existing inquiries get their episodes: one per person, at "contacted" when a contact attempt
reached them, else at "new", with the matching history rows; owners are left for staff to set.
"""
from alembic import op
import sqlalchemy as sa

import intake.core.types  # noqa: F401  (custom column types)
import intake.security.fields  # noqa: F401  (encrypted column types)


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


BACKFILL = (
    """INSERT INTO episodes (person_id, stage, stage_entered_at, opened_at, version)
    SELECT i.person_id,
           CASE WHEN MIN(c.reached_at) IS NULL THEN 'new' ELSE 'contacted' END,
           COALESCE(MIN(c.reached_at), MIN(i.received_at)),
           MIN(i.received_at), 1
    FROM inquiries i LEFT JOIN triage_cases c ON c.inquiry_id = i.id
    GROUP BY i.person_id""",
    """INSERT INTO episode_inquiries (inquiry_id, episode_id)
    SELECT i.id, e.id FROM inquiries i JOIN episodes e ON e.person_id = i.person_id""",
    """INSERT INTO stage_changes (episode_id, from_stage, to_stage, changed_at, cause)
    SELECT id, NULL, 'new', opened_at, 'migration' FROM episodes""",
    """INSERT INTO stage_changes (episode_id, from_stage, to_stage, changed_at, cause)
    SELECT id, 'new', 'contacted', stage_entered_at, 'migration' FROM episodes
    WHERE stage = 'contacted'""",
    "INSERT INTO assignment_rotations (name) VALUES ('admissions')",
)


def upgrade():
    op.add_column('people', sa.Column('merged_into_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_people_merged_into_id'), 'people', ['merged_into_id'], unique=False)
    op.create_table('assignment_rotations',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('last_user_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', intake.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['last_user_id'], ['users.id'], name=op.f('fk_assignment_rotations_last_user_id_users')),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_assignment_rotations'))
    )
    op.create_table('duplicate_candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_low_id', sa.Integer(), nullable=False),
    sa.Column('person_high_id', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.String(length=60), nullable=False),
    sa.Column('name_score', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('found_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', intake.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('person_low_id < person_high_id', name=op.f('ck_duplicate_candidates_ordered_pair')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_duplicate_candidates_decided_by_id_users')),
    sa.ForeignKeyConstraint(['person_high_id'], ['people.id'], name=op.f('fk_duplicate_candidates_person_high_id_people')),
    sa.ForeignKeyConstraint(['person_low_id'], ['people.id'], name=op.f('fk_duplicate_candidates_person_low_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_candidates')),
    sa.UniqueConstraint('person_low_id', 'person_high_id', name='uq_duplicate_pair')
    )
    with op.batch_alter_table('duplicate_candidates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_candidates_person_high_id'), ['person_high_id'], unique=False)
        batch_op.create_index('ix_duplicate_candidates_status', ['status', 'found_at'], unique=False)

    op.create_table('episodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('stage_entered_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', intake.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('close_reason', sa.String(length=30), nullable=True),
    sa.Column('referred_to', intake.security.fields.EncryptedText(), nullable=True),
    sa.Column('referral_note', intake.security.fields.EncryptedText(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_episodes_owner_id_users')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_episodes_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_episodes'))
    )
    with op.batch_alter_table('episodes', schema=None) as batch_op:
        batch_op.create_index('ix_episodes_owner', ['owner_id', 'closed_at'], unique=False)
        batch_op.create_index('ix_episodes_person_open', ['person_id', 'closed_at'], unique=False)
        batch_op.create_index('ix_episodes_stage', ['stage', 'closed_at'], unique=False)

    op.create_table('person_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_person_id', sa.Integer(), nullable=False),
    sa.Column('target_person_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('merged_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('merged_by_id', sa.Integer(), nullable=True),
    sa.Column('moved', sa.JSON(), nullable=False),
    sa.Column('undone_at', intake.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['duplicate_candidates.id'], name=op.f('fk_person_merges_candidate_id_duplicate_candidates')),
    sa.ForeignKeyConstraint(['merged_by_id'], ['users.id'], name=op.f('fk_person_merges_merged_by_id_users')),
    sa.ForeignKeyConstraint(['source_person_id'], ['people.id'], name=op.f('fk_person_merges_source_person_id_people')),
    sa.ForeignKeyConstraint(['target_person_id'], ['people.id'], name=op.f('fk_person_merges_target_person_id_people')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_person_merges_undone_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_merges'))
    )
    with op.batch_alter_table('person_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_merges_source_person_id'), ['source_person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_merges_target_person_id'), ['target_person_id'], unique=False)

    op.create_table('stage_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('from_stage', sa.String(length=20), nullable=True),
    sa.Column('to_stage', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cause', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_stage_changes_actor_id_users')),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_stage_changes_episode_id_episodes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_changes'))
    )
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.create_index('ix_stage_changes_episode', ['episode_id', 'changed_at'], unique=False)

    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('due_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('note', intake.security.fields.EncryptedText(), nullable=True),
    sa.Column('created_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('done_at', intake.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_tasks_created_by_id_users')),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_tasks_done_by_id_users')),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_tasks_episode_id_episodes')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_tasks_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_episode_id'), ['episode_id'], unique=False)
        batch_op.create_index('ix_tasks_owner_due', ['owner_id', 'done_at', 'due_at'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('name', intake.security.fields.EncryptedText(), nullable=True),
    sa.Column('email', intake.security.fields.EncryptedText(), nullable=True),
    sa.Column('phone', intake.security.fields.EncryptedText(), nullable=True),
    sa.Column('email_index', sa.String(length=64), nullable=True),
    sa.Column('phone_index', sa.String(length=64), nullable=True),
    sa.Column('may_be_told', sa.String(length=20), nullable=False),
    sa.Column('inquiry_id', sa.Integer(), nullable=True),
    sa.Column('created_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiries.id'], name=op.f('fk_contacts_inquiry_id_inquiries')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_contacts_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_email_index'), ['email_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_phone_index'), ['phone_index'], unique=False)

    op.create_table('episode_inquiries',
    sa.Column('inquiry_id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_episode_inquiries_episode_id_episodes')),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiries.id'], name=op.f('fk_episode_inquiries_inquiry_id_inquiries')),
    sa.PrimaryKeyConstraint('inquiry_id', name=op.f('pk_episode_inquiries'))
    )
    with op.batch_alter_table('episode_inquiries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_episode_inquiries_episode_id'), ['episode_id'], unique=False)

    op.create_table('case_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', intake.security.fields.EncryptedText(), nullable=False),
    sa.Column('created_at', intake.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_case_notes_author_id_users')),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_case_notes_episode_id_episodes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notes'))
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index('ix_case_notes_episode', ['episode_id', 'created_at'], unique=False)

    for statement in BACKFILL:
        op.execute(statement)


def downgrade():
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_case_notes_episode')

    op.drop_table('case_notes')
    with op.batch_alter_table('episode_inquiries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_episode_inquiries_episode_id'))

    op.drop_table('episode_inquiries')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_phone_index'))
        batch_op.drop_index(batch_op.f('ix_contacts_person_id'))
        batch_op.drop_index(batch_op.f('ix_contacts_email_index'))

    op.drop_table('contacts')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_owner_due')
        batch_op.drop_index(batch_op.f('ix_tasks_episode_id'))

    op.drop_table('tasks')
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_changes_episode')

    op.drop_table('stage_changes')
    with op.batch_alter_table('person_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_merges_target_person_id'))
        batch_op.drop_index(batch_op.f('ix_person_merges_source_person_id'))

    op.drop_table('person_merges')
    with op.batch_alter_table('episodes', schema=None) as batch_op:
        batch_op.drop_index('ix_episodes_stage')
        batch_op.drop_index('ix_episodes_person_open')
        batch_op.drop_index('ix_episodes_owner')

    op.drop_table('episodes')
    with op.batch_alter_table('duplicate_candidates', schema=None) as batch_op:
        batch_op.drop_index('ix_duplicate_candidates_status')
        batch_op.drop_index(batch_op.f('ix_duplicate_candidates_person_high_id'))

    op.drop_table('duplicate_candidates')
    op.drop_table('assignment_rotations')
    op.drop_index(op.f('ix_people_merged_into_id'), table_name='people')
    op.drop_column('people', 'merged_into_id')
