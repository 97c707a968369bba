"""two-factor secrets in an encrypted column, so key rotation re-encrypts them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09 08:00:00

users.totp_secret_encrypted (VARCHAR, encrypted by hand) becomes users.totp_secret (TEXT, typed
EncryptedText in the model). The stored values are already MultiFernet tokens made by the same
encrypt_text the column type uses, so they are copied as they are: no key is needed here.

The column is added, filled and dropped in place rather than altered: on SQLite, altering a
column's type makes batch mode rebuild the table, and dropping the old users table with foreign
keys on would cascade to every user's roles and sessions. Adding and dropping a plain column are
native ALTER TABLE statements on SQLite (3.35+) and on PostgreSQL.
"""
from alembic import op
import sqlalchemy as sa

import intake.core.types  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.Text(), nullable=True))
    op.execute(sa.text('UPDATE users SET totp_secret = totp_secret_encrypted'))
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('totp_secret_encrypted')


def downgrade():
    # A token of a 32-character base32 secret is 140 characters: it fits the old VARCHAR(255).
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.add_column(
            sa.Column('totp_secret_encrypted', sa.String(length=255), nullable=True)
        )
    op.execute(sa.text('UPDATE users SET totp_secret_encrypted = totp_secret'))
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('totp_secret')
