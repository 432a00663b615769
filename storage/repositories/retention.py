"""Retention: old items and stories go; nothing still owed to a subscriber does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, or_, select

from storage.db import SessionFactory
from storage.models import Chat, Delivery, DeliveryMode, DeliveryStatus, Item, Match, Story


@dataclass(frozen=True, slots=True)
class PruneReport:
    items: int
    stories: int


class RetentionRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    async def prune(self, older_than: datetime) -> PruneReport:
        """Delete items fetched before ``older_than`` and stories left without items, except
        stories still owed to someone (unmatched, a pending delivery, an undigested match)."""
        owed = or_(
            Story.matched_at.is_(None),
            exists().where(
                Delivery.story_id == Story.id, Delivery.status == DeliveryStatus.PENDING.value
            ),
            exists().where(
                Match.story_id == Story.id,
                Match.digest_run_id.is_(None),
                Match.chat_id == Chat.id,
                Chat.mode.in_([DeliveryMode.DIGEST.value, DeliveryMode.BOTH.value]),
            ),
        )
        owed_ids = select(Story.id).where(owed)
        async with self._sessions() as session, session.begin():
            items = await session.execute(
                delete(Item)
                .where(Item.fetched_at < older_than, Item.story_id.not_in(owed_ids))
                .execution_options(synchronize_session=False)
            )
            stories = await session.execute(
                delete(Story)
                .where(
                    Story.first_seen_at < older_than,
                    ~owed,
                    ~exists().where(Item.story_id == Story.id),
                )
                .execution_options(synchronize_session=False)
            )
        return PruneReport(items=_count(items), stories=_count(stories))


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
