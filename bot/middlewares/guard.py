"""Inner middleware: refuses, with a clear answer, what a handler's flags forbid.

``flags={"admin": True}``: in a group only its administrators may use the handler.
``flags={"subscribed": True}``: the chat must have run /start (its settings exist).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.flags import get_flag
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, User

from bot.i18n import Translator

ADMIN_STATUSES = frozenset({ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR})


async def is_group_admin(bot: Bot, chat: Chat, user: User | None, event: TelegramObject) -> bool:
    """True in private chats; in groups, when getChatMember says creator or administrator.

    A message an anonymous administrator sends comes "from" the group itself.
    """
    if chat.type == ChatType.PRIVATE:
        return True
    if isinstance(event, Message) and event.sender_chat and event.sender_chat.id == chat.id:
        return True
    if user is None:
        return False
    member = await bot.get_chat_member(chat_id=chat.id, user_id=user.id)
    return member.status in ADMIN_STATUSES


async def _refuse(event: TelegramObject, text: str, alert: str) -> None:
    if isinstance(event, Message):
        await event.answer(text)
    elif isinstance(event, CallbackQuery):
        await event.answer(alert, show_alert=True)


class ChatGuardMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat: Chat | None = data.get("event_chat")
        tr: Translator = data["tr"]
        if get_flag(data, "admin") and chat is not None:
            bot: Bot = data["bot"]
            if not await is_group_admin(bot, chat, data.get("event_from_user"), event):
                text = tr("group.admins_only")
                await _refuse(event, text, tr.label("group.admins_only"))
                return None
        if get_flag(data, "subscribed") and data.get("chat_settings") is None:
            await _refuse(event, tr("not_subscribed"), tr.label("not_subscribed"))
            return None
        return await handler(event, data)
