"""One read-only snapshot of the shared state, for metrics and health checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text

from storage.db import SessionFactory
from storage.models import Chat, Delivery, DeliveryStatus, Feed, Match, Story


@dataclass(frozen=True, slots=True)
class OpsSnapshot:
    feeds_total: int
    feeds_due: int
    feeds_failing: int
    stories: int
    matches: int
    outbox_pending: int
    chats_active: int
    chats_blocked: int


async def ping(sessions: SessionFactory) -> None:
    """Raises if the database does not answer."""
    async with sessions() as session:
        await session.execute(text("SELECT 1"))


async def snapshot(sessions: SessionFactory, now: datetime) -> OpsSnapshot:
    async with sessions() as session:

        async def count(query: object) -> int:
            return int((await session.scalar(query)) or 0)  # type: ignore[call-overload]

        return OpsSnapshot(
            feeds_total=await count(select(func.count()).select_from(Feed)),
            feeds_due=await count(select(func.count()).where(Feed.next_poll_at <= now)),
            feeds_failing=await count(select(func.count()).where(Feed.error_count > 0)),
            stories=await count(select(func.count()).select_from(Story)),
            matches=await count(select(func.count()).select_from(Match)),
            outbox_pending=await count(
                select(func.count()).where(Delivery.status == DeliveryStatus.PENDING.value)
            ),
            chats_active=await count(select(func.count()).where(Chat.active.is_(True))),
            chats_blocked=await count(select(func.count()).where(Chat.blocked.is_(True))),
        )
