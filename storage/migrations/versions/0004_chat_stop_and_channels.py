"""chats remember /stop apart from membership; a private chat may manage a channel

Revision ID: 0004
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # /stop used to be only active = false, which the bot being blocked and unblocked (or
    # removed and added back) overwrote; stopped_at survives membership changes.
    op.add_column('chats', sa.Column('stopped_at', storage.types.UTCDateTime(), nullable=True))
    op.execute(
        "UPDATE chats SET stopped_at = updated_at WHERE active = false AND blocked = false"
    )
    # A channel cannot talk to the bot: its admin sets it up from a private chat, whose
    # commands then apply to the channel (see /channel).
    op.add_column('chats', sa.Column('managing_chat_id', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('chats') as batch:
        batch.drop_column('managing_chat_id')
        batch.drop_column('stopped_at')
