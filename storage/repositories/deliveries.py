"""The outbox: pending alerts claimed under a lease, then marked sent, retried or cancelled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import SessionFactory
from storage.models import (
    Chat,
    Delivery,
    DeliveryStatus,
    DigestRun,
    EventGrouping,
    KeywordDraft,
    KeywordRule,
    Match,
    Story,
    TopicSubscription,
)
from storage.repositories.matches import (
    SourceRef,
    StoryView,
    load_event_coverage,
    load_story_views,
)

_PENDING = DeliveryStatus.PENDING.value


@dataclass(frozen=True, slots=True)
class ChatForSend:
    id: int
    type: str
    timezone: str
    language: str

    @property
    def is_group(self) -> bool:
        return self.type != "private" or self.id < 0


@dataclass(frozen=True, slots=True)
class PendingAlert:
    delivery_id: int
    attempts: int
    story: StoryView
    why: dict[str, Any]
    score: float
    # Outlets that reported the same event in other stories (listed under the alert).
    coverage: tuple[SourceRef, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimedAlerts:
    chat: ChatForSend
    alerts: tuple[PendingAlert, ...]


def _free(now: datetime) -> Any:
    return (Delivery.lease_until.is_(None)) | (Delivery.lease_until < now)


async def load_chat(session: AsyncSession, chat_id: int) -> ChatForSend | None:
    chat = await session.get(Chat, chat_id)
    if chat is None:
        return None
    return ChatForSend(chat.id, chat.type, chat.timezone, chat.language)


async def story_revisions(session: AsyncSession, story_ids: Sequence[int]) -> dict[int, int]:
    """Each story's ``sources_rev``: which list of sources a message composed now shows."""
    rows = await session.execute(
        select(Story.id, Story.sources_rev).where(Story.id.in_(sorted(set(story_ids))))
    )
    return {story_id: rev for story_id, rev in rows}


async def load_alerts(
    session: AsyncSession, chat_id: int, rows: Sequence[Delivery]
) -> tuple[PendingAlert, ...]:
    """The outbox rows of one chat as alerts to compose, in the order of ``rows``."""
    story_ids = [r.story_id for r in rows]
    why: dict[int, tuple[dict[str, Any], float]] = {
        sid: (w, score)
        for sid, w, score in await session.execute(
            select(Match.story_id, Match.why, Match.score).where(
                Match.chat_id == chat_id, Match.story_id.in_(story_ids)
            )
        )
    }
    views = await load_story_views(session, story_ids)
    coverage = await load_event_coverage(session, views.values())
    return tuple(
        PendingAlert(
            r.id,
            r.attempts,
            views[r.story_id],
            *why.get(r.story_id, ({}, 0.0)),
            coverage.get(r.story_id, ()),
        )
        for r in rows
        if r.story_id in views
    )


class DeliveryRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    async def due_chats(self, now: datetime, *, limit: int = 10_000) -> list[int]:
        """Chats with alerts due and not leased, those waiting longest first."""
        async with self._sessions() as session:
            first = func.min(Delivery.next_attempt_at)
            rows = await session.execute(
                select(Delivery.chat_id, first)
                .where(Delivery.status == _PENDING, Delivery.next_attempt_at <= now, _free(now))
                .group_by(Delivery.chat_id)
                .order_by(first, Delivery.chat_id)
                .limit(limit)
            )
            return [chat_id for chat_id, _ in rows]

    async def claim_chat(
        self, chat_id: int, now: datetime, *, owner: str, lease: timedelta, limit: int = 50
    ) -> ClaimedAlerts | None:
        """Lease a chat's due alerts; None if another worker got them first or none are due."""
        async with self._sessions() as session, session.begin():
            rows = (
                await session.scalars(
                    select(Delivery)
                    .where(
                        Delivery.chat_id == chat_id,
                        Delivery.status == _PENDING,
                        Delivery.next_attempt_at <= now,
                        _free(now),
                    )
                    .order_by(Delivery.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:  # another worker holds them, or nothing is due any more
                return None
            chat = await load_chat(session, chat_id)
            if chat is None:
                return None
            # The revision is read before the sources: a source joining in between makes a
            # needless edit later ("not modified"), never a missed one.
            revs = await story_revisions(session, [r.story_id for r in rows])
            for row in rows:
                row.lease_until = now + lease
                row.lease_owner = owner
                row.sources_rev = revs.get(row.story_id, 0)
            return ClaimedAlerts(chat, await load_alerts(session, chat_id, rows))

    async def mark_sent(self, ids: Sequence[int], message_id: int, now: datetime) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(Delivery)
                .where(Delivery.id.in_(list(ids)))
                .values(
                    status=DeliveryStatus.SENT.value,
                    message_id=message_id,
                    sent_at=now,
                    lease_until=None,
                    lease_owner=None,
                    attempts=Delivery.attempts + 1,
                )
            )
            chat_id = await session.scalar(select(Delivery.chat_id).where(Delivery.id == ids[0]))
            await session.execute(update(Chat).where(Chat.id == chat_id).values(last_alert_at=now))

    async def reschedule(
        self, ids: Sequence[int], at: datetime, error: str, *, count_attempt: bool = True
    ) -> None:
        """Put alerts back in the outbox, due again at ``at``."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(Delivery)
                .where(Delivery.id.in_(list(ids)), Delivery.status == _PENDING)
                .values(
                    next_attempt_at=at,
                    lease_until=None,
                    lease_owner=None,
                    last_error=error[:500],
                    attempts=Delivery.attempts + (1 if count_attempt else 0),
                )
            )

    async def cancel(self, ids: Sequence[int], error: str) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(Delivery)
                .where(Delivery.id.in_(list(ids)), Delivery.status == _PENDING)
                .values(
                    status=DeliveryStatus.CANCELLED.value,
                    lease_until=None,
                    lease_owner=None,
                    last_error=error[:500],
                )
            )

    async def block_chat(self, chat_id: int, error: str, now: datetime) -> int:
        """The chat blocked the bot: flag it and cancel what it is still owed."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(Chat).where(Chat.id == chat_id).values(blocked=True, updated_at=now)
            )
            result = await session.execute(
                update(Delivery)
                .where(Delivery.chat_id == chat_id, Delivery.status == _PENDING)
                .values(
                    status=DeliveryStatus.CANCELLED.value,
                    lease_until=None,
                    lease_owner=None,
                    last_error=error[:500],
                )
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    async def migrate_chat(self, old_id: int, new_id: int, now: datetime) -> None:
        """A group became a supergroup: move the chat and all it owns to the new id."""
        async with self._sessions() as session, session.begin():
            old = await session.get(Chat, old_id)
            if old is None:
                return
            if await session.get(Chat, new_id) is None:
                fields = {
                    c.key: getattr(old, c.key) for c in Chat.__table__.columns if c.key != "id"
                }
                fields.update(type="supergroup", updated_at=now)
                session.add(Chat(id=new_id, **fields))
                await session.flush()
            owned: list[tuple[Any, Any]] = [
                (TopicSubscription, TopicSubscription.topic),
                (KeywordRule, KeywordRule.query),
                (Match, Match.story_id),
                (Delivery, Delivery.story_id),
                (DigestRun, DigestRun.local_date),
            ]
            for model, key in owned:
                taken = select(key).where(model.chat_id == new_id)
                await session.execute(delete(model).where(model.chat_id == old_id, key.in_(taken)))
                await session.execute(
                    update(model).where(model.chat_id == old_id).values(chat_id=new_id)
                )
            await session.execute(delete(KeywordDraft).where(KeywordDraft.chat_id == old_id))
            await session.execute(
                update(Delivery)
                .where(Delivery.chat_id == new_id, Delivery.status == _PENDING)
                .values(next_attempt_at=now, lease_until=None, lease_owner=None)
            )
            await session.delete(old)

    async def counts(self) -> dict[str, int]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(Delivery.status, func.count()).group_by(Delivery.status)
            )
            return {status: int(n) for status, n in rows}

    async def lease_owners(self, now: datetime) -> set[str]:
        """Owners of live leases on outbox rows and digest runs, and of the placing turn."""
        async with self._sessions() as session:
            owners: set[str] = set()
            for model in (Delivery, DigestRun):
                owners.update(
                    await session.scalars(
                        select(model.lease_owner)
                        .where(model.lease_owner.is_not(None), model.lease_until >= now)
                        .distinct()
                    )
                )
            # The process holding the event-placing turn (storage.repositories.events).
            owners.update(
                await session.scalars(
                    select(EventGrouping.owner).where(EventGrouping.owner.is_not(None))
                )
            )
            return owners

    async def release_leases(self, owners: Sequence[str]) -> None:
        """Free every lease these owners hold (their process is known to be gone)."""
        if not owners:
            return
        async with self._sessions() as session, session.begin():
            for model in (Delivery, DigestRun):
                await session.execute(
                    update(model)
                    .where(model.lease_owner.in_(list(owners)))
                    .values(lease_until=None, lease_owner=None)
                )
            await session.execute(
                update(EventGrouping)
                .where(EventGrouping.owner.in_(list(owners)))
                .values(owner=None)
            )
