"""Read-only figures for the admin /stats command."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import SessionFactory
from storage.models import Chat, Delivery, DeliveryStatus, Feed, Match, Story


@dataclass(frozen=True, slots=True)
class DayCounts:
    day: date  # UTC calendar day
    stories: int
    matches: int
    sent: int


@dataclass(frozen=True, slots=True)
class StatsOverview:
    chats_total: int
    chats_active: int
    chats_blocked: int
    groups: int
    feeds_total: int
    feeds_failing: int
    outbox_pending: int
    outbox_retrying: int  # pending deliveries whose last attempt failed
    send_errors: int  # deliveries that carry an error message (pending or given up)
    days: tuple[DayCounts, ...]


async def _count(session: AsyncSession, model: Any, *where: Any) -> int:
    found = await session.scalar(select(func.count()).select_from(model).where(*where))
    return int(found or 0)


class StatsRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    async def overview(self, *, now: datetime, days: int = 7) -> StatsOverview:
        """Totals now, and per UTC day for the last ``days`` days (today first)."""
        today = now.astimezone(UTC).date()
        pending = Delivery.status == DeliveryStatus.PENDING.value
        async with self._sessions() as session:
            per_day: list[DayCounts] = []
            for back in range(days):
                day = today - timedelta(days=back)
                start = datetime.combine(day, time(0), tzinfo=UTC)
                end = start + timedelta(days=1)
                per_day.append(
                    DayCounts(
                        day=day,
                        stories=await _count(
                            session, Story, Story.first_seen_at >= start, Story.first_seen_at < end
                        ),
                        matches=await _count(
                            session, Match, Match.matched_at >= start, Match.matched_at < end
                        ),
                        sent=await _count(
                            session, Delivery, Delivery.sent_at >= start, Delivery.sent_at < end
                        ),
                    )
                )
            return StatsOverview(
                chats_total=await _count(session, Chat),
                chats_active=await _count(session, Chat, Chat.active.is_(True)),
                chats_blocked=await _count(session, Chat, Chat.blocked.is_(True)),
                groups=await _count(session, Chat, Chat.type != "private"),
                feeds_total=await _count(session, Feed),
                feeds_failing=await _count(session, Feed, Feed.error_count > 0),
                outbox_pending=await _count(session, Delivery, pending),
                outbox_retrying=await _count(
                    session, Delivery, pending, Delivery.last_error.is_not(None)
                ),
                send_errors=await _count(session, Delivery, Delivery.last_error.is_not(None)),
                days=tuple(per_day),
            )
