"""Chats and their settings: topics, mode, language, time zone, membership."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import SessionFactory
from storage.models import (
    Chat,
    Delivery,
    DeliveryMode,
    DeliveryStatus,
    KeywordRule,
    TopicSubscription,
)
from storage.repositories._sql import insert_ignoring_duplicates


async def _insert_new(session: AsyncSession, table: Table, row: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING for one row; True if this call inserted it."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    result = await session.execute(module.insert(table).values(row).on_conflict_do_nothing())
    return bool(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class ChatSettings:
    id: int
    type: str
    language: str
    timezone: str
    mode: str
    digest_minute: int
    active: bool
    blocked: bool
    topics: frozenset[str]
    title: str | None = None
    last_alert_at: datetime | None = None
    rules_count: int = 0
    stopped: bool = False  # /stop was sent and no /start since
    managing: int | None = None  # a private chat's linked channel, while it manages it


class ChatRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    async def subscribe(
        self,
        chat_id: int,
        *,
        chat_type: str,
        language: str,
        timezone: str,
        topics: Iterable[str],
        now: datetime,
        title: str | None = None,
    ) -> tuple[ChatSettings, bool]:
        """Activate a chat; a new chat gets ``topics`` in instant mode.

        Returns the settings and whether the chat is new.  A returning chat keeps
        what it had chosen before (``/stop`` then ``/start`` restores it).
        """
        async with self._sessions() as session, session.begin():
            # Two /start at once from a new chat: the insert that loses the race is skipped
            # (not an IntegrityError) and that update goes on as for a returning chat.
            created = await _insert_new(
                session,
                Chat.__table__,  # type: ignore[arg-type]
                {
                    "id": chat_id,
                    "type": chat_type,
                    "title": title,
                    "language": language,
                    "timezone": timezone,
                    "mode": DeliveryMode.INSTANT.value,
                    "digest_minute": 9 * 60,
                    "digest_empty_note": False,
                    "active": True,
                    "blocked": False,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            if created:
                await insert_ignoring_duplicates(
                    session,
                    TopicSubscription.__table__,  # type: ignore[arg-type]
                    [{"chat_id": chat_id, "topic": t} for t in topics],
                )
            else:
                chat = await session.get(Chat, chat_id, with_for_update=True)
                assert chat is not None
                chat.active = True
                chat.blocked = False
                chat.stopped_at = None
                chat.type = chat_type
                if title is not None:
                    chat.title = title
                chat.updated_at = now
            await session.flush()
        found = await self.get(chat_id)
        assert found is not None
        return found, created

    async def get(self, chat_id: int) -> ChatSettings | None:
        async with self._sessions() as session:
            chat = await session.get(Chat, chat_id)
            if chat is None:
                return None
            topics = await session.scalars(
                select(TopicSubscription.topic).where(TopicSubscription.chat_id == chat_id)
            )
            rules = await session.scalar(
                select(func.count()).select_from(KeywordRule).where(KeywordRule.chat_id == chat_id)
            )
            return ChatSettings(
                id=chat.id,
                type=chat.type,
                language=chat.language,
                timezone=chat.timezone,
                mode=chat.mode,
                digest_minute=chat.digest_minute,
                active=chat.active,
                blocked=chat.blocked,
                topics=frozenset(topics),
                title=chat.title,
                last_alert_at=chat.last_alert_at,
                rules_count=int(rules or 0),
                stopped=chat.stopped_at is not None,
                managing=chat.managing_chat_id,
            )

    async def _update(self, chat_id: int, now: datetime, **values: Any) -> bool:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(Chat).where(Chat.id == chat_id).values(updated_at=now, **values)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def set_topic(self, chat_id: int, topic: str, *, enabled: bool) -> frozenset[str]:
        """Turn one topic on or off; returns the chat's topics afterwards."""
        async with self._sessions() as session, session.begin():
            row = await session.get(TopicSubscription, (chat_id, topic))
            if enabled and row is None:
                session.add(TopicSubscription(chat_id=chat_id, topic=topic))
            elif not enabled and row is not None:
                await session.delete(row)
            await session.flush()
            topics = await session.scalars(
                select(TopicSubscription.topic).where(TopicSubscription.chat_id == chat_id)
            )
            return frozenset(topics)

    async def set_mode(self, chat_id: int, mode: DeliveryMode, *, now: datetime) -> bool:
        return await self._update(chat_id, now, mode=mode.value)

    async def set_digest_minute(self, chat_id: int, minute: int, *, now: datetime) -> bool:
        if not 0 <= minute < 24 * 60:
            raise ValueError(f"minute of day out of range: {minute}")
        return await self._update(chat_id, now, digest_minute=minute)

    async def set_timezone(self, chat_id: int, zone: str, *, now: datetime) -> bool:
        """``zone`` must already be checked (an IANA name)."""
        return await self._update(chat_id, now, timezone=zone)

    async def set_managing(self, chat_id: int, channel_id: int | None, *, now: datetime) -> bool:
        """Point a private chat's settings commands at ``channel_id`` (None: back to itself)."""
        return await self._update(chat_id, now, managing_chat_id=channel_id)

    async def set_language(self, chat_id: int, language: str, *, now: datetime) -> bool:
        return await self._update(chat_id, now, language=language)

    async def stop(self, chat_id: int, *, now: datetime) -> bool:
        """End every delivery but keep the settings; pending alerts are cancelled.

        Holds until /start, whatever membership changes come in between."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(Chat)
                .where(Chat.id == chat_id, Chat.stopped_at.is_(None))
                .values(active=False, stopped_at=now, updated_at=now)
            )
            await session.execute(
                update(Delivery)
                .where(
                    Delivery.chat_id == chat_id,
                    Delivery.status == DeliveryStatus.PENDING.value,
                )
                .values(status=DeliveryStatus.CANCELLED.value)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def set_membership(self, chat_id: int, *, present: bool, now: datetime) -> bool:
        """The bot was removed or blocked (``present`` False), or added back (True).

        Returns False when the chat is unknown (nothing to deactivate or restore). A chat
        that sent /stop stays inactive when the bot comes back.
        """
        active = case((Chat.stopped_at.is_(None), True), else_=False) if present else False
        return await self._update(chat_id, now, active=active, blocked=not present)

    async def forget(self, chat_id: int) -> bool:
        """Delete the chat and everything hanging off it (rules, topics, outbox, matches)."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(delete(Chat).where(Chat.id == chat_id))
            return bool(result.rowcount)  # type: ignore[attr-defined]
