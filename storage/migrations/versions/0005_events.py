"""events: each story's event key, one delivery per chat and event, muted alerts

Revision ID: 0005
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("search_terms", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_stories_event_key"), ["event_key"], unique=False)
    # Stories stored before events existed were matched already: give each an event of its
    # own, so matching never waits for them and grouping starts from what comes next.
    op.execute("UPDATE stories SET event_key = 's' || CAST(id AS VARCHAR(20))")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_key", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("muted_at", storage.types.UTCDateTime(), nullable=True)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_deliveries_chat_id_event_key"), ["chat_id", "event_key"]
        )
    op.create_table(
        "event_grouping",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_grouping")),
    )
    op.execute("INSERT INTO event_grouping (id, version) VALUES (1, 0)")
    op.create_table(
        "searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("query", sa.String(length=1024), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_searches_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_searches")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("searches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_searches_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_table("searches")
    op.drop_table("event_grouping")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_deliveries_chat_id_event_key"), type_="unique")
        batch_op.drop_column("muted_at")
        batch_op.drop_column("event_key")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stories_event_key"))
        batch_op.drop_column("search_terms")
        batch_op.drop_column("event_key")
