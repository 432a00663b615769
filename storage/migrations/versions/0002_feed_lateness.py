"""feed lateness: the due time of the current claim and how late the last fetch began

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feeds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_due_at', storage.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('lateness_seconds', sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('feeds', schema=None) as batch_op:
        batch_op.drop_column('lateness_seconds')
        batch_op.drop_column('claimed_due_at')
