"""Outer middleware: the chat's stored settings, its translator and the repositories.

Handlers then ask for what they need by name (``chat_settings``, ``tr``, ``chats``,
``rules``, ``stories``) and never open a session themselves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypedDict

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Translator, pick_language, translator
from storage.db import SessionFactory
from storage.repositories.chats import ChatRepository, ChatSettings
from storage.repositories.rules import RuleRepository
from storage.repositories.search import StorySearchRepository


class HandlerData(TypedDict):
    """What every message and callback handler may ask for by name."""

    sessions: SessionFactory
    settings: Settings
    clock: Clock
    chats: ChatRepository
    rules: RuleRepository
    stories: StorySearchRepository
    chat_settings: ChatSettings | None
    tr: Translator


class ChatContextMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sessions: SessionFactory = data["sessions"]
        chat: Chat | None = data.get("event_chat")
        user: User | None = data.get("event_from_user")
        chats = ChatRepository(sessions)
        stored = await chats.get(chat.id) if chat is not None else None
        if stored is not None:
            data["tr"] = translator(stored.language)
        else:
            data["tr"] = translator(pick_language(user.language_code if user else None))
        data["chat_settings"] = stored
        data["chats"] = chats
        data["rules"] = RuleRepository(sessions)
        data["stories"] = StorySearchRepository(sessions)
        return await handler(event, data)
