"""Chats and their settings: topics, mode, language, time zone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from storage.db import SessionFactory
from storage.models import Chat, DeliveryMode, TopicSubscription


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
    ) -> tuple[ChatSettings, bool]:
        """Activate a chat; a new chat gets ``topics`` in instant mode.

        Returns the settings and whether the chat is new.  A returning chat keeps
        what it had chosen before (``/stop`` then ``/start`` restores it).
        """
        async with self._sessions() as session, session.begin():
            chat = await session.get(Chat, chat_id, with_for_update=True)
            created = chat is None
            if chat is None:
                chat = Chat(
                    id=chat_id,
                    type=chat_type,
                    language=language,
                    timezone=timezone,
                    mode=DeliveryMode.INSTANT.value,
                    digest_minute=9 * 60,
                    digest_empty_note=False,
                    active=True,
                    blocked=False,
                    created_at=now,
                    updated_at=now,
                )
                session.add(chat)
                session.add_all(TopicSubscription(chat_id=chat_id, topic=t) for t in topics)
            else:
                chat.active = True
                chat.blocked = False
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
            )

    async def forget(self, chat_id: int) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(delete(Chat).where(Chat.id == chat_id))
