"""messaging: a delivery points at its subject generically (kind + id), not a key per domain

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:50:00

deliveries.inquiry_id and deliveries.alert_id (foreign keys into two domains' tables) become
subject_kind + subject_id: a wave of an alert is about the alert ('alert', alert_id), the
person's acknowledgement and follow-ups are about the inquiry ('inquiry', inquiry_id).
alert_round becomes wave. Existing rows are moved in place.

The new columns are added natively. Dropping the old ones needs a table rebuild on SQLite (it
cannot drop a column under a foreign key): deliveries has no child table, so the rebuild loses
nothing. The downgrade puts the keys back from the subjects (a subject deleted since is left
empty, as a foreign key must be) and turns 'held' deliveries, which the older code does not
know, back into retries.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deliveries', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('subject_kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('wave', sa.Integer(), nullable=True))

    op.execute(
        "UPDATE deliveries SET subject_kind = 'alert', subject_id = alert_id "
        "WHERE alert_id IS NOT NULL"
    )
    op.execute(
        "UPDATE deliveries SET subject_kind = 'inquiry', subject_id = inquiry_id "
        "WHERE alert_id IS NULL AND inquiry_id IS NOT NULL"
    )
    op.execute("UPDATE deliveries SET wave = alert_round")

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_inquiry')
        batch_op.drop_index(batch_op.f('ix_deliveries_alert_id'))
        batch_op.drop_constraint(batch_op.f('fk_deliveries_alert_id_alerts'), type_='foreignkey')
        batch_op.drop_constraint(
            batch_op.f('fk_deliveries_inquiry_id_inquiries'), type_='foreignkey'
        )
        batch_op.drop_column('alert_round')
        batch_op.drop_column('alert_id')
        batch_op.drop_column('inquiry_id')
        batch_op.create_index(
            'ix_deliveries_subject', ['subject_kind', 'subject_id', 'created_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inquiry_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('alert_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('alert_round', sa.Integer(), nullable=True))

    op.execute(
        "UPDATE deliveries SET alert_id = subject_id, "
        "inquiry_id = (SELECT alerts.inquiry_id FROM alerts WHERE alerts.id = deliveries.subject_id) "
        "WHERE subject_kind = 'alert' "
        "AND EXISTS (SELECT 1 FROM alerts WHERE alerts.id = deliveries.subject_id)"
    )
    op.execute(
        "UPDATE deliveries SET inquiry_id = subject_id "
        "WHERE subject_kind = 'inquiry' "
        "AND EXISTS (SELECT 1 FROM inquiries WHERE inquiries.id = deliveries.subject_id)"
    )
    op.execute("UPDATE deliveries SET alert_round = wave")
    op.execute("UPDATE deliveries SET status = 'retry' WHERE status = 'held'")

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_subject')
        batch_op.drop_column('wave')
        batch_op.drop_column('subject_id')
        batch_op.drop_column('subject_kind')
        batch_op.create_foreign_key(
            batch_op.f('fk_deliveries_alert_id_alerts'), 'alerts', ['alert_id'], ['id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_deliveries_inquiry_id_inquiries'), 'inquiries', ['inquiry_id'], ['id']
        )
        batch_op.create_index(batch_op.f('ix_deliveries_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index('ix_deliveries_inquiry', ['inquiry_id', 'created_at'], unique=False)
