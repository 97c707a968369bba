"""on-call path: re-paging a claimed P0 that nobody reached

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 08:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import intake.core.types  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
