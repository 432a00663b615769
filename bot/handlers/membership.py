"""The bot blocked, removed or added back (my_chat_member); a group turned supergroup."""

from __future__ import annotations

import contextlib

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import JOIN_TRANSITION, LEAVE_TRANSITION, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated, Message

from bot.clock import Clock
from bot.i18n import Translator
from storage.db import SessionFactory
from storage.repositories.chats import ChatRepository, ChatSettings
from storage.repositories.deliveries import DeliveryRepository


async def bot_left(event: ChatMemberUpdated, chats: ChatRepository, clock: Clock) -> None:
    await chats.set_membership(event.chat.id, present=False, now=clock())


async def bot_joined(
    event: ChatMemberUpdated,
    bot: Bot,
    chats: ChatRepository,
    chat_settings: ChatSettings | None,
    tr: Translator,
    clock: Clock,
) -> None:
    known = await chats.set_membership(event.chat.id, present=True, now=clock())
    if event.chat.type == ChatType.PRIVATE:
        return
    if event.chat.type == ChatType.CHANNEL:
        # Nothing is posted in the channel itself; the admin who added the bot is told, in
        # private, how to link it (possible only if they have started the bot).
        if event.from_user is not None:
            notice = tr("channel.added", name=event.chat.title or "", id=event.chat.id)
            with contextlib.suppress(TelegramAPIError):
                await bot.send_message(event.from_user.id, notice)
        return
    if not known:
        await event.answer(tr("start.group_added"))
    elif chat_settings is not None and chat_settings.stopped:
        # Added back after /stop: say why no alerts come, rather than resume in silence.
        await event.answer(tr("start.back_paused"))


async def group_migrated(message: Message, sessions: SessionFactory, clock: Clock) -> None:
    """The group's settings, rules and pending alerts move to the supergroup's new id."""
    assert message.migrate_to_chat_id is not None
    await DeliveryRepository(sessions).migrate_chat(
        message.chat.id, message.migrate_to_chat_id, clock()
    )


def make_router() -> Router:
    router = Router(name=__name__)
    router.my_chat_member.register(bot_left, ChatMemberUpdatedFilter(LEAVE_TRANSITION))
    router.my_chat_member.register(bot_joined, ChatMemberUpdatedFilter(JOIN_TRANSITION))
    router.message.register(group_migrated, F.migrate_to_chat_id)
    return router
