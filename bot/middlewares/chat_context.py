"""Outer middleware: the chat's stored settings, its translator and the repositories.

Handlers then ask for what they need by name (``chat_settings``, ``tr``, ``chats``,
``rules``, ``stories``) and never open a session themselves.

A private chat that manages a channel (/channel) gets the channel's settings as
``chat_settings`` while the user is still one of its administrators; ``own_settings`` is
always the chat's own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypedDict

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Chat, TelegramObject, User

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Translator, pick_language, translator
from bot.middlewares.guard import ADMIN_STATUSES
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
    own_settings: ChatSettings | None
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
        data["own_settings"] = stored
        data["chat_settings"] = stored
        if stored is not None and stored.managing is not None and chat is not None:
            now = data["clock"]()
            data["chat_settings"] = await _managed(data.get("bot"), chats, stored, user, now)
        data["chats"] = chats
        data["rules"] = RuleRepository(sessions)
        data["stories"] = StorySearchRepository(sessions)
        return await handler(event, data)


async def _managed(
    bot: Bot | None, chats: ChatRepository, own: ChatSettings, user: User | None, now: datetime
) -> ChatSettings:
    """The channel this private chat manages, if the user still administers it; else the
    link is dropped and the chat's own settings serve."""
    assert own.managing is not None
    channel = await chats.get(own.managing)
    allowed = False
    if channel is not None and bot is not None and user is not None:
        try:
            member = await bot.get_chat_member(own.managing, user.id)
            allowed = member.status in ADMIN_STATUSES
        except TelegramAPIError:
            allowed = False
    if channel is None or not allowed:
        await chats.set_managing(own.id, None, now=now)
        return own
    return channel
