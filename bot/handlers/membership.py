"""my_chat_member: the bot blocked, removed or added back deactivates or restores the chat."""

from __future__ import annotations

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.filters import JOIN_TRANSITION, LEAVE_TRANSITION, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated

from bot.clock import Clock
from bot.i18n import Translator
from storage.repositories.chats import ChatRepository


async def bot_left(event: ChatMemberUpdated, chats: ChatRepository, clock: Clock) -> None:
    await chats.set_membership(event.chat.id, present=False, now=clock())


async def bot_joined(
    event: ChatMemberUpdated, chats: ChatRepository, tr: Translator, clock: Clock
) -> None:
    known = await chats.set_membership(event.chat.id, present=True, now=clock())
    if not known and event.chat.type != ChatType.PRIVATE:
        await event.answer(tr("start.group_added"))


def make_router() -> Router:
    router = Router(name=__name__)
    router.my_chat_member.register(bot_left, ChatMemberUpdatedFilter(LEAVE_TRANSITION))
    router.my_chat_member.register(bot_joined, ChatMemberUpdatedFilter(JOIN_TRANSITION))
    return router
